package bot

import (
	"context"
	"sync"
	"time"
)

// pool runs jobs on a fixed number of workers from a bounded queue, so a burst of Slack
// traffic is queued up to a limit and refused beyond it instead of exhausting memory.
type pool struct {
	jobs   chan func(context.Context)
	wg     sync.WaitGroup
	ctx    context.Context // jobs' context: survives the app's shutdown signal until stop's grace ends
	cancel context.CancelFunc
}

// newPool starts workers; each exits when stop closes the queue and the queue is drained.
func newPool(ctx context.Context, workers, size int) *pool {
	jctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	p := &pool{jobs: make(chan func(context.Context), size), ctx: jctx, cancel: cancel}
	for range workers {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for job := range p.jobs {
				job(p.ctx)
			}
		}()
	}
	return p
}

// try queues job and reports whether there was room. It must not be called after stop.
func (p *pool) try(job func(context.Context)) bool {
	select {
	case p.jobs <- job:
		return true
	default:
		return false
	}
}

// stop lets the workers finish the queued jobs for up to grace, then cancels the rest and
// waits for the workers to return.
func (p *pool) stop(grace time.Duration) {
	close(p.jobs)
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		p.cancel()
		<-done
	}
	p.cancel()
}
