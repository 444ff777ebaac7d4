package ingest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// MaxBody is the largest webhook body accepted (413 above it).
const MaxBody = 1 << 20

// SignatureHeader carries "sha256=<hex HMAC-SHA256(secret, raw body)>".
const SignatureHeader = "X-LocoNav-Signature"

// Enqueuer appends validated events to the ingest stream; *Producer is the real one.
type Enqueuer interface {
	// Enqueue returns how many events were appended and how many were replays. It returns
	// EUNAVAILABLE when the stream cannot be written.
	Enqueue(ctx context.Context, events []Event) (accepted, duplicates int, err error)
}

// ListenerConfig configures the webhook listener. An empty secret list or token disables
// that door: every request to it is answered 401.
type ListenerConfig struct {
	Secrets []string       // HMAC keys; two during a rotation
	Token   string         // the path token of POST /webhooks/loconav/{token}
	Zone    *time.Location // zone of naive LocoNav timestamps
}

// Listener is the LocoNav webhook HTTP handler: it authenticates, reads at most MaxBody,
// validates every event and answers 202 only once all of them are in the ingest stream.
type Listener struct {
	q       Enqueuer
	cfg     ListenerConfig
	dec     Decoder
	metrics *Metrics
	log     *slog.Logger
	bufs    sync.Pool
	macs    []*sync.Pool // per secret, HMACs keyed once and Reset between requests
}

// NewListener returns a Listener enqueueing on q. metrics may be nil.
func NewListener(q Enqueuer, cfg ListenerConfig, metrics *Metrics, log *slog.Logger) *Listener {
	l := &Listener{q: q, cfg: cfg, dec: Decoder{Zone: cfg.Zone}, metrics: metrics, log: log}
	l.bufs.New = func() any { return new(bytes.Buffer) }
	for _, secret := range cfg.Secrets {
		l.macs = append(l.macs, &sync.Pool{New: func() any { return hmac.New(sha256.New, []byte(secret)) }})
	}
	return l
}

// Mount registers POST /webhooks/loconav (signed) and POST /webhooks/loconav/{token}.
func (l *Listener) Mount(mux *http.ServeMux) {
	mux.HandleFunc("POST /webhooks/loconav", l.ServeSigned)
	mux.HandleFunc("POST /webhooks/loconav/{token}", l.ServeToken)
}

// ServeSigned handles a body signed with X-LocoNav-Signature.
func (l *Listener) ServeSigned(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sig, ok := strings.CutPrefix(r.Header.Get(SignatureHeader), "sha256=")
	mac, err := hex.DecodeString(sig)
	if !ok || err != nil || len(mac) != sha256.Size || len(l.cfg.Secrets) == 0 {
		l.reply(r.Context(), w, start, http.StatusUnauthorized, errorBody("missing or malformed "+SignatureHeader), nil)
		return
	}
	l.serve(w, r, start, func(body []byte) bool { return l.signedBy(body, mac) })
}

// ServeToken handles a body authenticated by the path token.
func (l *Listener) ServeToken(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if !l.tokenOK(r.PathValue("token")) {
		l.reply(r.Context(), w, start, http.StatusUnauthorized, errorBody("unknown webhook token"), nil)
		return
	}
	l.serve(w, r, start, func([]byte) bool { return true })
}

// Sign returns the X-LocoNav-Signature value of body under secret: "sha256=<hex HMAC>".
func Sign(secret string, body []byte) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write(body)
	return "sha256=" + hex.EncodeToString(h.Sum(nil))
}

// signedBy compares mac with the body's HMAC under every configured secret in constant time.
func (l *Listener) signedBy(body, mac []byte) bool {
	ok := false
	var sum [sha256.Size]byte
	for _, pool := range l.macs {
		h := pool.Get().(hash.Hash)
		h.Write(body)
		if hmac.Equal(h.Sum(sum[:0]), mac) {
			ok = true
		}
		h.Reset()
		pool.Put(h)
	}
	return ok
}

