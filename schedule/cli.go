package schedule

import (
	"fmt"
	"strings"

	"github.com/watchtower-ops/watchtower/fleet"
)

// RunUsage is the help of `watchtower run-job NAME`, with every job and its default schedule.
func RunUsage() string {
	var b strings.Builder
	b.WriteString(`Runs one scheduled job now, whatever its schedule, and prints how it ended. The run
is recorded in job_runs like a scheduled one (replica "manual:cli"); it never takes a
scheduled slot. A job whose dependency is not configured (no GOOGLE_SHEETS_ID, no
LOCONAV_API_TOKEN) is reported skipped.

Jobs:
`)
	for _, d := range definitions {
		fmt.Fprintf(&b, "  %-15s %-13s %s\n", d.Name, d.Spec, d.Description)
	}
	return b.String()
}

// CheckRunArgs returns the job name args hold, or a sentence listing the known jobs when args
// are not exactly one known name.
func CheckRunArgs(args []string) (string, error) {
	known := strings.Join(Names(), ", ")
	if len(args) != 1 {
		return "", fmt.Errorf("run-job needs one job name; known jobs: %s", known)
	}
	if _, ok := Lookup(args[0]); !ok {
		return "", fmt.Errorf("run-job: unknown job %q; known jobs: %s", args[0], known)
	}
	return args[0], nil
}

// RunLine is one line about a finished run: "analytics: ok in 1.2 s", "loconav-poll: skipped:
// LOCONAV_API_TOKEN is not set".
func RunLine(r fleet.JobRun) string {
	if r.Outcome == fleet.JobSkipped {
		return fmt.Sprintf("%s: skipped: %s", r.Job, r.Error)
	}
	line := fmt.Sprintf("%s: %s in %s", r.Job, r.Outcome, fleet.FormatElapsed(r.Duration))
	if r.Error != "" {
		line += ": " + r.Error
	}
	return line
}
