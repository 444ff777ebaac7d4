package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"

	"github.com/watchtower-ops/watchtower/bot"
	"github.com/watchtower-ops/watchtower/bot/slackfake"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
	"github.com/watchtower-ops/watchtower/schedule"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/storetest"
)

const (
	sysOpsChannel    = "COPS"
	sysAlertsChannel = "CALERTS"
)

// sysEnv is one Postgres database and Redis prefix shared by two watch replicas, each
// reaching both servers through its own switchable TCP proxies, and a sender posting to the
// Slack fake directly.
type sysEnv struct {
	pool     *pgxpool.Pool
	st       *store.Store
	rdb      *redis.Client
	prefix   string
	fake     *slackfake.Server
	pgProxy  *tcpProxy
	rdProxy  *tcpProxy
	replicas []*schedule.SystemWatch
}

func newSysEnv(t *testing.T) *sysEnv {
	t.Helper()
	pool := storetest.NewDB(t)
	rdb, prefix := storetest.NewRedis(t)
	e := &sysEnv{pool: pool, st: store.New(pool), rdb: rdb, prefix: prefix, fake: slackfake.New()}
	t.Cleanup(e.fake.Close)
	e.pgProxy = newTCPProxy(t, net.JoinHostPort(pool.Config().ConnConfig.Host, strconv.Itoa(int(pool.Config().ConnConfig.Port))))
	e.rdProxy = newTCPProxy(t, rdb.Options().Addr)
	for range 2 {
		e.replicas = append(e.replicas, e.newReplica(t, pool))
	}
	e.runSender(t)
	return e
}

