package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Latency is the distribution of the loopback server's response delay.
//
//	fixed:20ms               every response after 20 ms
//	uniform:10ms-30ms        uniformly between the two bounds
//	exp:20ms                 exponential with mean 20 ms (a long tail)
//	lognormal:20ms:0.5       log-normal with median 20 ms and sigma 0.5
//
// A bare duration ("20ms") means fixed.
type Latency struct {
	Kind  string
	A, B  time.Duration // fixed/exp/lognormal: A; uniform: A..B
	Sigma float64
}

// ParseLatency reads a latency spec.
func ParseLatency(s string) (Latency, error) {
	kind, rest, ok := strings.Cut(s, ":")
	if !ok {
		kind, rest = "fixed", s
	}
	bad := func(err error) (Latency, error) {
		return Latency{}, fmt.Errorf("latency %q: %w (want fixed:D, uniform:D-D, exp:D or lognormal:D:SIGMA)", s, err)
	}
	switch kind {
	case "fixed", "exp":
		d, err := time.ParseDuration(rest)
		if err != nil {
			return bad(err)
		}
		return Latency{Kind: kind, A: d}, nil
	case "uniform":
		lo, hi, ok := strings.Cut(rest, "-")
		a, err1 := time.ParseDuration(lo)
		b, err2 := time.ParseDuration(hi)
		if !ok || err1 != nil || err2 != nil || b < a {
			return bad(fmt.Errorf("bounds must be two durations, low-high"))
		}
		return Latency{Kind: kind, A: a, B: b}, nil
	case "lognormal":
		med, sig, ok := strings.Cut(rest, ":")
		d, err := time.ParseDuration(med)
		if err != nil || !ok {
			return bad(fmt.Errorf("want median:sigma"))
		}
		sigma, err := strconv.ParseFloat(sig, 64)
		if err != nil || sigma < 0 {
			return bad(fmt.Errorf("sigma must be a non-negative number"))
		}
		return Latency{Kind: kind, A: d, Sigma: sigma}, nil
	}
	return bad(fmt.Errorf("unknown distribution %q", kind))
}

// Mean is the expected delay; the ideal throughput of a client holding c
// requests in flight is c / Mean.
func (l Latency) Mean() time.Duration {
	switch l.Kind {
	case "uniform":
		return (l.A + l.B) / 2
	case "lognormal":
		return time.Duration(float64(l.A) * math.Exp(l.Sigma*l.Sigma/2))
	}
	return l.A
}

// Sample draws one delay.
func (l Latency) Sample(r *rand.Rand) time.Duration {
	switch l.Kind {
	case "uniform":
		return l.A + time.Duration(r.Int64N(int64(l.B-l.A)+1))
	case "exp":
		return time.Duration(r.ExpFloat64() * float64(l.A))
	case "lognormal":
		return time.Duration(float64(l.A) * math.Exp(l.Sigma*r.NormFloat64()))
	}
	return l.A
}

func (l Latency) String() string {
	switch l.Kind {
	case "uniform":
		return fmt.Sprintf("uniform:%s-%s", l.A, l.B)
	case "lognormal":
		return fmt.Sprintf("lognormal:%s:%g", l.A, l.Sigma)
	}
	return l.Kind + ":" + l.A.String()
}
