// Package csvcell keeps CSV cells from being run as formulas by spreadsheets
// (CSV injection): a cell that starts with =, +, -, @, a tab or a carriage
// return is prefixed with an apostrophe, which spreadsheets show as text.
// Numbers are left alone (a negative Pct. Diff stays a number), and the
// escaping is reversible so that CSV record exports read back exactly.
package csvcell

import "strconv"

// risky tells whether a cell starting with c needs the prefix. The apostrophe
// itself is included so that Unescape can tell an added prefix from a value
// that began with one.
func risky(c byte) bool {
	switch c {
	case '=', '+', '-', '@', '\t', '\r', '\'':
		return true
	}
	return false
}

// Escape returns s prefixed with "'" when a spreadsheet could take it for a
// formula; s itself otherwise (numbers included).
func Escape(s string) string {
	if s == "" || !risky(s[0]) {
		return s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return s
	}
	return "'" + s
}

// Unescape undoes Escape.
func Unescape(s string) string {
	if len(s) >= 2 && s[0] == '\'' && risky(s[1]) {
		return s[1:]
	}
	return s
}
