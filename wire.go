package main

import "context"

// component is a long-running part of Watch Tower: it runs until ctx is done and returns nil
// then, or returns an error that stops the whole process.
type component func(ctx context.Context) error

// wireFunc builds one feature from the app's dependencies: it mounts its HTTP handlers on a.mux,
// registers its metrics on a.registry and returns the components to run.
type wireFunc func(ctx context.Context, a *app) ([]component, error)

// features lists every feature wired into serve and demo, inputs first. Each lives in its own
// wire_*.go file.
func features() []wireFunc {
	return []wireFunc{wireIngest, wireLoconav, wireSchedule, wireBot, wireAPI, wireSystemAlerts}
}

// buildComponents wires every feature and returns the components to run.
func (a *app) buildComponents(ctx context.Context) ([]component, error) {
	var all []component
	for _, wire := range features() {
		cs, err := wire(ctx, a)
		if err != nil {
			return nil, err
		}
		all = append(all, cs...)
	}
	return all, nil
}
