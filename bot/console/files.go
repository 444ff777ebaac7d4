package console

import (
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
)

// OpenInput returns where console lines come from: the script file, standard input for "-",
// else the terminal (stdin too). The returned func closes a script file.
func OpenInput(script string, stdin io.Reader) (io.Reader, func(), error) {
	if script == "" || script == "-" {
		return stdin, func() {}, nil
	}
	f, err := os.Open(script)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

// OpenLog opens the log file at path for appending, creating its directory, and returns it
// with the name to show. "-" logs to stderr, which closing the returned writer leaves open.
func OpenLog(path string, stderr io.Writer) (io.WriteCloser, string, error) {
	if path == "-" {
		return nopCloser{stderr}, "standard error", nil
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, "", fmt.Errorf("log directory: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, "", fmt.Errorf("log file: %w", err)
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return f, path, nil
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// FileProblem says in words why a file could not be opened.
func FileProblem(err error) string {
	switch {
	case errors.Is(err, iofs.ErrNotExist):
		return "there is no such file"
	case errors.Is(err, iofs.ErrPermission):
		return "permission denied"
	}
	return "the file cannot be read"
}
