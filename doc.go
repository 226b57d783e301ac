// Package emohallucer holds the domain vocabulary of the emohallucer tool and the
// contracts between its stages: suites of yes/no question pairs, the questions sent to
// models, the records a run writes, and the small interfaces (Model, Store, Strategy)
// that concrete packages implement.
//
// It imports only the standard library so that every other package — providers,
// stores, scoring, reports — can depend on it without pulling anything heavy in.
//
// Data flows suite → engine → records → score → report; nothing imports against that
// flow.
package emohallucer
