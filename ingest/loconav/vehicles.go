package loconav

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
)

// DefaultPerPage is the page size of list calls when the caller does not choose one. LocoNav's
// own default is 10; it is always sent explicitly.
const DefaultPerPage = 50

// maxPages bounds a walk over a paginated list, in case LocoNav keeps saying there is more.
const maxPages = 10_000

// Vehicle is one entry of GET /vehicles, in LocoNav's field names.
type Vehicle struct {
	Number        string     `json:"number"`        // LocoNav's vehicle number, as registered there
	DisplayNumber string     `json:"displayNumber"` // the number as shown in LocoNav's apps
	VehicleUUID   string     `json:"vehicleUuid"`
	Make          string     `json:"make"`
	Model         FlexString `json:"model"` // a year (2022) or a name
	ChassisNumber string     `json:"chassisNumber"`
	VehicleType   string     `json:"vehicleType"` // "truck_generic", "truck_3_axle", …
	Subscription  *struct {
		ExpiresAt string `json:"expiresAt"`
	} `json:"subscription"`
	CurrentDevice *Device `json:"currentDevice"` // nil when no device is installed
}

// Device is the telematics device installed in a vehicle.
type Device struct {
	SerialNumber string `json:"serialNumber"` // the IMEI the webhooks carry
	DeviceType   string `json:"deviceType"`
	PhoneNumber  string `json:"phoneNumber"`
	CountryCode  string `json:"countryCode"`
}

// Serial returns the vehicle's device serial (IMEI), or "" when it has no device.
func (v Vehicle) Serial() string {
	if v.CurrentDevice == nil {
		return ""
	}
	return v.CurrentDevice.SerialNumber
}

// Pagination is LocoNav's page description. Its members differ by endpoint: /vehicles answers
// {perPage, totalCount, currentPage}, last_known {page, perPage, count, more}, /trips {page,
// perPage, dataCount}; absent members are zero (More nil).
type Pagination struct {
	Page        int   `json:"page"`
	CurrentPage int   `json:"currentPage"`
	PerPage     int   `json:"perPage"`
	TotalCount  int   `json:"totalCount"`
	Total       int   `json:"total"`
	Count       int   `json:"count"`
	DataCount   int   `json:"dataCount"`
	More        *bool `json:"more"`
}

// HasMore reports whether a page after page (1-based) exists, given that got items came back
// for a request of perPage: LocoNav's "more" when it sends one, else its total, else whether
// the page was full.
func (p Pagination) HasMore(page, perPage, got int) bool {
	switch {
	case got == 0:
		return false
	case p.More != nil:
		return *p.More
	case p.TotalCount > 0:
		return page*perPage < p.TotalCount
	case p.Total > 0:
		return page*perPage < p.Total
	default:
		return got >= perPage
	}
}

// VehiclePage is one page of GET /vehicles.
type VehiclePage struct {
	Vehicles   []Vehicle  `json:"vehicles"`
	Pagination Pagination `json:"pagination"`
}

// ListVehicles returns page (from 1) of LocoNav's vehicles, perPage at a time (DefaultPerPage
// when perPage ≤ 0). Errors are classified as in the package comment.
func (c *Client) ListVehicles(ctx context.Context, page, perPage int) (VehiclePage, error) {
	page, perPage = max(page, 1), perPageOr(perPage)
	q := url.Values{"page": {strconv.Itoa(page)}, "perPage": {strconv.Itoa(perPage)}}
	var out VehiclePage
	err := c.do(ctx, request{call: fmt.Sprintf("ListVehicles(page=%d)", page), method: "GET",
		path: "/vehicles", query: q, idempotent: true}, &out)
	return out, err
}

// AllVehicles walks every page of GET /vehicles, perPage at a time, and returns all vehicles.
// It fails with the first page that fails.
func (c *Client) AllVehicles(ctx context.Context, perPage int) ([]Vehicle, error) {
	perPage = perPageOr(perPage)
	var all []Vehicle
	for page := 1; page <= maxPages; page++ {
		p, err := c.ListVehicles(ctx, page, perPage)
		if err != nil {
			return nil, err
		}
		all = append(all, p.Vehicles...)
		if !p.Pagination.HasMore(page, perPage, len(p.Vehicles)) {
			break
		}
	}
	return all, nil
}

func perPageOr(n int) int {
	if n <= 0 {
		return DefaultPerPage
	}
	return n
}

// FlexString is a JSON value LocoNav sends sometimes as a string and sometimes as a number
// ("34" or 34, "2022" or 2022); null is "".
type FlexString string

// UnmarshalJSON accepts a string, a number, a boolean or null.
func (f *FlexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*f = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = FlexString(s)
	default:
		*f = FlexString(b)
	}
	return nil
}

// Float returns f as a number; ok is false when it is empty or not numeric.
func (f FlexString) Float() (v float64, ok bool) {
	v, err := strconv.ParseFloat(string(f), 64)
	return v, err == nil
}
