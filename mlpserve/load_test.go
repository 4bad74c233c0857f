package mlpserve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// request is one request of a load test: its body and the answer expected.
type request struct {
	body, want []byte
	rows       int
}

// makeRequests returns n requests of 1 to maxRows rows drawn from pool by
// src, with the answers a Handler gives when p predicts them alone, one
// request at a time.
func makeRequests(t testing.TB, h *Handler, pool []map[string]any, n, maxRows int, src *rand.Rand) []request {
	t.Helper()
	reqs := make([]request, n)
	for i := range reqs {
		rows := make([]map[string]any, 1+src.IntN(maxRows))
		for k := range rows {
			rows[k] = pool[src.IntN(len(pool))]
		}
		body, err := json.Marshal(map[string]any{"rows": rows})
		if err != nil {
			t.Fatal(err)
		}
		sv := h.models.Load().list[0]
		pred, err := sv.m.PredictMaps(rows)
		if err != nil {
			t.Fatal(err)
		}
		want, err := sv.appendPrediction(nil, pred, len(rows))
		if err != nil {
			t.Fatal(err)
		}
		reqs[i] = request{body: body, want: want, rows: len(rows)}
	}
	return reqs
}

// loadStats are the figures of a load test.
type loadStats struct {
	requests, rows int
	errors         int
	wall           time.Duration
	p50, p99       time.Duration
}

func (s loadStats) String() string {
	return fmt.Sprintf("%d requests (%d rows) in %v: %.0f requests/s, %.0f rows/s, latency p50 %v p99 %v, %d errors",
		s.requests, s.rows, s.wall.Round(time.Millisecond), float64(s.requests)/s.wall.Seconds(),
		float64(s.rows)/s.wall.Seconds(), s.p50, s.p99, s.errors)
}

// serveLoopback serves h with Serve on an ephemeral loopback port until
// cancel is called; served then receives what Serve returned.
func serveLoopback(t testing.TB, h http.Handler, s *ServerSettings) (l net.Listener, cancel func(), served <-chan error) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, l, h, s) }()
	return l, cancel, done
}

// runLoad serves h on an ephemeral loopback port and sends it each client's
// requests from its own goroutine, all clients at once, each request after
// the answer to the previous one. It reports every error and wrong answer
// through t and returns the figures.
func runLoad(t testing.TB, h *Handler, clients [][]request) loadStats {
	t.Helper()
	l, cancel, served := serveLoopback(t, h, nil)
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	url := "http://" + l.Addr().String() + "/predict"
	tr := &http.Transport{MaxIdleConnsPerHost: len(clients), DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: time.Minute}

	var (
		mu        sync.Mutex
		latencies []time.Duration
		stats     loadStats
		wg        sync.WaitGroup
	)
	start := time.Now()
	for c, reqs := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, len(reqs))
			errs, rows := 0, 0
			for i, r := range reqs {
				t0 := time.Now()
				resp, err := client.Post(url, "application/json", bytes.NewReader(r.body))
				var got []byte
				if err == nil {
					got, err = io.ReadAll(resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != 200 {
						err = fmt.Errorf("status %d: %s", resp.StatusCode, got)
					}
				}
				lat = append(lat, time.Since(t0))
				rows += r.rows
				if err == nil && !bytes.Equal(got, r.want) {
					err = fmt.Errorf("wrong answer:\n got %s\nwant %s", got, r.want)
				}
				if err != nil {
					errs++
					if errs <= 3 {
						t.Errorf("client %d, request %d: %v", c, i, err)
					}
				}
			}
			mu.Lock()
			latencies = append(latencies, lat...)
			stats.errors += errs
			stats.rows += rows
			mu.Unlock()
		}()
	}
	wg.Wait()
	stats.wall = time.Since(start)
	stats.requests = len(latencies)
	slices.Sort(latencies)
	stats.p50 = latencies[len(latencies)/2]
	stats.p99 = latencies[len(latencies)*99/100]
	return stats
}

// benchPredict measures a Handler's POST /predict through
// httptest.NewRecorder, without the network: requests and rows per second,
// and allocations per row.
func benchPredict(b *testing.B, h *Handler, body []byte, rows int) {
	b.ReportAllocs()
	rec := httptest.NewRecorder()
	for b.Loop() {
		rec.Body.Reset()
		req := httptest.NewRequest("POST", "/predict", bytes.NewReader(body))
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
	b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "rows/s")
}

// benchServer measures POST /predict through a server on loopback made with
// httptest.NewServer, with b.RunParallel clients.
func benchServer(b *testing.B, h *Handler, body []byte, rows int) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	url := srv.URL + "/predict"
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Post(url, "application/json", bytes.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
	b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "rows/s")
}

// fakeRows returns n rows for the fake Model.
func fakeRows(n int) []map[string]any {
	rows := make([]map[string]any, n)
	for i := range rows {
		rows[i] = map[string]any{"x": float64(i) + 0.5, "city": "c" + fmt.Sprint(i%3)}
	}
	return rows
}

func BenchmarkHandlerFake(b *testing.B) {
	h := newTestHandler(b, &fake{classes: []string{"a", "b", "c"}, targets: []string{"t"}}, nil)
	for _, n := range []int{1, 64} {
		body, _ := json.Marshal(map[string]any{"rows": fakeRows(n)})
		b.Run(fmt.Sprint("rows=", n), func(b *testing.B) { benchPredict(b, h, body, n) })
	}
}
