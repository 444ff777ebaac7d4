package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// maxBody bounds a request body.
const maxBody = 64 << 10

// TripItem is one trip in GET /api/v1/trips.
type TripItem struct {
	TripID         string           `json:"trip_id"`
	Plate          string           `json:"plate"`
	DriverName     string           `json:"driver_name"`
	DriverPhone    string           `json:"driver_phone"`
	Status         fleet.TripStatus `json:"status"`
	Origin         string           `json:"origin"`
	Destination    string           `json:"destination"`
	ContainerNo    string           `json:"container_no"`
	CargoType      string           `json:"cargo_type"`
	Notes          string           `json:"notes"`
	Departure      time.Time        `json:"departure"`
	PlannedArrival *time.Time       `json:"planned_arrival"`
	PlannedBasis   *fleet.ETABasis  `json:"planned_arrival_basis"` // nil when there is no planned arrival
	PlannedTrips   int              `json:"planned_arrival_trips"`
	DepartedAt     *time.Time       `json:"departed_at"`
	ArrivedAt      *time.Time       `json:"arrived_at"`
	CompletedAt    *time.Time       `json:"completed_at"`
	CancelledAt    *time.Time       `json:"cancelled_at"`
	RequestedBy    string           `json:"requested_by"`
	RequestedVia   string           `json:"requested_via"`
	DecidedBy      string           `json:"decided_by"`
	DecidedAt      *time.Time       `json:"decided_at"`
	TrackingURL    string           `json:"tracking_url"`
	CreatedAt      time.Time        `json:"created_at"`
	UpdatedAt      time.Time        `json:"updated_at"`
}

// tripPage is GET /api/v1/trips.
type tripPage struct {
	Data       []TripItem `json:"data"`
	NextCursor *string    `json:"next_cursor"`
}

// tripStatuses are the values of ?status=.
func tripStatuses() []string {
	out := make([]string, len(fleet.TripStatuses))
	for i, st := range fleet.TripStatuses {
		out[i] = string(st)
	}
	return out
}

// listTrips pages through trips by scheduled departure.
func (s *Server) listTrips(_ http.ResponseWriter, r *http.Request, q *query) (int, any, error) {
	tq := fleet.TripPage{Plate: q.str("plate"), Limit: q.intIn("limit", defaultPageSize, 1, maxPageSize),
		From: q.instant("from", s.loc, false), To: q.instant("to", s.loc, true)}
	for _, st := range q.listOf("status", tripStatuses()...) {
		tq.Statuses = append(tq.Statuses, fleet.TripStatus(st))
	}
	if q.err != nil {
		return 0, nil, q.err
	}
	if !tq.From.IsZero() && !tq.To.IsZero() && !tq.From.Before(tq.To) {
		return 0, nil, badParam("to", "to must be after from")
	}
	if tq.Plate != "" && !fleet.ValidPlate(tq.Plate) {
		return 0, nil, badParam("plate", "plate %q is not a valid plate", tq.Plate)
	}
	if pos, err := decodeCursor(q.str("cursor"), cursorTrips); err != nil {
		return 0, nil, err
	} else if pos != "" {
		if tq.AfterDeparture, tq.AfterID, err = parseTripPosition(pos); err != nil {
			return 0, nil, err
		}
	}
	limit := tq.Limit
	tq.Limit++ // one more tells whether there is a next page
	trips, err := s.deps.Catalog.TripsPage(r.Context(), tq)
	if err != nil {
		return 0, nil, err
	}
	out := tripPage{Data: make([]TripItem, 0, min(len(trips), limit))}
	for _, t := range trips[:min(len(trips), limit)] {
		out.Data = append(out.Data, s.tripItem(t))
	}
	if len(trips) > limit {
		last := trips[limit-1]
		out.NextCursor = optional(encodeCursor(cursorTrips, tripPosition(last.ScheduledDeparture, last.ID)))
	}
	return http.StatusOK, out, nil
}

func (s *Server) tripItem(t fleet.Trip) TripItem {
	it := TripItem{TripID: t.Code, Plate: t.Plate, DriverName: t.DriverName, DriverPhone: t.DriverPhone, Status: t.Status, Origin: t.Origin, Destination: t.Destination,
		ContainerNo: t.ContainerNo, CargoType: t.CargoType, Notes: t.Notes, Departure: t.ScheduledDeparture.UTC(),
		DepartedAt: t.DepartedAt, ArrivedAt: t.ArrivedAt, CompletedAt: t.CompletedAt, CancelledAt: t.CancelledAt,
		RequestedBy: t.RequestedBy, RequestedVia: t.RequestedVia, DecidedBy: t.DecidedBy, DecidedAt: t.DecidedAt,
		TrackingURL: s.trackingURL(t), CreatedAt: t.CreatedAt.UTC(), UpdatedAt: t.UpdatedAt.UTC()}
	if !t.PlannedArrival.IsZero() {
		pa, basis := t.PlannedArrival.UTC(), fleet.ETAFromDistance
		if t.PlannedBasis == fleet.ETALearned {
			basis = fleet.ETALearned
		}
		it.PlannedArrival, it.PlannedBasis, it.PlannedTrips = &pa, &basis, t.PlannedTrips
	}
	return it
}

