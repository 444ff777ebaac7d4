package intent

import "testing"

// TestHeldOut scores the parser on testdata/heldout.tsv, phrasings written before the parser
// was tuned and never tuned against. It reports the accuracy per function and fails only on
// a silent wrong action: a trip created, cancelled or changed differently from the label
// without a question.
func TestHeldOut(t *testing.T) {
	s := run(loadPhrasings(t, "testdata/heldout.tsv"))
	for _, w := range s.wrong {
		t.Log(w)
	}
	s.report(t)
	for _, w := range s.silent {
		t.Errorf("silent wrong action: %s", w)
	}
}
