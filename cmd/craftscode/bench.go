package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

// benchTransitions measures lifecycle transitions over HTTP against
// PostgreSQL, and in the same run a baseline: the same SQL work (the
// version-checked update and the history insert in one transaction) sent
// straight to PostgreSQL with pgx at the same concurrency.
func benchTransitions(ctx context.Context, cfg Config, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench transitions", flag.ContinueOnError)
	workers := fs.Int("workers", 16, "concurrent workers")
	duration := fs.Duration("duration", 5*time.Second, "how long each side runs in each round")
	rounds := fs.Int("rounds", 3, "rounds of baseline then service; the median ratio is reported")
	plans := fs.Int("plans", 4, "action plans per worker")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the service side to this file")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if cfg.DatabaseURL == "" {
		return usageError{"bench transitions needs DATABASE_URL=postgres://… (it measures against PostgreSQL)"}
	}
	cfg.Addr = "127.0.0.1:0"
	quiet := slog.New(slog.DiscardHandler)
	app, err := openApp(ctx, cfg, quiet)
	if err != nil {
		return err
	}
	defer app.Close()
	serveCtx, stopServe := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- app.Serve(serveCtx) }()
	defer func() { stopServe(); <-served }()

	token, svcPlans, basePlans, err := benchSeed(ctx, app.store, *workers**plans)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Fprintf(out, "bench transitions: %d workers, %d plans each, %s per side, PostgreSQL\n", *workers, *plans, *duration)

	pool, err := pgxpool.New(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *workers * 2}}
	url := "http://" + app.Addr() + "/api/v1/action-plans/"
	// Rounds alternate the two sides, so that drift on a shared machine
	// (other load, the table growing) falls on both alike.
	var ratios []float64
	baseVersions, svcVersions := map[string]int{}, map[string]int{}
	for round := 1; round <= *rounds; round++ {
		base := runLoad(ctx, *workers, *duration, basePlans, *plans, baseVersions, func(ctx context.Context, id string, version int, trigger string) error {
			return baselineTransition(ctx, pool, id, version, trigger)
		})
		report(out, fmt.Sprintf("round %d baseline (pgx: update + history insert)", round), base)
		svc := runLoad(ctx, *workers, *duration, svcPlans, *plans, svcVersions, func(ctx context.Context, id string, version int, trigger string) error {
			return httpTransition(ctx, client, url+id+"/transitions", token, version, trigger)
		})
		report(out, fmt.Sprintf("round %d service (HTTP, JSON, auth, machine, SQL)", round), svc)
		if base.rate() > 0 {
			ratios = append(ratios, svc.rate()/base.rate())
		}
	}
	if len(ratios) > 0 {
		slices.Sort(ratios)
		fmt.Fprintf(out, "ratio service/baseline: median %.2f (rounds: %.2f)\n", ratios[len(ratios)/2], ratios)
	}
	return nil
}

// benchSeed makes an admin token, and two sets of complete draft plans: one
// for the service, one for the baseline.
func benchSeed(ctx context.Context, s *sqlstore.Store, n int) (string, []string, []string, error) {
	token, hash := workflow.NewToken()
	// The tail of a UUIDv7 is random; its head is the clock, the same for
	// runs a minute apart.
	if err := s.CreateUser(ctx, &workflow.User{Email: "bench-" + workflow.NewID()[28:] + "@example.org", Name: "Bench", Admin: true}, hash, "bench"); err != nil {
		return "", nil, nil, err
	}
	pr := workflow.Project{Acronym: "BENCH " + workflow.NewID()[28:], Title: "Benchmark"}
	if err := s.CreateProject(ctx, &pr); err != nil {
		return "", nil, nil, err
	}
	pa := workflow.Partner{ProjectID: pr.ID, Name: "Bench partner", Country: "HU", Role: workflow.PartnerPartner}
	if err := s.CreatePartner(ctx, &pa); err != nil {
		return "", nil, nil, err
	}
	start, end := workflow.MustDate("2019-01-01"), workflow.MustDate("2019-12-31")
	mk := func(i int) (string, error) {
		pi := workflow.PolicyInstrument{ProjectID: pr.ID, Name: fmt.Sprintf("Instrument %d", i), Type: workflow.InstrumentOther, PartnerIDs: []string{pa.ID}}
		if err := s.CreatePolicyInstrument(ctx, &pi); err != nil {
			return "", err
		}
		d := workflow.Deliverable{Kind: workflow.KindActionPlan, Plan: &workflow.ActionPlan{ProjectID: pr.ID, PartnerID: pa.ID,
			PolicyInstrumentID: pi.ID, Title: "Plan", Language: "en",
			Actions: []workflow.PlanAction{{Number: 1, Title: "A", Description: "d", Players: "p", TimeframeStart: &start, TimeframeEnd: &end}}}}
		err := s.CreateDeliverable(ctx, &d)
		return d.Head().ID, err
	}
	var svc, base []string
	for i := range 2 * n {
		id, err := mk(i)
		if err != nil {
			return "", nil, nil, err
		}
		if i < n {
			svc = append(svc, id)
		} else {
			base = append(base, id)
		}
	}
	return token, svc, base, nil
}

