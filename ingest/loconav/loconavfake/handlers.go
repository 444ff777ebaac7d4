package loconavfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// listVehicles answers GET /vehicles with {vehicles, pagination{perPage, totalCount, currentPage}}.
func (s *Server) listVehicles(w http.ResponseWriter, r *http.Request, _ []byte) {
	page, perPage := pageParams(r.URL.Query())
	s.mu.Lock()
	from, to := window(len(s.vehicles), page, perPage)
	vs := append([]Vehicle(nil), s.vehicles[from:to]...)
	total := len(s.vehicles)
	s.mu.Unlock()
	out := make([]map[string]any, 0, len(vs))
	for _, v := range vs {
		out = append(out, vehicleJSON(v))
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "data": map[string]any{
		"vehicles":   out,
		"pagination": map[string]any{"perPage": perPage, "totalCount": total, "currentPage": page},
	}})
}

func vehicleJSON(v Vehicle) map[string]any {
	display, kind := v.DisplayNumber, v.VehicleType
	if display == "" {
		display = v.Number
	}
	if kind == "" {
		kind = "truck_generic"
	}
	m := map[string]any{"number": v.Number, "displayNumber": display, "vehicleUuid": v.UUID,
		"vehicleType": kind, "subscription": map[string]any{"expiresAt": "2030-02-08T21:38:36.000+01:00"}}
	if v.Make != "" {
		m["make"], m["model"] = v.Make, 2022
	}
	if v.Serial != "" {
		m["currentDevice"] = map[string]any{"serialNumber": v.Serial, "countryCode": "NG",
			"phoneNumber": "08031234567", "deviceType": "Teltonika-FMB920"}
	}
	return m
}

