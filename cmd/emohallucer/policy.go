package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/policy"
	"github.com/emohallucer/emohallucer/rundir"
	"github.com/spf13/cobra"
)

func newPolicyCmd() *cobra.Command {
	var usecases, out string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "policy --usecases FILE RUN...",
		Short: "Decide per use case which run may automate, at which confidence threshold, and what it costs",
		Long: `For every use case of the register (usecases.yaml) and every run with answers
on its view: the question-level accuracy on the view, the confidence threshold
that automates the most answers while the 95% upper bound of their error (a
seeded bootstrap; the exact binomial bound when none is wrong) stays within
max_error, the share sent to people, the expected wrong automated decisions,
review, model and error costs per month, and a recommendation: the cheapest run
that meets the limit, or keep_humans with the reason. Runs without confidences
(no logprobs, no sampling strategy) cannot automate anything.

  emohallucer policy --usecases examples/usecases.yaml runs/
  emohallucer policy --usecases examples/usecases.yaml runs/ --json
  emohallucer policy --usecases examples/usecases.yaml runs/ --out policy.json
  emohallucer policy check --policy policy.json runs/new-model`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if usecases == "" {
				return usagef("policy needs --usecases FILE (a use-case register)")
			}
			return policyCommand(cmd.OutOrStdout(), usecases, args, asJSON, out)
		},
	}
	cmd.Flags().StringVar(&usecases, "usecases", "", "use-case register (YAML)")
	cmd.Flags().BoolVar(&asJSON, "json", false, `print JSON: {"usecases": [{"name", "keep_humans", "reason", "recommendation", "candidates"}]}`)
	cmd.Flags().StringVar(&out, "out", "", "write the decisions as a versioned policy.json to this file, for policy check")
	cmd.AddCommand(newPolicyCheckCmd())
	return cmd
}

func policyCommand(w io.Writer, usecasesPath string, args []string, asJSON bool, out string) error {
	ev, runs, err := evaluatePolicy(usecasesPath, args)
	if err != nil {
		return err
	}
	if asJSON {
		if err := printJSON(w, ev); err != nil {
			return err
		}
	} else if err := writePolicyTable(w, ev); err != nil {
		return err
	}
	if out == "" {
		return nil
	}
	f := policy.Build(ev, runs, time.Now())
	if err := rundir.WriteFile(out, f.Write); err != nil {
		return err
	}
	if !asJSON {
		fmt.Fprintf(w, "wrote %s\n", out)
	}
	return nil
}

// evaluatePolicy reads the register and the runs and evaluates them.
func evaluatePolicy(usecasesPath string, args []string) (*policy.Evaluation, []*policy.Run, error) {
	ucs, err := policy.ReadRegister(usecasesPath)
	if err != nil {
		return nil, nil, err
	}
	runs, err := policy.LoadRuns(args)
	if err != nil {
		return nil, nil, err
	}
	return policy.Evaluate(ucs, runs), runs, nil
}

func writePolicyTable(w io.Writer, ev *policy.Evaluation) error {
	for _, d := range ev.UseCases {
		u := d.UseCase
		fmt.Fprintf(w, "use case %s (view %s, max error %.4g%%, %.0f a month)\n", d.Name, u.View, 100*u.MaxError, u.VolumePerMonth)
		if d.KeepHumans {
			fmt.Fprintf(w, "  → keep_humans: %s\n", d.Reason)
		} else {
			r := d.Recommendation
			fmt.Fprintf(w, "  → automate with %s [%s] (run %s) at confidence ≥ %.4g: %.1f%% automated; %s\n",
				r.Model, r.Strategy, r.Run, r.Threshold, 100*r.AutomatedShare, d.Reason)
		}
		if len(d.Candidates) == 0 {
			fmt.Fprintln(w)
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  run\tmodel [strategy]\tquestions\taccuracy\tthreshold\tautomated\terror (upper 95%)\twrong/month\treview $/month\tmodel $/month\ttotal $/month\tnote")
		for _, c := range d.Candidates {
			th, auto, errs := "—", "0%", "—"
			if c.Threshold != nil {
				th = fmt.Sprintf("%.4g", *c.Threshold)
				auto = fmt.Sprintf("%.1f%%", 100*c.AutomatedShare)
				errs = fmt.Sprintf("%.2f%% (%.2f%%)", 100*c.ExpectedError, 100*c.ExpectedErrorUpper95)
			}
			fmt.Fprintf(tw, "  %s\t%s [%s]\t%d\t%.2f%%\t%s\t%s\t%s\t%.1f\t%.2f\t%.2f\t%.2f\t%s\n", c.Run, c.Model, c.Strategy, c.Questions, c.Accuracy,
				th, auto, errs, c.ExpectedWrongMonth, c.ReviewCostMonth, c.ModelCostMonth, c.TotalCostMonth, c.Note)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	_, err := fmt.Fprintln(w, "accuracy is per question on the use case's view; the threshold keeps the 95% bootstrap upper bound of the automated error within max error.")
	return err
}

func newPolicyCheckCmd() *cobra.Command {
	var path string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "check --policy policy.json RUN...",
		Short: "Re-check new runs against a policy; exit 4 when a use case no longer meets its limit (a CI gate)",
		Long: `Measure every run with answers on an automated use case's view at the
threshold the policy recorded, and exit 4 (the threshold-not-met code) when the
95% upper bound of the error of the automated answers exceeds the use case's
max_error, or when the run has no confidences to apply the threshold to.

  emohallucer policy check --policy policy.json runs/new-model`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if path == "" {
				return usagef("policy check needs --policy policy.json (written by policy --out)")
			}
			return policyCheckCommand(cmd.OutOrStdout(), path, args, asJSON)
		},
	}
	cmd.Flags().StringVar(&path, "policy", "", "policy.json written by policy --out")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the checks as JSON")
	return cmd
}

func policyCheckCommand(w io.Writer, path string, args []string, asJSON bool) error {
	f, err := policy.Read(path)
	if err != nil {
		return err
	}
	runs, err := policy.LoadRuns(args)
	if err != nil {
		return err
	}
	results, failed := policy.Check(f, runs)
	if asJSON {
		if results == nil {
			results = []policy.CheckResult{}
		}
		if err := printJSON(w, results); err != nil {
			return err
		}
	} else {
		if len(results) == 0 {
			fmt.Fprintln(w, "no automated use case of the policy has answers in these runs: nothing to check")
		}
		for _, r := range results {
			verdict := "ok  "
			if !r.OK {
				verdict = "FAIL"
			}
			fmt.Fprintf(w, "%s %s: %s [%s] (run %s) at ≥ %.4g: %d of %d automated; %s\n", verdict, r.UseCase, r.Model, r.Strategy, r.Run, r.Threshold, r.Automated, r.Questions, r.Why)
		}
	}
	if failed {
		return eh.Errorf(eh.ETHRESHOLD, "policy %s no longer met: %s", path, policy.Failures(results))
	}
	return nil
}
