// Package review makes the validity of a suite measurable: it samples pairs
// for people to judge on a self-contained page (WritePage), reads their
// verdicts (ReadVerdicts), reports validity and agreement between raters
// (Agree: Wilson intervals, Cohen's and Fleiss' kappa, Krippendorff's alpha),
// turns verdicts into exclusions for build and run (Exclude), and flags the
// pairs whose gold most model runs contradict as the first to review
// (FlagRuns). It never edits a suite.
//
// The procedure: "suite review sample" writes a page per reviewer, each judges
// the same pairs independently and exports a verdict file, "suite review
// agree" reports validity and agreement, and "build --exclude" or "run
// --exclude" leave out the pairs that a strict majority did not judge valid.
package review
