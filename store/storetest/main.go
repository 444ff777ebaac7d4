package storetest

import (
	"flag"
	"strconv"
	"testing"
)

// Parallel is how many tests Main runs at once when -parallel is not given.
const Parallel = 8

// Main runs m, Parallel tests at a time unless the command line gives -parallel, and returns
// the exit code for os.Exit. Tests that clone a database each (NewDB) wait on Postgres far
// more than they compute, so one test per CPU, go test's default, leaves the CPUs idle.
// Call it from TestMain.
func Main(m *testing.M) int {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		_ = flag.Set("test.parallel", strconv.Itoa(Parallel))
	}
	return m.Run()
}
