package schedule

import (
	"time"

	"github.com/robfig/cron/v3"
)

const (
	// slotLookback is how far back slotOf looks for the activation a firing belongs to. A
	// firing later than this (a suspended machine) falls back to the minute it noticed.
	slotLookback = time.Hour
	// slotTolerance lets a firing whose wall clock reads a hair before its activation (the
	// clock stepped back after the timer was set) still belong to that activation.
	slotTolerance = 2 * time.Second
)

// slotOf returns the activation of sched that a firing noticed at now belongs to: the latest
// activation at or before now (within slotLookback). Every replica derives the same slot from
// its own clock, whatever its skew or lateness, so the slot is the claim key in job_runs.
// "@every" schedules, which robfig aligns to when they were added, are aligned to multiples
// of their period instead.
func slotOf(sched cron.Schedule, now time.Time) time.Time {
	if cd, ok := sched.(cron.ConstantDelaySchedule); ok {
		return now.Truncate(cd.Delay)
	}
	ref := now.Add(slotTolerance)
	t := sched.Next(ref.Add(-slotLookback))
	if t.IsZero() || t.After(ref) {
		return now.Truncate(time.Minute)
	}
	for {
		n := sched.Next(t)
		if n.IsZero() || n.After(ref) {
			return t
		}
		t = n
	}
}