// getTrip answers get_trip_details for the trip code in the path.
func (s *Server) getTrip(_ http.ResponseWriter, r *http.Request, _ *query) (int, any, error) {
	id := r.PathValue("id")
	code, ok := fleet.ParseTripCode(id)
	if !ok {
		return 0, nil, fleet.Errorf(fleet.ENOTFOUND, "trip %s not found", id)
	}
	d, err := s.deps.Trips.TripDetails(r.Context(), code)
	if err != nil {
		return 0, nil, err
	}
	if d.TrackingURL == "" {
		d.TrackingURL = s.trackingURL(d.Trip)
	}
	return http.StatusOK, d, nil
}

// CreateTripRequest is the body of POST /api/v1/trips. DepartureTime is the first release's
// name of Departure, still accepted.
type CreateTripRequest struct {
	Truck         string `json:"truck"`
	Origin        string `json:"origin"`
	Destination   string `json:"destination"`
	Departure     string `json:"departure"`
	DepartureTime string `json:"departure_time"`
	ContainerNo   string `json:"container_no"`
	CargoType     string `json:"cargo_type"`
	Notes         string `json:"notes"`
}

// tripCreated is the answer of POST /api/v1/trips: create_trip's answer and the link to give
// the customer.
type tripCreated struct {
	*tools.TripCreated
	TrackingURL string `json:"tracking_url"`
}

// createTrip answers create_trip for the token: a pending_approval trip, approval message
// queued, audited with the token's name via "api".
func (s *Server) createTrip(w http.ResponseWriter, r *http.Request, _ *query) (int, any, error) {
	var req CreateTripRequest
	if err := decodeBody(w, r, &req); err != nil {
		return 0, nil, err
	}
	args, err := req.args()
	if err != nil {
		return 0, nil, err
	}
	tok := tokenOf(r.Context())
	created, err := s.deps.Trips.CreateTrip(r.Context(), args, tools.Caller{UserID: tok.Name, Name: tok.Name, Via: "api"})
	if err != nil {
		return 0, nil, badValue(err)
	}
	w.Header().Set("Location", "/api/v1/trips/"+created.TripID)
	return http.StatusCreated, tripCreated{TripCreated: created, TrackingURL: s.trackingURL(created.Trip)}, nil
}

// args checks the request and turns it into create_trip's arguments. It returns EINVALID
// naming the field that is missing or malformed.
func (req CreateTripRequest) args() (tools.CreateTripArgs, error) {
	dep, depField := strings.TrimSpace(req.Departure), "departure"
	if old := strings.TrimSpace(req.DepartureTime); old != "" {
		if dep != "" {
			return tools.CreateTripArgs{}, badParam("departure_time", "give departure or departure_time, not both (departure_time is the older name)")
		}
		dep, depField = old, "departure_time"
	}
	for _, f := range []struct{ name, value string }{{"truck", req.Truck}, {"destination", req.Destination}, {depField, dep}} {
		if strings.TrimSpace(f.value) == "" {
			return tools.CreateTripArgs{}, badParam(f.name, "%s is required", f.name)
		}
	}
	if _, err := time.Parse(time.RFC3339, dep); err != nil {
		return tools.CreateTripArgs{}, badParam(depField, "%s must be an RFC 3339 time such as 2025-11-27T08:00:00+01:00, not %q", depField, dep)
	}
	return tools.CreateTripArgs{Truck: req.Truck, Origin: optional(strings.TrimSpace(req.Origin)), Destination: req.Destination,
		DepartureTime: dep, ContainerNo: optional(strings.TrimSpace(req.ContainerNo)),
		CargoType: optional(strings.TrimSpace(req.CargoType)), Notes: optional(strings.TrimSpace(req.Notes))}, nil
}

// badValue turns "not found" about a body field (a truck or site named in the body that does
// not exist) into a 400 naming the field, suggestions kept: the request, not the URL, is wrong.
func badValue(err error) error {
	var fe *fleet.Error
	if !errors.As(err, &fe) || fe.Code != fleet.ENOTFOUND || fe.Field == "" {
		return err
	}
	c := *fe
	c.Code = fleet.EINVALID
	return &c
}

// decodeBody reads one JSON object into v, strictly: a content type other than JSON is a 415,
// a body over maxBody a 413, and unknown fields, wrong types or trailing data a 400 naming the
// field when it can.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return &statusError{status: http.StatusUnsupportedMediaType, err: fleet.Errorf(fleet.EINVALID, "send the body as application/json")}
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return &statusError{status: http.StatusRequestEntityTooLarge, err: fleet.Errorf(fleet.EINVALID, "the body is larger than %d KiB", maxBody>>10)}
	case err != nil:
		return fleet.Errorf(fleet.EINVALID, "the body could not be read")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return bodyError(err)
	}
	if dec.More() {
		return fleet.Errorf(fleet.EINVALID, "the body must hold one JSON object")
	}
	return nil
}

// bodyError describes a JSON decoding failure, naming the field when there is one.
func bodyError(err error) error {
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return badParam(typeErr.Field, "%s must be a JSON %s", typeErr.Field, typeErr.Type.Kind())
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return badParam(field, "unknown field %q", field)
	case errors.Is(err, io.EOF):
		return fleet.Errorf(fleet.EINVALID, "the body is empty; send a JSON object")
	}
	return fleet.Errorf(fleet.EINVALID, "the body is not a valid JSON object")
}
