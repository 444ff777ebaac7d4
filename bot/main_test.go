package bot_test

import (
	"os"
	"testing"

	"github.com/watchtower-ops/watchtower/store/storetest"
)

// TestMain runs the tests several at a time (storetest.Main): each waits on its own database,
// Redis prefix and fake Slack far more than it computes.
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }
