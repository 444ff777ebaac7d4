package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/tools"
)

// Jobs lists and runs the scheduled jobs for /watchtower jobs and /watchtower run. main
// adapts the scheduler to it.
type Jobs interface {
	// JobStatuses returns every job with its schedule, next run and last outcome.
	JobStatuses(ctx context.Context) ([]JobStatus, error)
	// RunJob runs the job called name now on behalf of by (a Slack user ID) and returns a
	// one-line outcome. It returns ENOTFOUND for an unknown job, with a message naming the
	// known ones, and ECONFLICT when the job is running.
	RunJob(ctx context.Context, name, by string) (string, error)
}

// JobStatus is one scheduled job as /watchtower jobs shows it.
type JobStatus struct {
	Name        string
	Schedule    string    // "07:00 daily", "every 5 min"
	Next        time.Time // zero when not scheduled
	LastStart   time.Time // zero when it never ran
	LastOutcome string    // "ok", "failed", "skipped"
	LastError   string
	LastTook    time.Duration
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
	list, err := h.jobs.JobStatuses(ctx)
	if err != nil {
		return Reply{View: h.problem(ctx, err, "list jobs")}
	}
	lines := make([]string, 0, len(list))
	for _, j := range list {
		line := fmt.Sprintf("*%s* · %s", esc(j.Name), esc(orDash(j.Schedule)))
		if !j.Next.IsZero() {
			line += " · next " + clock(j.Next, h.r.Zone)
		}
		if j.LastStart.IsZero() {
			line += " · never ran"
		} else {
			line += fmt.Sprintf(" · last %s %s (%s)", jobEmoji(j.LastOutcome), ago(h.r.now(), j.LastStart), duration(j.LastTook))
			if j.LastError != "" {
				line += " — " + esc(truncate(j.LastError, 200))
			}
		}
		lines = append(lines, line)
	}
	v := View{Text: fmt.Sprintf("%d scheduled jobs", len(list))}.add(&Header{Text: ":gear: Scheduled jobs"},
		&Section{Text: orDash(strings.Join(lines, "\n"))}, &Context{Items: []string{"times in " + h.r.Zone.String()}})
	return Reply{View: v}
}

func jobEmoji(outcome string) string {
	switch outcome {
	case "ok", "succeeded", "success":
		return ":white_check_mark:"
	case "skipped":
		return ":fast_forward:"
	case "running":
		return ":hourglass_flowing_sand:"
	}
	return ":x:"
}

func (h *Handler) runJob(ctx context.Context, caller tools.Caller, name string) Reply {
	if !h.approvers.Allowed(caller.UserID) {
		return h.refusal("run jobs")
	}
	if h.jobs == nil {
		return usage(":gear: The scheduler is not running in this process.")
	}
	out, err := h.jobs.RunJob(ctx, name, caller.UserID)
	if err != nil {
		return Reply{View: h.problem(ctx, err, "run job", "job", name)}
	}
	return usage(fmt.Sprintf(":gear: *%s*: %s", esc(name), esc(out)))
}
