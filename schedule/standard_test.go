package schedule

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestJobs checks that every definition becomes a job, on its override when set, with its
// function or the reason it is disabled.
func TestJobs(t *testing.T) {
	run := func(context.Context, time.Time) error { return nil }
	jobs := Jobs(map[string]string{JobConnectivity: "* * * * *"}, map[string]Func{JobConnectivity: run, JobAnalytics: run},
		map[string]string{JobSheetsSync: "GOOGLE_SHEETS_ID is not set"})
	type row struct {
		Spec, Disabled string
		HasRun         bool
	}
	got := map[string]row{}
	for _, j := range jobs {
		got[j.Name] = row{j.Spec, j.Disabled, j.Run != nil}
	}
	if len(got) != len(Names()) {
		t.Fatalf("Jobs returned %d jobs; want %d", len(got), len(Names()))
	}
	want := map[string]row{
		JobConnectivity: {"* * * * *", "", true},
		JobAnalytics:    {"0 6 * * *", "", true},
		JobSheetsSync:   {"*/10 * * * *", "GOOGLE_SHEETS_ID is not set", false},
	}
	for name, w := range want {
		if diff := cmp.Diff(w, got[name]); diff != "" {
			t.Errorf("job %s (-want +got):\n%s", name, diff)
		}
	}
}

// TestStandard checks that Standard gives a function to every job that needs no outside
// service, and none to those that do.
func TestStandard(t *testing.T) {
	fns := Standard(Deps{})
	for _, name := range Names() {
		outside := name == JobSheetsSync || name == JobLoconavPoll || name == JobLoconavRoster
		if got := fns[name] != nil; got == outside {
			t.Errorf("Standard()[%s] set = %v; want %v", name, got, !outside)
		}
	}
}
