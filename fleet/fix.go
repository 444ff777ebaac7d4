package fleet

// Fix is one applied position as the positions stream carries it: the stream entry ID
// (ordered) and the position. Ingest appends fixes; the live map reads them.
type Fix struct {
	ID       string
	Position Position
}
