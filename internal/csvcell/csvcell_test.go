package csvcell

import "testing"

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		// Formula starts are prefixed.
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+1+1", "'+1+1"},
		{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		// A leading apostrophe is doubled so that Unescape is exact.
		{"'=x", "''=x"},
		{"'", "''"},
		// Numbers, plain text and empty cells are unchanged.
		{"-0.25", "-0.25"},
		{"+3", "+3"},
		{"-1e-3", "-1e-3"},
		{"Yes.", "Yes."},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if back := Unescape(Escape(tt.in)); back != tt.in {
			t.Errorf("Unescape(Escape(%q)) = %q", tt.in, back)
		}
	}
}
