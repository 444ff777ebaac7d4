package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools/intent"
)

// MaxRememberedTurns is how many questions of a thread a stateless conversation resends.
const MaxRememberedTurns = 6

// Conversation is what is remembered of a thread between questions: the last response ID
// when the model keeps state, or the recent turns' input items when it does not.
type Conversation struct {
	PreviousResponseID string              `json:"previous_response_id,omitempty"`
	Turns              [][]json.RawMessage `json:"turns,omitempty"` // stateless: one list of items per question
	// Pending is the offline parser's request that waits for the answer to its question.
	Pending *intent.Intent `json:"pending,omitempty"`
}

// Memory stores conversations by thread key.
type Memory interface {
	// Load returns the conversation of key; ok is false when there is none (or it expired).
	Load(ctx context.Context, key string) (c Conversation, ok bool, err error)
	// Save stores c under key, replacing what was there.
	Save(ctx context.Context, key string, c Conversation) error
}

// RedisMemory keeps conversations in Redis (fleet.Keys.Conversation), each expiring ttl after
// its last question.
type RedisMemory struct {
	rdb  *redis.Client
	keys fleet.Keys
	ttl  time.Duration
}

// NewRedisMemory returns a memory on rdb under prefix (REDIS_PREFIX); ttl ≤ 0 means
// DefaultMemoryTTL.
func NewRedisMemory(rdb *redis.Client, prefix string, ttl time.Duration) *RedisMemory {
	if ttl <= 0 {
		ttl = DefaultMemoryTTL
	}
	return &RedisMemory{rdb: rdb, keys: fleet.Keys{Prefix: prefix}, ttl: ttl}
}

// Key returns the Redis key of a conversation.
func (m *RedisMemory) Key(key string) string { return m.keys.Conversation(key) }

// Load reads the conversation of key. It returns EUNAVAILABLE when Redis cannot be reached; an
// unreadable value counts as none.
func (m *RedisMemory) Load(ctx context.Context, key string) (Conversation, bool, error) {
	b, err := m.rdb.Get(ctx, m.Key(key)).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return Conversation{}, false, nil
	case err != nil:
		return Conversation{}, false, fmt.Errorf("%w: %w", fleet.Errorf(fleet.EUNAVAILABLE, "conversation memory is unavailable; try again in a minute"), err)
	}
	var c Conversation
	if json.Unmarshal(b, &c) != nil {
		return Conversation{}, false, nil
	}
	return c, true, nil
}

// Save writes c under key with the TTL. It returns EUNAVAILABLE when Redis cannot be reached.
func (m *RedisMemory) Save(ctx context.Context, key string, c Conversation) error {
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode conversation: %w", err)
	}
	if err := m.rdb.Set(ctx, m.Key(key), b, m.ttl).Err(); err != nil {
		return fmt.Errorf("%w: %w", fleet.Errorf(fleet.EUNAVAILABLE, "conversation memory is unavailable; try again in a minute"), err)
	}
	return nil
}

// load returns the remembered conversation of key; without memory, a key, or on a failure
// (logged: the question is still answered, without context) it is empty.
func (a *Agent) load(ctx context.Context, key string) Conversation {
	if a.mem == nil || key == "" {
		return Conversation{}
	}
	c, _, err := a.mem.Load(ctx, key)
	if err != nil {
		a.log.WarnContext(ctx, "load conversation", "err", err, "conversation", key)
	}
	return c
}

// save remembers the thread after an answered question: the response ID, or the transcript
// with this question's items appended and the oldest questions dropped.
func (a *Agent) save(ctx context.Context, key string, prev Conversation, r *run, responseID string) {
	if a.mem == nil || key == "" {
		return
	}
	next := Conversation{PreviousResponseID: responseID}
	if a.stateless {
		turns := append(prev.Turns, r.turn)
		next = Conversation{Turns: turns[max(0, len(turns)-MaxRememberedTurns):]}
	}
	if err := a.mem.Save(ctx, key, next); err != nil {
		a.log.WarnContext(ctx, "save conversation", "err", err, "conversation", key)
	}
}
