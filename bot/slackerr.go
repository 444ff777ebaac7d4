package bot

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/slack-go/slack"

	"github.com/watchtower-ops/watchtower/fleet"
)

// errClass says what to do about a failed delivery.
type errClass int

const (
	errUnknown     errClass = iota // retry a few times, then dead-letter
	errRateLimited                 // wait Retry-After, retry
	errTransient                   // back off, retry for as long as it takes
	errPermanent                   // dead-letter now
)

// classified is an error's class and, for rate limits, how long to wait.
type classified struct {
	class      errClass
	retryAfter time.Duration
}

// Slack error codes that no retry can fix for this message or channel.
var permanentCodes = map[string]bool{
	"channel_not_found": true, "not_in_channel": true, "is_archived": true, "channel_is_archived": true,
	"msg_too_long": true, "no_text": true, "invalid_blocks": true, "invalid_blocks_format": true,
	"invalid_attachments": true, "too_many_attachments": true, "restricted_action": true,
	"restricted_action_read_only_channel": true, "restricted_action_thread_only_channel": true,
	"restricted_action_non_threadable_channel": true, "cannot_reply_to_message": true,
	"invalid_arguments": true, "user_not_in_channel": true, "message_limit_exceeded": true,
	"duplicate_channel_not_found": true, "file_not_found": true, "invalid_thread_ts": true,
}

// Slack error codes that clear up on their own (or once an operator fixes the token, after
// which nothing must have been dropped).
var transientCodes = map[string]bool{
	"internal_error": true, "fatal_error": true, "service_unavailable": true, "request_timeout": true,
	"team_added_to_org": true, "invalid_auth": true, "not_authed": true, "token_revoked": true,
	"token_expired": true, "account_inactive": true, "missing_scope": true, "ekm_access_denied": true,
}

// classify sorts a delivery error: Slack's 429 and "ratelimited", 5xx and network failures,
// Slack error codes, and store errors (EUNAVAILABLE is transient, ENOTFOUND and EINVALID
// permanent).
func classify(err error) classified {
	var rl *slack.RateLimitedError
	var sc slack.StatusCodeError
	var se slack.SlackErrorResponse
	var ne net.Error
	switch {
	case errors.As(err, &rl):
		return classified{class: errRateLimited, retryAfter: max(rl.RetryAfter, time.Second)}
	case errors.As(err, &sc):
		if sc.Code == http.StatusTooManyRequests {
			return classified{class: errRateLimited, retryAfter: 5 * time.Second}
		}
		if sc.Code >= 500 || sc.Code == http.StatusRequestTimeout {
			return classified{class: errTransient}
		}
		return classified{class: errPermanent}
	case errors.As(err, &se):
		switch {
		case se.Err == "ratelimited" || se.Err == "rate_limited":
			return classified{class: errRateLimited, retryAfter: time.Second}
		case permanentCodes[se.Err]:
			return classified{class: errPermanent}
		case transientCodes[se.Err]:
			return classified{class: errTransient}
		}
		return classified{class: errUnknown}
	case errors.As(err, &ne), errors.Is(err, context.DeadlineExceeded):
		return classified{class: errTransient}
	}
	switch fleet.ErrorCode(err) {
	case fleet.EUNAVAILABLE:
		return classified{class: errTransient}
	case fleet.ENOTFOUND, fleet.EINVALID:
		return classified{class: errPermanent}
	}
	return classified{class: errUnknown}
}

// slackCode returns the Slack error code in err, or "".
func slackCode(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}

// blocksRejected reports whether Slack refused a message's blocks or length; it sometimes
// does below the documented limits (msg_blocks_too_long), and the text alone then goes.
func blocksRejected(err error) bool {
	switch slackCode(err) {
	case "invalid_blocks", "invalid_blocks_format", "msg_blocks_too_long", "msg_too_long":
		return true
	}
	return false
}

// messageGone reports whether err says the message to update no longer exists or can no
// longer be edited, in which case the update is skipped rather than retried.
func messageGone(err error) bool {
	switch slackCode(err) {
	case "message_not_found", "cant_update_message", "edit_window_closed", "thread_not_found":
		return true
	}
	return false
}
