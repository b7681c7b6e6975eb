// Command opsdesk-embedded-db runs FerretDB, a MongoDB-compatible server, embedded in one small
// process, so that opsdesk's `npm start` and tests need no MongoDB installed.
//
// It listens on 127.0.0.1 only, stores its data in SQLite files under -data (or in PostgreSQL
// with -postgresql), prints one JSON line {"uri": "..."} on stdout once it accepts connections,
// and exits when its standard input closes (so it never outlives the Node process that started
// it) or on SIGTERM/SIGINT.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on (port 0 picks a free one)")
	dataDir := flag.String("data", "", "folder for the SQLite data files")
	postgresURL := flag.String("postgresql", "", "store in PostgreSQL at this URL instead of SQLite")
	logLevel := flag.String("log-level", "error", "debug, info, warn or error")
	flag.Parse()

	if err := run(*listen, *dataDir, *postgresURL, *logLevel); err != nil {
		fmt.Fprintf(os.Stderr, "opsdesk-embedded-db: %s\n", err)
		os.Exit(1)
	}
}

func run(listen, dataDir, postgresURL, logLevel string) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("-log-level: %w", err)
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	config := ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: listen},
		Logger:   logger,
	}
	switch {
	case postgresURL != "":
		config.Handler = "postgresql"
		config.PostgreSQLURL = postgresURL
	case dataDir != "":
		abs, err := filepath.Abs(dataDir)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(abs, 0o700); err != nil {
			return err
		}
		config.Handler = "sqlite"
		// FerretDB wants a file: URI naming a folder, with the trailing slash. It already uses WAL;
		// synchronous=normal is durable across a crash of this process and skips an fsync per commit.
		config.SQLiteURL = "file:" + abs + "/?_pragma=synchronous(normal)"
	default:
		return fmt.Errorf("give -data FOLDER (SQLite) or -postgresql URL")
	}

	f, err := ferretdb.New(&config)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// The parent holds our stdin open; when it goes away (even by SIGKILL), stdin reaches EOF.
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	if config.Handler == "sqlite" {
		go keepIDIndexed(ctx, strings.TrimSuffix(strings.TrimPrefix(strings.SplitN(config.SQLiteURL, "?", 2)[0], "file:"), "/"), logger)
	}

	// MongoDBURI blocks until the listener is bound.
	line, _ := json.Marshal(map[string]string{"uri": f.MongoDBURI()})
	fmt.Println(string(line))

	return <-done
}
