// Package console is the demo's chat at a terminal (`watchtower demo`): it owns the screen
// (prompt, answers, and alert and trip event lines that never land inside an answer), the
// chat loop that answers each typed or scripted line with the bot's handler exactly as Slack
// would, the wait for the simulated fleet to report in, and the demo's script and log files.
//
// It belongs to bot's row of the import rules: it imports fleet, tools and bot, never store,
// ingest or schedule; main hands it the handler, the fleet index and the notification printer.
package console