// lastKnown answers POST /vehicles/telematics/last_known for the vehicles asked for, in the
// order asked, with {values, pagination{page, perPage, count, more}}.
func (s *Server) lastKnown(w http.ResponseWriter, r *http.Request, body []byte) {
	var req struct {
		VehicleIDs []string `json:"vehicleIds"`
		Sensors    []string `json:"sensors"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", "invalid JSON body")
		return
	}
	if len(req.Sensors) > 3 {
		writeError(w, http.StatusBadRequest, "bad_request", "Only 3 sensors are allowed at a time")
		return
	}
	page, perPage := pageParams(r.URL.Query())
	s.mu.Lock()
	var values []map[string]any
	for _, id := range req.VehicleIDs {
		if v, ok := s.vehicleByUUID(id); ok {
			values = append(values, lastKnownJSON(v, s.location[id]))
		}
	}
	s.mu.Unlock()
	from, to := window(len(values), page, perPage)
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "data": map[string]any{
		"values":     append([]map[string]any{}, values[from:to]...),
		"pagination": map[string]any{"page": page, "perPage": perPage, "count": to - from, "more": to < len(values)},
		"metadata":   map[string]any{},
	}})
}

func (s *Server) vehicleByUUID(id string) (Vehicle, bool) {
	for _, v := range s.vehicles {
		if v.UUID == id {
			return v, true
		}
	}
	return Vehicle{}, false
}

// lastKnownJSON renders the gps sensor as LocoNav does: display names, the orientation value as
// a string, and the coordinates with their own timestamp.
func lastKnownJSON(v Vehicle, l Location) map[string]any {
	gps := map[string]any{}
	if !l.FixTime.IsZero() {
		st := l.SpeedTime
		if st.IsZero() {
			st = l.FixTime
		}
		ign := "OFF"
		if l.Ignition {
			ign = "ON"
		}
		gps["speed"] = map[string]any{"displayName": "Speed", "description": "Display Vehicle Speed",
			"unit": "km/h", "value": l.SpeedKmh, "timestamp": st.Unix()}
		gps["ignition"] = map[string]any{"displayName": "Ignition", "value": ign}
		gps["orientation"] = map[string]any{"displayName": "Orientation Value",
			"value": strconv.FormatFloat(l.Heading, 'f', -1, 64), "timestamp": st.Unix()}
		gps["currentLocationCoordinates"] = map[string]any{
			"lat":  map[string]any{"displayName": "Current latitude coordinate", "unit": "degrees", "value": l.Lat, "timestamp": l.FixTime.Unix()},
			"long": map[string]any{"displayName": "Current longitude coordinate", "unit": "degrees", "value": l.Lng, "timestamp": l.FixTime.Unix()},
		}
	}
	return map[string]any{"vehicleNumber": v.Number, "vehicleId": v.UUID, "gps": gps}
}

// createTrip answers POST /trips: 201 {id, uniqueId}, 400 for a missing shouldStartAt, source
// or unknown vehicle, 422 for a taken uniqueId.
func (s *Server) createTrip(w http.ResponseWriter, _ *http.Request, body []byte) {
	var req struct {
		Trip json.RawMessage `json:"trip"`
	}
	var t struct {
		Vehicle       struct{ Number string } `json:"vehicle"`
		UniqueID      string                  `json:"uniqueId"`
		ShouldStartAt int64                   `json:"shouldStartAt"`
		Source        *struct {
			GeofenceID           int64
			Coordinates, Address string
			GeofenceName         string
			ETA                  int64 `json:"eta"`
			ETD                  int64 `json:"etd"`
		} `json:"source"`
	}
	if json.Unmarshal(body, &req) != nil || json.Unmarshal(req.Trip, &t) != nil {
		writeError(w, http.StatusBadRequest, "bad_request", "invalid JSON body")
		return
	}
	switch {
	case t.ShouldStartAt == 0:
		writeError(w, http.StatusBadRequest, "bad_request", "shouldStartAt is missing")
		return
	case t.Source == nil || (t.Source.GeofenceID == 0 && t.Source.GeofenceName == "" && (t.Source.Coordinates == "" || t.Source.Address == "")):
		writeError(w, http.StatusBadRequest, "bad_request", "source is missing")
		return
	case t.Source.ETA != 0 && t.Source.ETD != 0 && t.Source.ETD <= t.Source.ETA:
		writeError(w, http.StatusBadRequest, "bad_request", "etd should be greater than eta")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.hasVehicleNumber(t.Vehicle.Number) {
		writeError(w, http.StatusBadRequest, "bad_request", "Vehicle not found")
		return
	}
	if t.UniqueID == "" {
		t.UniqueID = fmt.Sprintf("loco/%d", s.nextID+1)
	}
	for _, old := range s.trips {
		if old.UniqueID == t.UniqueID && !old.Deleted {
			writeError(w, http.StatusUnprocessableEntity, "unprocessable_entity", "unique Id has already been taken")
			return
		}
	}
	s.nextID++
	trip := &Trip{ID: s.nextID, UniqueID: t.UniqueID, VehicleNumber: t.Vehicle.Number, ShouldStartAt: t.ShouldStartAt, Body: req.Trip}
	s.trips = append(s.trips, trip)
	writeJSON(w, http.StatusCreated, map[string]any{"success": true, "data": map[string]any{"id": trip.ID, "uniqueId": trip.UniqueID}})
}

func (s *Server) hasVehicleNumber(n string) bool {
	for _, v := range s.vehicles {
		if v.Number == n {
			return true
		}
	}
	return false
}

// listTrips answers GET /trips, filtered by uniqueId when given, with {values, pagination{page,
// perPage, dataCount}}.
func (s *Server) listTrips(w http.ResponseWriter, r *http.Request, _ []byte) {
	q := r.URL.Query()
	page, perPage := pageParams(q)
	s.mu.Lock()
	var values []map[string]any
	for _, t := range s.trips {
		if t.Deleted || (q.Get("uniqueId") != "" && t.UniqueID != q.Get("uniqueId")) {
			continue
		}
		values = append(values, map[string]any{"id": t.ID, "vehicleNumber": t.VehicleNumber, "uniqueId": t.UniqueID,
			"shouldStartTs": t.ShouldStartAt, "createdAt": time.Now().Unix(), "state": "initialized"})
	}
	s.mu.Unlock()
	from, to := window(len(values), page, perPage)
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "data": map[string]any{
		"values":     append([]map[string]any{}, values[from:to]...),
		"pagination": map[string]any{"page": page, "perPage": perPage, "dataCount": to - from},
		"metadata":   map[string]any{},
	}})
}

// deleteTrip answers DELETE /trips/{id}: {"status": true, "data": {"success": true, …}} or 404.
func (s *Server) deleteTrip(w http.ResponseWriter, r *http.Request, _ []byte) {
	t := s.liveTrip(r.PathValue("id"))
	if t == nil {
		writeError(w, http.StatusNotFound, "not_found", "trip not found")
		return
	}
	s.mu.Lock()
	t.Deleted = true
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"status": true, "data": map[string]any{"success": true, "message": "successful"}})
}

// trackURL answers GET /trips/{id}/track_url with {trip_track_token, url}.
func (s *Server) trackURL(w http.ResponseWriter, r *http.Request, _ []byte) {
	t := s.liveTrip(r.PathValue("id"))
	if t == nil {
		writeError(w, http.StatusNotFound, "not_found", "trip not found")
		return
	}
	tok := TrackToken(t.ID)
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "data": map[string]any{
		"trip_track_token": tok, "url": "https://loconav.com/track-a-trip/" + tok + "?locale=en"}})
}

// TrackToken is the tracking token the fake gives trip id.
func TrackToken(id int64) string { return fmt.Sprintf("fakeTrack%d", id) }

func (s *Server) liveTrip(id string) *Trip {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.trips {
		if t.ID == n && !t.Deleted {
			return t
		}
	}
	return nil
}
