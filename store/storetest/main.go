package storetest

import (
	"flag"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// Parallel is how many tests Main runs at once when -parallel is not given.
const Parallel = 8

// drops are the databases NewDB is dropping in the background under Main.
var drops struct {
	sync.WaitGroup
	async  bool
	failed atomic.Bool
}

// Main runs m, Parallel tests at a time unless the command line gives -parallel, and returns
// the exit code for os.Exit. Tests that clone a database each (NewDB) wait on Postgres far
// more than they compute, so one test per CPU, go test's default, leaves the CPUs idle; and
// their databases are dropped in the background once they end, Main waiting for the drops
// (a failed drop fails the run). Call it from TestMain.
func Main(m *testing.M) int {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		_ = flag.Set("test.parallel", strconv.Itoa(Parallel))
	}
	drops.async = true
	code := m.Run()
	drops.Wait()
	if code == 0 && drops.failed.Load() {
		code = 1
	}
	return code
}
