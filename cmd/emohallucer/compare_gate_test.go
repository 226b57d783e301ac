package main

import (
	"strings"
	"testing"
)

// TestCompareFailOnRegression gates a model change on real fixture runs of
// the builtin suite: the calibrated model (about 89 % of questions right) and
// the overconfident one (about 68 %).
func TestCompareFailOnRegression(t *testing.T) {
	runs := makePolicyRuns(t)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		// Worse by ~40 points overall, very significant: every view regressed.
		{"regression", []string{runs.calibrated, runs.sloppy, "--fail-on-regression", "2"}, exitThreshold, "regressed: all "},
		// Only the named view is checked and named.
		{"one view", []string{runs.calibrated, runs.sloppy, "--fail-on-regression", "2", "--view", "knowledge"}, exitThreshold, "regressed: knowledge "},
		// Improvement: nothing regressed.
		{"improvement", []string{runs.sloppy, runs.calibrated, "--fail-on-regression", "2"}, 0, "no view lost more than 2 points"},
		// A tolerance larger than the drop lets it pass.
		{"within tolerance", []string{runs.calibrated, runs.sloppy, "--fail-on-regression", "90"}, 0, "no view lost"},
		// An alpha no p value can be under: not significant, so no regression.
		{"alpha", []string{runs.calibrated, runs.sloppy, "--fail-on-regression", "2", "--alpha", "1e-300"}, 0, "no view lost"},
		// The same run twice never regresses.
		{"same run", []string{runs.calibrated, runs.calibrated, "--fail-on-regression", "0"}, 0, "no view lost"},
		// A view the runs do not share is a usage error.
		{"absent view", []string{runs.calibrated, runs.sloppy, "--fail-on-regression", "2", "--view", "modality:audio"}, exitUsage, "share no scored pair on view modality:audio"},
		// --view without the gate is a mistake.
		{"view alone", []string{runs.calibrated, runs.sloppy, "--view", "knowledge"}, exitUsage, "belong to --fail-on-regression"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"compare"}, tt.args...)...)
			if code != tt.code || !strings.Contains(stdout+stderr, tt.want) {
				t.Errorf("exit %d, want %d, output lacks %q?\n%s\n%s", code, tt.code, tt.want, stdout, stderr)
			}
		})
	}
}
