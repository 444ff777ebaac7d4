package schedule

import (
	"context"
	"log/slog"
)

// cronLogger adapts slog to cron.Logger. robfig logs every wake-up at Info, so its Info goes
// to Debug, except a run skipped because the previous one is still going, which is news.
type cronLogger struct{ log *slog.Logger }

// Info logs robfig's routine messages at Debug and "skip" at Info.
func (l cronLogger) Info(msg string, kv ...any) {
	level := slog.LevelDebug
	if msg == "skip" {
		level, msg = slog.LevelInfo, "run skipped, the previous one is still running"
	}
	l.log.Log(context.Background(), level, "cron: "+msg, kv...)
}

// Error logs robfig's errors (a recovered panic, with its stack) at Error.
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
