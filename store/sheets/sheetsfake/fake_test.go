package sheetsfake_test

import (
	"context"
	"errors"
	"testing"

	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	gsheets "google.golang.org/api/sheets/v4"

	"github.com/watchtower-ops/watchtower/store/sheets/sheetsfake"
)

func newClient(t *testing.T) (*sheetsfake.Server, *gsheets.Service) {
	t.Helper()
	fake := sheetsfake.New(t, "S1")
	fake.AddTab("Trucks", []any{"ID", "Plate", "Phone"}, []any{"1", "T11985LA"})
	svc, err := gsheets.NewService(context.Background(), option.WithEndpoint(fake.URL()), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	return fake, svc
}

func TestInputOptions(t *testing.T) {
	tests := []struct {
		option string
		want   any
	}{
		{"RAW", "08031234567"},
		{"USER_ENTERED", 8031234567.0}, // Sheets parses typed input: the zero is gone
	}
	for _, tt := range tests {
		t.Run(tt.option, func(t *testing.T) {
			fake, svc := newClient(t)
			vr := &gsheets.ValueRange{Values: [][]any{{"08031234567"}}}
			if _, err := svc.Spreadsheets.Values.Update("S1", "Trucks!C2", vr).ValueInputOption(tt.option).Do(); err != nil {
				t.Fatalf("Update: %v", err)
			}
			if got := fake.Cell("Trucks", "C2"); got != tt.want {
				t.Errorf("cell = %#v; want %#v", got, tt.want)
			}
		})
	}
}

func TestReadsAppendsAndErrors(t *testing.T) {
	fake, svc := newClient(t)
	resp, err := svc.Spreadsheets.Values.BatchGet("S1").Ranges("'Trucks'", "Trucks!B:B").ValueRenderOption("UNFORMATTED_VALUE").Do()
	if err != nil || len(resp.ValueRanges) != 2 {
		t.Fatalf("BatchGet = %+v, %v; want two ranges", resp, err)
	}
	if got := resp.ValueRanges[1].Values; len(got) != 2 || got[1][0] != "T11985LA" {
		t.Errorf("column B = %v; want the header and T11985LA", got)
	}
	app := &gsheets.ValueRange{Values: [][]any{{"2", "T28737LA"}}}
	if _, err := svc.Spreadsheets.Values.Append("S1", "'Trucks'!A1", app).ValueInputOption("RAW").InsertDataOption("INSERT_ROWS").Do(); err != nil {
		t.Fatalf("Append: %v", err)
	}
	if got := fake.Cell("Trucks", "B3"); got != "T28737LA" {
		t.Errorf("appended B3 = %#v; want T28737LA after the last row", got)
	}
	fake.FailNext(sheetsfake.MethodBatchGet, 429, 1)
	_, err = svc.Spreadsheets.Values.BatchGet("S1").Ranges("Trucks").Do()
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) || gerr.Code != 429 {
		t.Errorf("BatchGet after FailNext = %v; want a googleapi 429", err)
	}
	_, err = svc.Spreadsheets.Values.BatchGet("S1").Ranges("Nope!A1").Do()
	if !errors.As(err, &gerr) || gerr.Code != 400 {
		t.Errorf("BatchGet of a missing tab = %v; want 400", err)
	}
}
