// Package bot is Watch Tower's Slack side: the Socket Mode app (mentions and direct messages
// answered in their thread by tools.Agent, the slash commands of the contract answered by the
// same fleet functions, the /trip form, and the trip approval buttons), the notification
// sender that drains the notify stream into Slack without dropping anything, and the views
// both share: truck cards, fleet status, trip cards, daily summaries, nearby lists, alerts and
// approvals, rendered as Block Kit for Slack and as plain text for the demo's console.
//
// bot imports fleet and tools only (its subpackages api, console and slackfake likewise),
// never store, ingest or schedule; *store.Store and *schedule.Scheduler satisfy its
// interfaces (AlertThreads, TripMessages, Catalog, Jobs) as they are, and main hands them in. Errors shown to users are fleet.ErrorMessage's safe messages; anything
// else becomes a friendly line with a reference ID that also appears in the log.
package bot
