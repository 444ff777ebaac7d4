package intent

import "testing"

// TestPhrasings runs the parser over testdata/tuned.tsv, phrasings the way Lagos dispatchers
// write them (English, Nigerian English, pidgin, typos, mangled plates), and wants at least
// 95% right in every function and no silent wrong action.
func TestPhrasings(t *testing.T) {
	ps := loadPhrasings(t, "testdata/tuned.tsv")
	if len(ps) < 300 {
		t.Errorf("%d labelled phrasings; the set must keep at least 300", len(ps))
	}
	s := run(ps)
	for _, w := range s.wrong {
		t.Log(w)
	}
	lowest, _ := s.report(t)
	if lowest < 95 {
		t.Errorf("lowest accuracy of a function %.1f%%; want at least 95%%", lowest)
	}
	for _, w := range s.silent {
		t.Errorf("silent wrong action: %s", w)
	}
}
