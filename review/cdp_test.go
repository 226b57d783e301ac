package review

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// cdp drives a headless Chromium over the DevTools protocol on a pipe
// (--remote-debugging-pipe: commands on fd 3, replies on fd 4, each a JSON
// message ended by a NUL byte), so that a test can press keys in a page the
// way a reviewer does, with no network port and no extra dependency.
type cdp struct {
	t       *testing.T
	cmd     *exec.Cmd
	w       *os.File
	mu      sync.Mutex
	next    int
	pending map[int]chan cdpReply
	session string
}

type cdpReply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// startCDP starts Chromium with args and opens url in a new tab.
func startCDP(t *testing.T, chromium string, args []string, url string) *cdp {
	t.Helper()
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(chromium, append(args, "--remote-debugging-pipe", "about:blank")...)
	cmd.ExtraFiles = []*os.File{inR, outW}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	inR.Close()
	outW.Close()
	c := &cdp{t: t, cmd: cmd, w: inW, pending: map[int]chan cdpReply{}}
	go c.read(outR)
	t.Cleanup(func() {
		// Browser.close lets Chromium end its helper processes and release
		// the profile folder before the test removes it.
		c.send("Browser.close")
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		inW.Close()
	})
	var target struct {
		TargetID string `json:"targetId"`
	}
	c.call("Target.createTarget", map[string]any{"url": url}, &target)
	var att struct {
		SessionID string `json:"sessionId"`
	}
	c.call("Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att)
	c.session = att.SessionID
	b, _ := json.Marshal(url)
	c.waitFor("location.href === " + string(b) + ` && document.readyState === "complete"`)
	return c
}

func (c *cdp) read(r *os.File) {
	br := bufio.NewReader(r)
	for {
		msg, err := br.ReadBytes(0)
		if err != nil {
			return
		}
		var m struct {
			ID int `json:"id"`
			cdpReply
		}
		if json.Unmarshal(msg[:len(msg)-1], &m) != nil || m.ID == 0 {
			continue // an event
		}
		c.mu.Lock()
		ch := c.pending[m.ID]
		delete(c.pending, m.ID)
		c.mu.Unlock()
		if ch != nil {
			ch <- m.cdpReply
		}
	}
}

// call sends a command (to the page's session once attached) and decodes its
// result into out.
func (c *cdp) call(method string, params map[string]any, out any) {
	c.t.Helper()
	c.mu.Lock()
	c.next++
	id := c.next
	ch := make(chan cdpReply, 1)
	c.pending[id] = ch
	c.mu.Unlock()
	msg := map[string]any{"id": id, "method": method, "params": params}
	if c.session != "" && method != "Browser.setDownloadBehavior" {
		msg["sessionId"] = c.session
	}
	b, _ := json.Marshal(msg)
	if _, err := c.w.Write(append(b, 0)); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
	select {
	case r := <-ch:
		if r.Error != nil {
			c.t.Fatalf("%s: %s", method, r.Error.Message)
		}
		if out != nil {
			if err := json.Unmarshal(r.Result, out); err != nil {
				c.t.Fatalf("%s: %v", method, err)
			}
		}
	case <-time.After(60 * time.Second):
		// A guard against a hung browser, not a timing assertion.
		c.t.Fatalf("%s: Chromium did not answer", method)
	}
}

// send sends a browser command without waiting for its reply.
func (c *cdp) send(method string) {
	c.mu.Lock()
	c.next++
	b, _ := json.Marshal(map[string]any{"id": c.next, "method": method})
	c.mu.Unlock()
	c.w.Write(append(b, 0))
}

// eval evaluates a JavaScript expression in the page and returns its value.
func (c *cdp) eval(expr string) any {
	c.t.Helper()
	var r struct {
		Result struct {
			Value any `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	c.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &r)
	if r.Exception != nil {
		c.t.Fatalf("eval %s: %s", expr, r.Exception.Text)
	}
	return r.Result.Value
}

// waitFor polls until expr is true.
func (c *cdp) waitFor(expr string) {
	c.t.Helper()
	for range 600 {
		if v, _ := c.eval(expr).(bool); v {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.t.Fatalf("never true: %s", expr)
}

// key presses a key as a keyboard would.
func (c *cdp) key(k string) {
	c.t.Helper()
	codes := map[string]int{"ArrowRight": 39, "ArrowLeft": 37, "Escape": 27, "Enter": 13}
	p := map[string]any{"type": "keyDown", "key": k}
	if code, ok := codes[k]; ok {
		p["windowsVirtualKeyCode"], p["code"] = code, k
	} else {
		p["text"] = k
	}
	c.call("Input.dispatchKeyEvent", p, nil)
	c.call("Input.dispatchKeyEvent", map[string]any{"type": "keyUp", "key": k}, nil)
}

// typeText types text into the focused element.
func (c *cdp) typeText(s string) { c.call("Input.insertText", map[string]any{"text": s}, nil) }

func (c *cdp) String() string { return fmt.Sprintf("chromium pid %d", c.cmd.Process.Pid) }
