// Package bot is Watch Tower's Slack side: the Socket Mode app (mentions and direct messages
// answered in their thread by tools.Agent, the slash commands of the contract answered by the
// same fleet functions, the /trip form, and the trip approval buttons), the notification
// sender that drains the notify stream into Slack without dropping anything, and the views
// both share: truck cards, fleet status, trip cards, daily summaries, nearby lists, alerts and
// approvals, rendered as Block Kit for Slack and as plain text for the demo's console.
//
// bot imports fleet and tools only; main wires it to the store (AlertThreads, TripMessages,
// Catalog) and to Redis. Errors shown to users are fleet.ErrorMessage's safe messages; anything
// else becomes a friendly line with a reference ID that also appears in the log.
package bot
