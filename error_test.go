package emohallucer

import "testing"

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		// User and password are replaced, host and path kept.
		{"Post http://user:s3cret@127.0.0.1:8000/v1/chat: refused", "Post http://[REDACTED]@127.0.0.1:8000/v1/chat: refused"},
		// A user name alone is removed too (it may be a token).
		{"https://tok3n@host/v1", "https://[REDACTED]@host/v1"},
		// An unescaped "@" in the password is covered up to the host.
		{"http://u:p@ss@host/v1", "http://[REDACTED]@host/v1"},
		// Quoted URLs (Go's url.Error) and several URLs in one message.
		{`Post "http://a:b@h1/x" then "https://c:d@h2/y"`, `Post "http://[REDACTED]@h1/x" then "https://[REDACTED]@h2/y"`},
		// An "@" after the host (a path, a query) is no credential.
		{"http://host/v1/m@x and mail me@example.org", "http://host/v1/m@x and mail me@example.org"},
		// No URL, no change.
		{"plain text", "plain text"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