func httpTransition(ctx context.Context, c *http.Client, url, token string, version int, trigger string) error {
	r, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader([]byte(`{"trigger":"`+trigger+`"}`)))
	if err != nil {
		return err
	}
	r.Header.Set("Authorization", "Bearer "+token)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("If-Match", fmt.Sprintf(`"%d"`, version))
	res, err := c.Do(r)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		return fmt.Errorf("%s: %d %s", trigger, res.StatusCode, body)
	}
	return nil
}

func baselineTransition(ctx context.Context, pool *pgxpool.Pool, id string, version int, trigger string) error {
	to := "stakeholder_review"
	from := "draft"
	if trigger == "request_changes" {
		to, from = "draft", "stakeholder_review"
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	tag, err := tx.Exec(ctx, `UPDATE deliverables SET state = $1, version = version + 1, updated_at = now() WHERE id = $2 AND version = $3`, to, id, version)
	if err != nil {
		return err
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("baseline: version moved")
	}
	if _, err := tx.Exec(ctx, `INSERT INTO transitions (id, deliverable_id, version, from_state, to_state, trigger, actor_id, revision, at)
		VALUES ($1, $2, $3, $4, $5, $6, 'bench', 0, now())`, workflow.NewID(), id, version+1, from, to, trigger); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

type loadResult struct {
	n         int
	errors    int
	firstErr  error
	elapsed   time.Duration
	latencies []time.Duration
}

func (r loadResult) rate() float64 { return float64(r.n) / r.elapsed.Seconds() }

func (r loadResult) percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[int(float64(len(r.latencies)-1)*p)]
}

// runLoad gives each worker its own plans and moves them submit,
// request_changes, submit, … for the duration.
func runLoad(ctx context.Context, workers int, d time.Duration, ids []string, per int, versions map[string]int,
	transition func(ctx context.Context, id string, version int, trigger string) error) loadResult {
	var mu sync.Mutex
	var res loadResult
	versionsOut := versions
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		mine := ids[w*per : (w+1)*per]
		mu.Lock()
		own := make([]int, len(mine))
		for i, id := range mine {
			own[i] = max(versions[id], 1)
		}
		mu.Unlock()
		wg.Go(func() {
			versions := own
			var lat []time.Duration
			n, errs := 0, 0
			var first error
			for i := 0; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
				k := i % len(mine)
				trigger := "submit"
				if versions[k]%2 == 0 {
					trigger = "request_changes"
				}
				t0 := time.Now()
				if err := transition(ctx, mine[k], versions[k], trigger); err != nil {
					errs++
					if first == nil {
						first = err
					}
					continue
				}
				lat = append(lat, time.Since(t0))
				versions[k]++
				n++
			}
			mu.Lock()
			for i, id := range mine {
				versionsOut[id] = versions[i]
			}
			res.n += n
			res.errors += errs
			if res.firstErr == nil {
				res.firstErr = first
			}
			res.latencies = append(res.latencies, lat...)
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	slices.Sort(res.latencies)
	return res
}

func report(out io.Writer, name string, r loadResult) {
	fmt.Fprintf(out, "%-55s %8.0f transitions/s  p50 %6.2f ms  p99 %6.2f ms  (%d done, %d errors)\n",
		name, r.rate(), ms(r.percentile(0.50)), ms(r.percentile(0.99)), r.n, r.errors)
	if r.firstErr != nil {
		fmt.Fprintf(out, "  first error: %v\n", r.firstErr)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
