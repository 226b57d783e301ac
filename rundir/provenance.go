package rundir

import (
	"runtime"
	"runtime/debug"
)

// Provenance is what produced a run, so a number in a report can be traced to
// the binary and the exact suite: the tool's version, the Go toolchain and
// platform, and the suite's digest.
type Provenance struct {
	// Tool is the module version of the binary (v1.2.3 for `go install
	// …@v1.2.3`), else the VCS revision it was built from (12 hex digits, with
	// "+dirty" when the checkout had changes), else "devel".
	Tool string `json:"tool"`
	Go   string `json:"go"`
	OS   string `json:"os"`
	Arch string `json:"arch"`
	// SuiteSHA256 is the hex SHA-256 of the suite's canonical encoding: its
	// pairs, in order, as suite.jsonl is written (suite.Encode: one compact
	// JSON object per line, fields in schema order, each line ending in "\n").
	// Media enter through their digests. For a suite written by `emohallucer
	// build` it equals `sha256sum suite.jsonl`; it is computed over the pairs
	// the run was given, after --exclude and before --subset/--shard/--limit/
	// --sample, so runs of one suite share it.
	SuiteSHA256 string `json:"suite_sha256,omitempty"`
}

// ToolVersion is the binary's version as Provenance.Tool describes it.
func ToolVersion() string {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(bi)
}

// versionOf reads the version out of a binary's build info (nil: none).
func versionOf(bi *debug.BuildInfo) string {
	if bi == nil {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev string
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "devel"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "+dirty"
	}
	return rev
}

// NewProvenance is the provenance of a run by this binary of the suite with
// the given digest.
func NewProvenance(suiteSHA256 string) *Provenance {
	return &Provenance{Tool: ToolVersion(), Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH, SuiteSHA256: suiteSHA256}
}

// VersionLine is what `emohallucer --version` prints after the name:
// "v1.2.3 (go1.26.0 linux/amd64)".
func VersionLine() string {
	return ToolVersion() + " (" + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + ")"
}
