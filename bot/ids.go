package bot

// Action, callback and block IDs of the Slack surface. The two button action IDs are part of
// the contract in DESIGN.md; manifest.yaml and the router must agree with them.
const (
	ActionApprove = "trip_approve" // Approve button on a trip approval message; value = trip ID
	ActionReject  = "trip_reject"  // Reject button on a trip approval message; value = trip ID
	ActionCancel  = "trip_cancel"  // Cancel trip button on trip cards; value = trip ID

	CallbackTripForm = "trip_form" // the /trip modal

	blockDecision = "decision" // the row of approval buttons
	blockTripCard = "trip"     // the row of a trip card's buttons
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

// Scopes lists the bot token scopes the app uses, each with what needs it. manifest.yaml
// requests exactly these.
func Scopes() map[string]string {
	return map[string]string{
		"app_mentions:read": "app_mention events",
		"channels:read":     "conversations.info: checking at start that the bot is in its public channels",
		"groups:read":       "conversations.info for private channels",
		"chat:write":        "chat.postMessage, chat.update and chat.postEphemeral",
		"commands":          "the slash commands",
		"files:write":       "files.getUploadURLExternal and files.completeUploadExternal: the weekly chart",
		"im:history":        "message.im events: direct messages to the bot",
		"users:read":        "users.info: naming requesters and approvers",
		"usergroups:read":   "usergroups.users.list: who is on call when SLACK_ONCALL is a user group",
	}
}
