// Command craftscode runs the craftscode service and its admin commands.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/craftscode/craftscode/workflow"
)

const usage = `craftscode: workflows for Interreg Europe cooperation projects

Usage:
  craftscode [serve]                                  run the service (default)
  craftscode migrate                                  apply database migrations and exit
  craftscode user create --email E --name N [--admin] create a user; prints its token once
  craftscode user deactivate <email|id>               end a user's access: tokens and sessions stop working
  craftscode token revoke <id>                        revoke a token (its id, as listed)
  craftscode demo [--consortium-only]                 load the CRAFTS CODE consortium and its work; prints tokens
  craftscode bench transitions [--workers N]          measure transitions against PostgreSQL (DATABASE_URL)
  craftscode bench documents [--actions 30]           measure document rendering, against pandoc if installed

Configuration comes from the environment; see README.md.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "craftscode:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		app, err := openApp(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer app.Close()
		return app.Serve(ctx)
	case "migrate":
		store, err := openStore(ctx, cfg)
		if err != nil {
			return err
		}
		store.Close()
		log.Info("migrations applied")
		return nil
	case "user":
		if len(args) > 0 && args[0] == "deactivate" {
			return deactivateCommand(ctx, cfg, args[1:], stdout)
		}
		return userCommand(ctx, cfg, args, stdout)
	case "token":
		return tokenCommand(ctx, cfg, args, stdout)
	case "demo":
		store, err := openStore(ctx, cfg)
		if err != nil {
			return err
		}
		defer store.Close()
		if err := readyForDemo(store); err != nil {
			return err
		}
		work := true
		switch {
		case len(args) == 1 && args[0] == "--consortium-only":
			work = false
		case len(args) > 0:
			return fmt.Errorf("demo: unknown arguments %q (only --consortium-only)", args)
		}
		out, err := loadDemo(ctx, store, time.Now(), work)
		if err != nil {
			return err
		}
		return writeJSON(stdout, out)
	case "bench":
		switch {
		case len(args) > 0 && args[0] == "transitions":
			return benchTransitions(ctx, cfg, args[1:], stdout)
		case len(args) > 0 && args[0] == "documents":
			return benchDocuments(ctx, args[1:], stdout)
		}
		return usageError{"usage: craftscode bench transitions [--workers 16] [--duration 10s] [--plans 4]\n       craftscode bench documents [--actions 30] [--runs 50] [--store 1000]"}
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return usageError{fmt.Sprintf("unknown command %q\n\n%s", cmd, usage)}
}

func userCommand(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError{"usage: craftscode user create --email E --name N [--admin]"}
	}
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("email", "", "e-mail address")
	name := fs.String("name", "", "display name")
	admin := fs.Bool("admin", false, "make the user an administrator")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
		return usageError{"usage: craftscode user create --email E --name N [--admin]"}
	}
	u := workflow.User{Email: *email, Name: *name, Admin: *admin}
	u.Normalize()
	if err := u.Validate(); err != nil {
		return describe(err)
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	token, hash := workflow.NewToken()
	if err := store.CreateUser(ctx, &u, hash, "cli"); err != nil {
		return describe(err)
	}
	return writeJSON(stdout, map[string]any{"id": u.ID, "email": u.Email, "name": u.Name, "admin": u.Admin, "token": token})
}

// deactivateCommand deactivates a user named by e-mail or id. Instances
// serving the API stop taking their tokens within their cache time (2
// seconds); page sessions end at once.
func deactivateCommand(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	if len(args) != 1 || strings.TrimSpace(args[0]) == "" {
		return usageError{"usage: craftscode user deactivate <email|id>"}
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	id := strings.TrimSpace(args[0])
	if !workflow.ValidID(id) {
		u, err := store.UserByEmail(ctx, strings.ToLower(id))
		if err != nil {
			return describe(err)
		}
		id = u.ID
	}
	u, err := store.DeactivateUser(ctx, id)
	if err != nil {
		return describe(err)
	}
	return writeJSON(stdout, u)
}

// tokenCommand revokes a token by its id (GET /api/v1/me/tokens or
// /api/v1/users/{id}/tokens list them).
func tokenCommand(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	if len(args) != 2 || args[0] != "revoke" {
		return usageError{"usage: craftscode token revoke <id>"}
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	t, err := store.RevokeToken(ctx, "", strings.TrimSpace(args[1]))
	if err != nil {
		return describe(err)
	}
	return writeJSON(stdout, map[string]any{"revoked": t})
}

// describe spells out a domain error's field problems for the terminal.
func describe(err error) error {
	var we *workflow.Error
	if !errors.As(err, &we) || len(we.Fields) == 0 {
		return err
	}
	msg := we.Message
	for _, f := range we.Fields {
		msg += fmt.Sprintf("; %s %s", f.Field, f.Message)
	}
	return errors.New(msg)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
