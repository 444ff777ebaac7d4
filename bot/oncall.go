package bot

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// groupMembers reads a Slack user group's members; *slack.Client has it.
type groupMembers interface {
	GetUserGroupMembersContext(ctx context.Context, userGroup string, options ...slack.GetUserGroupMembersOption) ([]string, error)
}

// onCallTTL is how long a user group's member list is trusted before it is read again.
const onCallTTL = time.Minute

// OnCall says who is on call (SLACK_ONCALL): one user (U…, W…), or the members of a user
// group (S…), read from Slack's usergroups.users.list and kept for a minute.
type OnCall struct {
	id     string
	groups groupMembers

	mu      sync.Mutex
	members []string
	read    time.Time
}

// NewOnCall returns who is on call for id (SLACK_ONCALL; "" nobody). groups reads a user
// group's members; nil when id is a user.
func NewOnCall(id string, groups groupMembers) *OnCall {
	return &OnCall{id: strings.TrimSpace(id), groups: groups}
}

// Includes reports whether userID is on call. When a user group's members cannot be read
// and none were read before, it returns false and the error.
func (o *OnCall) Includes(ctx context.Context, userID string) (bool, error) {
	if o == nil || o.id == "" || userID == "" {
		return false, nil
	}
	if !strings.HasPrefix(o.id, "S") {
		return o.id == userID, nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.groups != nil && time.Since(o.read) >= onCallTTL {
		members, err := o.groups.GetUserGroupMembersContext(ctx, o.id)
		if err != nil {
			return slices.Contains(o.members, userID), err // the last list read, if any, still counts
		}
		o.members, o.read = members, time.Now()
	}
	return slices.Contains(o.members, userID), nil
}
