package intent

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// baseNow is when the labelled phrasings are resolved: Wed 26 Nov 2025 10:00 in Lagos.
var baseNow = time.Date(2025, 11, 26, 10, 0, 0, 0, fleet.Lagos())

// phrasing is one labelled line of a phrasing file.
type phrasing struct {
	where string
	text  string
	tool  string            // "-" when the parser should not understand it
	args  map[string]string // expected arguments and the special keys missing, question, partial, thread
}

// special are the label keys that are not arguments.
var special = map[string]bool{"missing": true, "question": true, "partial": true, "thread": true}

// writes are the functions that change something: proposing one wrongly without a question
// is a silent wrong action.
var writeTools = map[string]bool{CreateTrip: true, CancelTrip: true, UpdateTrip: true}

func loadPhrasings(t *testing.T, path string) []phrasing {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []phrasing
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) < 2 {
			t.Fatalf("%s:%d: want phrasing<TAB>tool<TAB>args", path, n)
		}
		p := phrasing{where: fmt.Sprintf("%s:%d", path, n), text: cols[0], tool: cols[1], args: map[string]string{}}
		if len(cols) > 2 && cols[2] != "" {
			for _, kv := range strings.Split(cols[2], ";") {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					t.Fatalf("%s:%d: bad argument %q", path, n, kv)
				}
				p.args[k] = v
			}
		}
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// score is how the parser did on a set of phrasings.
type score struct {
	total, right map[string]int
	silent       []string // silent wrong actions
	wrong        []string
}

// run parses every phrasing and judges it.
func run(ps []phrasing) score {
	s := score{total: map[string]int{}, right: map[string]int{}}
	for _, p := range ps {
		in := Parse(p.text)
		s.total[p.tool]++
		why := judge(p, in)
		if why == "" {
			s.right[p.tool]++
			continue
		}
		msg := fmt.Sprintf("%s %q → %s %s missing=%q question=%q thread=%v partial=%v: %s", p.where, p.text, in.Tool, in.Args, in.Missing, in.Question, in.ThreadTrip, in.PartialPlate, why)
		s.wrong = append(s.wrong, msg)
		if writeTools[in.Tool] && in.Missing == "" {
			s.silent = append(s.silent, msg)
		}
	}
	return s
}

// report logs the accuracy per function and overall, and returns the lowest per-function
// accuracy and the overall one.
func (s score) report(t *testing.T) (lowest, overall float64) {
	t.Helper()
	var tools []string
	all, allRight := 0, 0
	for tool := range s.total {
		tools = append(tools, tool)
		all += s.total[tool]
		allRight += s.right[tool]
	}
	sort.Strings(tools)
	lowest = 100
	for _, tool := range tools {
		acc := pct(s.right[tool], s.total[tool])
		lowest = min(lowest, acc)
		t.Logf("accuracy %-20s %3d/%3d = %5.1f%%", tool, s.right[tool], s.total[tool], acc)
	}
	overall = pct(allRight, all)
	t.Logf("accuracy %-20s %3d/%3d = %5.1f%%; silent wrong actions: %d", "all", allRight, all, overall, len(s.silent))
	return lowest, overall
}

func pct(a, b int) float64 {
	if b == 0 {
		return 100
	}
	return 100 * float64(a) / float64(b)
}

// judge returns why in does not match p, or "".
func judge(p phrasing, in Intent) string {
	if p.tool == "-" {
		if in.Tool != "" {
			return "want not understood"
		}
		return ""
	}
	switch {
	case in.Tool != p.tool:
		return "want " + p.tool
	case in.Missing != p.args["missing"]:
		return fmt.Sprintf("missing = %q; want %q", in.Missing, p.args["missing"])
	case !strings.Contains(strings.ToLower(in.Question), strings.ToLower(p.args["question"])):
		return fmt.Sprintf("question = %q; want it to hold %q", in.Question, p.args["question"])
	case in.PartialPlate != (p.args["partial"] == "1"):
		return fmt.Sprintf("partial plate = %v; want %v", in.PartialPlate, p.args["partial"] == "1")
	case in.ThreadTrip != (p.args["thread"] == "1"):
		return fmt.Sprintf("thread trip = %v; want %v", in.ThreadTrip, p.args["thread"] == "1")
	}
	var got map[string]any
	if err := json.Unmarshal(in.Args, &got); err != nil {
		return err.Error()
	}
	for k, v := range got {
		want, listed := p.args[k]
		if !listed {
			if v != nil && v != "" && !(k == "departure_time" || k == "departure") || p.args["missing"] == "" && v != nil && v != "" {
				return fmt.Sprintf("%s = %v; want null", k, v)
			}
			continue
		}
		if !sameArg(k, v, want) {
			return fmt.Sprintf("%s = %v; want %s", k, v, want)
		}
	}
	for k := range p.args {
		if _, ok := got[k]; !ok && !special[k] {
			return "no argument " + k
		}
	}
	return ""
}

// sameArg compares one argument with its label.
func sameArg(key string, got any, want string) bool {
	s := fmt.Sprint(got)
	switch key {
	case "truck":
		return fleet.NormalizePlate(s) == fleet.NormalizePlate(want)
	case "departure_time", "departure":
		g, err1 := ParseTime(s, baseNow, fleet.Lagos())
		w, err2 := ParseTime(want, baseNow, fleet.Lagos())
		return err1 == nil && err2 == nil && g.Equal(w)
	case "date", "since":
		g, err1 := ParseDate(s, baseNow, fleet.Lagos())
		w, err2 := ParseDate(want, baseNow, fleet.Lagos())
		return err1 == nil && err2 == nil && g.Equal(w)
	case "radius_km":
		w, err := strconv.ParseFloat(want, 64)
		f, ok := got.(float64)
		return err == nil && ok && f == w
	}
	return strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(want))
}
