package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// Jobs lists and runs the scheduled jobs for /watchtower jobs and /watchtower run
// (*schedule.Scheduler).
type Jobs interface {
	// Jobs returns every job with its spec, next activation after now and latest run.
	Jobs(ctx context.Context, now time.Time) ([]fleet.JobInfo, error)
	// RunNow runs the job called name at once on behalf of by (a Slack user ID). It returns
	// ENOTFOUND for an unknown job, with a message naming the known ones, and ECONFLICT when
	// the job is running.
	RunNow(ctx context.Context, name, by string, now time.Time) (fleet.JobRun, error)
}

func (h *Handler) watchtower(ctx context.Context, caller tools.Caller, text string) Reply {
	words := strings.Fields(strings.ToLower(text))
	switch {
	case len(words) == 0 || words[0] == "help":
		return h.help()
	case words[0] == "jobs":
		return h.jobList(ctx)
	case words[0] == "map" && len(words) == 1:
		return h.mapLink(ctx)
	case words[0] == "run" && len(words) == 2:
		return h.runJob(ctx, caller, words[1])
	}
	return usage("I did not understand that. " + helpLines[CmdWatchtower])
}

func (h *Handler) jobList(ctx context.Context) Reply {
	if h.jobs == nil {
		return usage(":gear: The scheduler is not running in this process.")
	}
	list, err := h.jobs.Jobs(ctx, h.r.now())
	if err != nil && len(list) == 0 {
		return Reply{View: h.problem(ctx, err, "list jobs")}
	}
	lines := make([]string, 0, len(list))
	for _, j := range list {
		lines = append(lines, h.jobLine(j))
	}
	v := View{Text: fmt.Sprintf("%d scheduled jobs", len(list))}.add(&Header{Text: ":gear: Scheduled jobs"},
		&Section{Text: orDash(strings.Join(lines, "\n"))}, &Context{Items: []string{"times in " + h.r.Zone.String()}})
	return Reply{View: v}
}

// jobLine is one job of /watchtower jobs: its spec (and why it is off), next run and last run.
func (h *Handler) jobLine(j fleet.JobInfo) string {
	spec := j.Spec
	if j.Disabled != "" {
		spec += " (off: " + j.Disabled + ")"
	}
	line := fmt.Sprintf("*%s* · %s", esc(j.Name), esc(orDash(spec)))
	if !j.Next.IsZero() {
		line += " · next " + clock(j.Next, h.r.Zone)
	}
	if j.Last == nil {
		return line + " · never ran"
	}
	line += fmt.Sprintf(" · last %s %s (%s)", jobEmoji(j.Last.Outcome), ago(h.r.now(), j.Last.StartedAt), fleet.FormatElapsed(j.Last.Duration))
	if j.Last.Error != "" {
		line += " — " + esc(truncate(j.Last.Error, 200))
	}
	return line
}

func jobEmoji(outcome fleet.JobOutcome) string {
	switch outcome {
	case fleet.JobOK:
		return ":white_check_mark:"
	case fleet.JobSkipped:
		return ":fast_forward:"
	case fleet.JobRunning:
		return ":hourglass_flowing_sand:"
	}
	return ":x:"
}

// runOutcome describes a finished run in one line: "done in 1.2 s", "skipped: …".
func runOutcome(run fleet.JobRun) string {
	took := fleet.FormatElapsed(run.Duration)
	switch run.Outcome {
	case fleet.JobOK:
		return fmt.Sprintf("done in %s", took)
	case fleet.JobSkipped:
		return "skipped: " + run.Error
	}
	return fmt.Sprintf("%s after %s: %s", run.Outcome, took, run.Error)
}

func (h *Handler) runJob(ctx context.Context, caller tools.Caller, name string) Reply {
	if !h.approvers.Allowed(caller.UserID) {
		return h.refusal("run jobs")
	}
	if h.jobs == nil {
		return usage(":gear: The scheduler is not running in this process.")
	}
	run, err := h.jobs.RunNow(ctx, name, caller.UserID, time.Now())
	if err != nil {
		return Reply{View: h.problem(ctx, err, "run job", "job", name)}
	}
	return usage(fmt.Sprintf(":gear: *%s*: %s", esc(name), esc(runOutcome(run))))
}
