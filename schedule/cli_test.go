package schedule_test

import (
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/schedule"
)

func TestCheckRunArgs(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		want    string
		wantErr string
	}{
		{"one known job", []string{"cleanup"}, "cleanup", ""},
		{"no name", nil, "", "needs one job name; known jobs: "},
		{"two names", []string{"cleanup", "analytics"}, "", "needs one job name"},
		{"unknown", []string{"nope"}, "", `unknown job "nope"; known jobs: `},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := schedule.CheckRunArgs(tc.args)
			if tc.wantErr == "" {
				if got != tc.want || err != nil {
					t.Errorf("CheckRunArgs(%q) = %q, %v; want %q, nil", tc.args, got, err, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "daily-summary") {
				t.Errorf("CheckRunArgs(%q) error = %v; want %q listing the jobs", tc.args, err, tc.wantErr)
			}
		})
	}
}

func TestRunLineAndUsage(t *testing.T) {
	r := fleet.JobRun{Job: "analytics", Outcome: fleet.JobFailed, Duration: 1234567 * time.Microsecond, Error: "the store is down"}
	if got, want := schedule.RunLine(r), "analytics: failed in "+fleet.FormatElapsed(r.Duration)+": the store is down"; got != want {
		t.Errorf("RunLine = %q; want %q", got, want)
	}
	skipped := fleet.JobRun{Job: "loconav-poll", Outcome: fleet.JobSkipped, Error: "LOCONAV_API_TOKEN is not set"}
	if got, want := schedule.RunLine(skipped), "loconav-poll: skipped: LOCONAV_API_TOKEN is not set"; got != want {
		t.Errorf("RunLine = %q; want %q", got, want)
	}
	for _, d := range schedule.Definitions() {
		if !strings.Contains(schedule.RunUsage(), "  "+d.Name+" ") {
			t.Errorf("RunUsage lacks job %s", d.Name)
		}
	}
}
