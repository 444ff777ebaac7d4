package bot

// Action, callback and block IDs of the Slack surface. The two button action IDs are part of
// the contract in DESIGN.md; manifest.yaml and the router must agree with them.
const (
	ActionApprove = "trip_approve" // Approve button on a trip approval message; value = trip ID
	ActionReject  = "trip_reject"  // Reject button on a trip approval message; value = trip ID

	CallbackTripForm = "trip_form" // the /trip modal

	blockDecision = "decision" // the row of approval buttons
)

// Block and action IDs of the trip form's inputs.
const (
	formTruck       = "truck"
	formOrigin      = "origin"
	formDestination = "destination"
	formDate        = "date"
	formTime        = "time"
	formContainer   = "container"
	formCargo       = "cargo"
	formNotes       = "notes"
)
