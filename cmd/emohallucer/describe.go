package main

import (
	"fmt"

	"github.com/emohallucer/emohallucer/provider/stack"
	"github.com/emohallucer/emohallucer/runner"
)

// judge resolves --judge (nil without it).
func (o *runOptions) judge() (*stack.Setup, error) {
	if o.Judge == "" {
		return nil, nil
	}
	if o.Task != runner.TaskDescribe {
		return nil, usagef("--judge judges descriptions: it needs --task describe")
	}
	js, err := stack.FromConfig(o.selection([]string{o.Judge}, "", nil))
	if err != nil {
		return nil, fmt.Errorf("--judge: %w", err)
	}
	return &js[0], nil
}
