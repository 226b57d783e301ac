package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/emohallucer/emohallucer/interop/export"
	"github.com/spf13/cobra"
)

func newSuiteExportCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "export --format vlmevalkit|lmms-eval|hf-jsonl SUITE OUT",
		Short: "Write a suite in the formats VLMEvalKit, lmms-eval and Hugging Face datasets load",
		Long: `Write a suite (a folder, or "builtin") for other harnesses:

  vlmevalkit  OUT is a .tsv file (or a folder for SUITE.tsv): index, base64 image,
              question, answer (Yes/No), category (sub-category), l2-category
              (modality), plus columns that carry the whole pair. Image pairs
              with one image only; other pairs are skipped and counted.
  lmms-eval   OUT is a folder: <task>.jsonl, <task>.yaml (the task; load it with
              --include_path OUT), utils.py and the media files.
  hf-jsonl    OUT is a folder: data.jsonl (one row per question, media paths
              relative to OUT) and the media files.

Every format reads back with "emohallucer build --from FORMAT=OUT", giving the
same pairs.

  emohallucer suite export --format lmms-eval suites/pope out/pope-lmms
  lmms_eval --model llava --tasks emohallucer_pope --include_path out/pope-lmms`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format == "" {
				return usagef("--format is required (one of %s)", strings.Join(export.Formats, ", "))
			}
			return suiteExport(cmd.Context(), cmd.OutOrStdout(), format, args[0], args[1])
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "vlmevalkit, lmms-eval or hf-jsonl")
	return cmd
}

func suiteExport(ctx context.Context, w io.Writer, format, spec, out string) error {
	known := false
	for _, f := range export.Formats {
		known = known || f == format
	}
	if !known {
		return usagef("unknown --format %q (want one of %s)", format, strings.Join(export.Formats, ", "))
	}
	s, err := loadSuite(ctx, spec)
	if err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	sum, err := export.Export(ctx, format, s, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s: %d pairs, %d rows, %d media files\n", format, sum.Pairs, sum.Rows, sum.Media)
	for _, f := range sum.Files {
		fmt.Fprintf(w, "  wrote %s\n", f)
	}
	reasons := make([]string, 0, len(sum.Skipped))
	for r := range sum.Skipped {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		fmt.Fprintf(w, "  skipped %d pair(s): %s\n", sum.Skipped[r], r)
	}
	return nil
}