// tokenOK compares digests, so neither the content nor the length of the token leaks.
func (l *Listener) tokenOK(got string) bool {
	if l.cfg.Token == "" {
		return false
	}
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(l.cfg.Token))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

func (l *Listener) serve(w http.ResponseWriter, r *http.Request, start time.Time, auth func([]byte) bool) {
	ctx := r.Context()
	buf := l.bufs.Get().(*bytes.Buffer)
	defer l.putBuf(buf)
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, MaxBody)); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			l.reply(ctx, w, start, http.StatusRequestEntityTooLarge, errorBody("body is over 1 MiB"), nil)
			return
		}
		l.reply(ctx, w, start, http.StatusBadRequest, errorBody("could not read body"), err)
		return
	}
	body := buf.Bytes()
	if !auth(body) {
		l.reply(ctx, w, start, http.StatusUnauthorized, errorBody("bad signature"), nil)
		return
	}
	events, err := l.dec.Decode(body, start)
	if err != nil {
		var inv *InvalidError
		errors.As(err, &inv)
		l.metrics.eventsSeen("any", "rejected", 1)
		l.reply(ctx, w, start, http.StatusBadRequest, invalidBody(inv), nil)
		return
	}
	accepted, dups, err := l.q.Enqueue(ctx, events)
	if err != nil {
		l.reply(ctx, w, start, http.StatusServiceUnavailable, errorBody(fleet.ErrorMessage(err)), err)
		return
	}
	l.count(events, accepted, dups)
	l.reply(ctx, w, start, http.StatusAccepted, acceptedBody(accepted, dups), nil)
}

func (l *Listener) putBuf(b *bytes.Buffer) {
	if b.Cap() <= 2*MaxBody {
		b.Reset()
		l.bufs.Put(b)
	}
}

func (l *Listener) count(events []Event, accepted, dups int) {
	if l.metrics == nil {
		return
	}
	var pos, alerts int
	for _, e := range events {
		if e.Type == TypePosition {
			pos++
		} else {
			alerts++
		}
	}
	if dups == 0 {
		l.metrics.eventsSeen(TypePosition, "accepted", pos)
		l.metrics.eventsSeen(TypeAlert, "accepted", alerts)
		return
	}
	l.metrics.eventsSeen("any", "accepted", accepted)
	l.metrics.eventsSeen("any", "duplicate", dups)
}

// reply writes the JSON answer, records the metrics and logs failures once. cause is logged
// for 5xx answers; it never holds a secret.
func (l *Listener) reply(ctx context.Context, w http.ResponseWriter, start time.Time, code int, body []byte, cause error) {
	w.Header().Set("Content-Type", "application/json")
	if code == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	w.WriteHeader(code)
	w.Write(body)
	l.metrics.request(code, time.Since(start))
	switch {
	case code >= 500:
		l.log.ErrorContext(ctx, "loconav webhook not enqueued", "err", cause, "stream", "ingest")
	case code == http.StatusUnauthorized:
		l.log.WarnContext(ctx, "loconav webhook refused", "err", strings.TrimSpace(string(body)))
	case code >= 400:
		l.log.InfoContext(ctx, "loconav webhook rejected", "err", strings.TrimSpace(string(body)))
	}
}

func acceptedBody(accepted, dups int) []byte {
	b := make([]byte, 0, 48)
	b = append(b, `{"accepted":`...)
	b = strconv.AppendInt(b, int64(accepted), 10)
	b = append(b, `,"duplicates":`...)
	b = strconv.AppendInt(b, int64(dups), 10)
	return append(b, "}\n"...)
}

func errorBody(msg string) []byte {
	b, _ := json.Marshal(map[string]string{"error": msg})
	return append(b, '\n')
}

func invalidBody(e *InvalidError) []byte {
	if e == nil {
		return errorBody("invalid body")
	}
	b, _ := json.Marshal(struct {
		Error string `json:"error"`
		Index int    `json:"index"`
		Field string `json:"field,omitempty"`
	}{e.Error(), e.Index, e.Field})
	return append(b, '\n')
}