// newReplica returns a watch whose Postgres pool and Redis client go through the proxies.
func (e *sysEnv) newReplica(t *testing.T, direct *pgxpool.Pool) *schedule.SystemWatch {
	t.Helper()
	u, _ := url.Parse(storetest.URL(direct))
	u.Host = e.pgProxy.addr()
	q := u.Query()
	q.Set("connect_timeout", "2")
	u.RawQuery = q.Encode()
	pool, err := pgxpool.New(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	opts := *e.rdb.Options()
	opts.Addr, opts.MaxRetries, opts.DialTimeout = e.rdProxy.addr(), -1, time.Second
	rdb := redis.NewClient(&opts)
	t.Cleanup(func() { rdb.Close() })
	st := store.New(pool)
	return &schedule.SystemWatch{Incidents: st, Jobs: st, Notifier: ingest.NewNotifyStream(rdb, e.prefix),
		Redis: rdb, Prefix: e.prefix, PingPostgres: pool.Ping, Grace: time.Minute, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// runSender delivers the notify stream to the fake until the test ends.
func (e *sysEnv) runSender(t *testing.T) {
	api := slack.New("xoxb-test", slack.OptionAPIURL(e.fake.APIURL()))
	channels := map[fleet.Audience]string{fleet.AudienceAlerts: sysAlertsChannel, fleet.AudienceOps: sysOpsChannel}
	s := bot.NewSender(e.rdb, api, e.st, e.st, bot.NewRenderer(nil),
		bot.SenderConfig{Prefix: e.prefix, Channels: channels, PerSecond: 100, Burst: 10}, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = s.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
}

// checkAll runs one check on every replica as of now.
func (e *sysEnv) checkAll(now time.Time) {
	for _, w := range e.replicas {
		w.Check(context.Background(), now)
	}
}

// waitOps waits until the ops channel has top-level messages and replies, then returns
// them; the notify stream must hold exactly the entries posted.
func (e *sysEnv) waitOps(t *testing.T, top, replies int) []slackfake.Message {
	t.Helper()
	count := func() (int, int) {
		var p, r int
		for _, m := range e.fake.Messages(sysOpsChannel) {
			if m.ThreadTS == "" {
				p++
			} else {
				r++
			}
		}
		return p, r
	}
	_ = e.fake.WaitTimeout(15*time.Second, "ops messages", func() bool { p, r := count(); return p >= top && r >= replies })
	if p, r := count(); p != top || r != replies {
		t.Fatalf("ops channel has %d messages and %d replies; want %d and %d", p, r, top, replies)
	}
	if n := e.rdb.XLen(context.Background(), e.prefix+":notify").Val(); n != int64(top+replies) {
		t.Errorf("notify stream has %d entries; want %d (one per message)", n, top+replies)
	}
	if n := len(e.fake.Messages(sysAlertsChannel)); n != 0 {
		t.Errorf("alerts channel has %d messages; want system incidents in the ops channel only", n)
	}
	return e.fake.Messages(sysOpsChannel)
}

// TestSystemAlertFailedJob: a failed job seen by two replicas posts one critical message, and
// its next successful run one resolution in the thread.
func TestSystemAlertFailedJob(t *testing.T) {
	e := newSysEnv(t)
	ctx := context.Background()
	t0 := time.Now().UTC().Truncate(time.Minute)
	runJob(t, e.st, schedule.JobDailySummary, t0, "failed", "summary query timed out")
	e.checkAll(t0.Add(time.Second))
	e.checkAll(t0.Add(20 * time.Second))
	msgs := e.waitOps(t, 1, 0)
	if !strings.Contains(msgs[0].Text, "daily-summary") || strings.Contains(msgs[0].Text, "timed out") {
		t.Errorf("ops message = %q; want the job named and no internal error text", msgs[0].Text)
	}
	runJob(t, e.st, schedule.JobDailySummary, t0.Add(5*time.Minute), "ok", "")
	e.checkAll(t0.Add(6 * time.Minute))
	e.checkAll(t0.Add(7 * time.Minute))
	e.waitOps(t, 1, 1)
	if _, err := e.st.OpenAlertByKey(ctx, "system:job:"+schedule.JobDailySummary); fleet.ErrorCode(err) != fleet.ENOTFOUND {
		t.Errorf("job incident after a good run: err %v; want it resolved", err)
	}
}

// runJob records a finished run of job in slot.
func runJob(t *testing.T, st *store.Store, job string, slot time.Time, outcome, errText string) {
	t.Helper()
	ctx := context.Background()
	if _, err := st.ClaimJobRun(ctx, job, slot, "test:1"); err != nil {
		t.Fatal(err)
	}
	if err := st.FinishJobRun(ctx, job, slot, outcome, errText, time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestSystemAlertDeadLetters: entries in a dead-letter stream open one incident; emptying the
// stream resolves it.
func TestSystemAlertDeadLetters(t *testing.T) {
	e := newSysEnv(t)
	ctx := context.Background()
	dead := e.prefix + ":notify:dead"
	for range 3 {
		e.rdb.XAdd(ctx, &redis.XAddArgs{Stream: dead, Values: []any{"n", "{}", "error", "channel_not_found"}})
	}
	t0 := time.Now()
	e.checkAll(t0)
	e.rdb.XAdd(ctx, &redis.XAddArgs{Stream: dead, Values: []any{"n", "{}", "error", "channel_not_found"}})
	e.checkAll(t0.Add(10 * time.Second))
	msgs := e.waitOps(t, 1, 0)
	if !strings.Contains(msgs[0].Text, dead) {
		t.Errorf("ops message = %q; want the stream named", msgs[0].Text)
	}
	e.rdb.Del(ctx, dead)
	e.checkAll(t0.Add(20 * time.Second))
	e.waitOps(t, 1, 1)
}

// TestSystemAlertRedisDown: with Redis unreachable from both replicas for over a minute, the
// incident is recorded once in Postgres and its message held in the outbox; once Redis is
// back the opening and the resolution are posted, once each.
func TestSystemAlertRedisDown(t *testing.T) {
	e := newSysEnv(t)
	ctx := context.Background()
	e.rdProxy.setUp(false)
	t0 := time.Now()
	e.checkAll(t0)
	e.checkAll(t0.Add(30 * time.Second))
	if a, err := e.st.OpenAlertByKey(ctx, schedule.RedisIncident); err == nil {
		t.Fatalf("incident %v opened before a minute passed", a)
	}
	e.checkAll(t0.Add(61 * time.Second))
	e.checkAll(t0.Add(90 * time.Second))
	if _, err := e.st.OpenAlertByKey(ctx, schedule.RedisIncident); err != nil {
		t.Fatalf("redis incident after 61 s: %v; want it open", err)
	}
	var parked int
	if err := e.pool.QueryRow(ctx, "SELECT count(*) FROM notify_outbox").Scan(&parked); err != nil {
		t.Fatal(err)
	}
	if parked != 1 {
		t.Errorf("outbox holds %d notifications while Redis is down; want 1", parked)
	}
	e.rdProxy.setUp(true)
	e.checkAll(t0.Add(2 * time.Minute))
	e.checkAll(t0.Add(2*time.Minute + 10*time.Second))
	msgs := e.waitOps(t, 1, 1)
	if !strings.Contains(msgs[0].Text, "Redis") {
		t.Errorf("ops message = %q; want Redis named", msgs[0].Text)
	}
}

// TestSystemAlertPostgresDown: with Postgres unreachable from both replicas for over a
// minute, one message is posted through Redis; one resolution follows when it is back.
func TestSystemAlertPostgresDown(t *testing.T) {
	e := newSysEnv(t)
	e.pgProxy.setUp(false)
	t0 := time.Now()
	e.checkAll(t0)
	e.checkAll(t0.Add(59 * time.Second))
	if n := e.rdb.XLen(context.Background(), e.prefix+":notify").Val(); n != 0 {
		t.Fatalf("notify stream has %d entries before a minute passed; want 0", n)
	}
	e.checkAll(t0.Add(61 * time.Second))
	e.checkAll(t0.Add(75 * time.Second))
	msgs := e.waitOps(t, 1, 0)
	if !strings.Contains(msgs[0].Text, "PostgreSQL") {
		t.Errorf("ops message = %q; want PostgreSQL named", msgs[0].Text)
	}
	e.pgProxy.setUp(true)
	e.checkAll(t0.Add(2 * time.Minute))
	e.checkAll(t0.Add(2*time.Minute + 10*time.Second))
	e.waitOps(t, 1, 1)
}

// tcpProxy forwards connections to target while up; while down it drops every connection and
// refuses new ones, as a server that went away.
type tcpProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]bool
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.setUp(false) })
	return p
}

func (p *tcpProxy) addr() string { return p.ln.Addr().String() }

// setUp brings the proxy up or down; going down closes every open connection.
func (p *tcpProxy) setUp(up bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = !up
	if !up {
		for c := range p.conns {
			c.Close()
		}
		clear(p.conns)
	}
}

// serve accepts until the listener closes.
func (p *tcpProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.forward(c)
	}
}

// forward pipes c to a new connection to the target, both ways.
func (p *tcpProxy) forward(c net.Conn) {
	p.mu.Lock()
	if p.down {
		p.mu.Unlock()
		c.Close()
		return
	}
	p.conns[c] = true
	p.mu.Unlock()
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.down {
		p.mu.Unlock()
		c.Close()
		up.Close()
		return
	}
	p.conns[up] = true
	p.mu.Unlock()
	go func() { _, _ = io.Copy(up, c); up.Close() }()
	_, _ = io.Copy(c, up)
	c.Close()
}
