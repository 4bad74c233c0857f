package mlpserve

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/testkit"
	"github.com/mlpkit/mlp/tabular"
)

// The stress tests run a server in a process of its own (this test binary,
// running TestStressServerProcess), so that its peak resident memory can be
// read from /proc, and load it over loopback. They take minutes and are
// skipped with -short, and under the race detector, which makes memory and
// time figures meaningless.

// stressEnv names the environment variable that makes
// TestStressServerProcess serve.
const stressEnv = "MLPSERVE_STRESS_SERVER"

// TestStressServerProcess is the server of the stress tests, not a test of
// its own: with MLPSERVE_STRESS_SERVER set to "iris", it serves
// testdata/iris.mlp, and set to "wide" a pipeline of 30 numeric and 2
// categorical columns (wideModel), with the default settings on a loopback
// port, prints "ADDR host:port" and serves until its standard input is
// closed.
func TestStressServerProcess(t *testing.T) {
	var p Model
	switch os.Getenv(stressEnv) {
	case "":
		t.Skip("the server process of the stress tests")
	case "wide":
		p = wideModel(t)
	default:
		p = loadIris(t)
	}
	h, err := NewModelsHandler([]NamedModel{{Name: "iris", Model: p}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("ADDR %s\n", l.Addr())
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	if err := Serve(ctx, l, h, &ServerSettings{ShutdownTimeout: time.Second}); err != nil {
		t.Fatal(err)
	}
}

// serverProcess is a running TestStressServerProcess.
type serverProcess struct {
	addr  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

// wideColumns is the number of numeric columns of wideModel.
const wideColumns = 30

// wideModel returns a regressor of wideColumns numeric columns x0, x1, ...
// and two categorical columns c0 and c1, with random weights.
func wideModel(t testing.TB) Model {
	t.Helper()
	src := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	for j := range wideColumns {
		fmt.Fprintf(&b, "x%d,", j)
	}
	b.WriteString("c0,c1,y\n")
	for i := range 100 {
		for range wideColumns {
			fmt.Fprintf(&b, "%v,", src.NormFloat64())
		}
		fmt.Fprintf(&b, "k%d,m%d,%v\n", i%5, i%3, src.NormFloat64())
	}
	rd := tabular.NewCSVReader(strings.NewReader(b.String()))
	rd.Targets = []string{"y"}
	rd.Task = tabular.Regression
	tab, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	pre, err := tabular.FitPreprocessor(tab, tabular.PreprocessSettings{})
	if err != nil {
		t.Fatal(err)
	}
	wsrc := rand.NewPCG(3, 4)
	net, err := mlp.NewSequential(mlp.NewLinear(pre.Width(), 16, wsrc), &mlp.ReLU{}, mlp.NewLinear(16, 1, wsrc))
	if err != nil {
		t.Fatal(err)
	}
	p, err := tabular.NewPipeline(pre, net, tabular.PipelineTargets{Names: []string{"y"}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// wideRow is a valid row of wideModel, padded to padTo bytes by long digits.
func wideRow(i, padTo int) string {
	var b strings.Builder
	b.WriteByte('{')
	for j := range wideColumns {
		fmt.Fprintf(&b, `"x%d":%v,`, j, float64((i*7+j)%100)/10-5)
	}
	fmt.Fprintf(&b, `"c0":"k%d","c1":"m%d"`, i%5, i%3)
	if pad := padTo - b.Len() - 1; pad > 10 {
		fmt.Fprintf(&b, `,"x0":0.5%s1`, strings.Repeat("0", pad-10))
		s := b.String()
		return strings.Replace(s, fmt.Sprintf(`"x0":%v,`, float64((i*7)%100)/10-5), "", 1) + "}"
	}
	return b.String() + "}"
}

// startServer starts TestStressServerProcess of model ("iris" or "wide")
// with GOMAXPROCS procs.
func startServer(t *testing.T, procs int, model ...string) *serverProcess {
	t.Helper()
	m := "iris"
	if len(model) > 0 {
		m = model[0]
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestStressServerProcess$", "-test.v")
	cmd.Env = append(os.Environ(), stressEnv+"="+m, "GOMAXPROCS="+strconv.Itoa(procs))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &serverProcess{cmd: cmd, stdin: stdin}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if a, ok := strings.CutPrefix(sc.Text(), "ADDR "); ok {
			s.addr = a
			break
		}
	}
	if s.addr == "" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("the server process printed no address")
	}
	go io.Copy(io.Discard, out)
	t.Cleanup(s.stop)
	return s
}

// peakRSS returns the peak resident memory of the server process in bytes
// (VmHWM of /proc/PID/status).
func (s *serverProcess) peakRSS(t *testing.T) int64 {
	t.Helper()
	peak, err := testkit.PeakRSS(s.cmd.Process.Pid)
	if err != nil {
		t.Skipf("no peak memory to read: %v", err)
	}
	return peak
}

func (s *serverProcess) stop() {
	if s.stdin != nil {
		s.stdin.Close()
		s.stdin = nil
		done := make(chan error, 1)
		go func() { done <- s.cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			<-done
		}
	}
}

// irisRow is a valid row of testdata/iris.mlp; pad long digits make it
// padTo bytes long or a little longer.
func irisRow(i, padTo int) string {
	row := fmt.Sprintf(`{"sepal_length":%g,"sepal_width":3.1,"petal_length":%g,"petal_width":1.2}`, 4.5+float64(i%30)/10, 1+float64(i%50)/10)
	if pad := padTo - len(row); pad > 2 {
		row = fmt.Sprintf(`{"sepal_length":%g,"sepal_width":3.1%s1,"petal_length":%g,"petal_width":1.2}`,
			4.5+float64(i%30)/10, strings.Repeat("0", pad-1), 1+float64(i%50)/10)
	}
	return row
}

// memoryBody returns a body of about size bytes: rows of valid rows (made
// by row) padded to fill the first valid bytes, then rows of one distinct
// unknown key each.
func memoryBody(size, valid, rows int, row func(i, padTo int) string) []byte {
	var b bytes.Buffer
	b.Grow(size + 1024)
	b.WriteString(`{"rows":[`)
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(row(i, (valid-64)/rows-1))
	}
	for k := 0; valid < size && b.Len() < size-64; k++ {
		fmt.Fprintf(&b, `,{"unknown_key_%09d":%d}`, k, k)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// TestStressMemory sends 32 bodies of 8 MiB at once to a server process
// at GOMAXPROCS 2 and 8, serving the iris model (4 columns) or a wide one
// (32 columns): 16 of 10,000 valid rows (the most a request may hold),
// padded to 8 MiB, and 16 of 5,000 valid rows in their first half and rows
// of distinct unknown keys in the second. The server's peak resident memory
// must stay under 300 MB.
func TestStressMemory(t *testing.T) {
	testkit.Long(t, "32 concurrent bodies of 8 MiB to a server process")
	if raceEnabled {
		t.Skip("the race detector's shadow memory would dominate the peak")
	}
	const size = 8 << 20
	for _, tc := range []struct {
		model, name string
		procs       int
		row         func(i, padTo int) string
	}{
		{"iris", "iris", 2, irisRow}, {"iris", "iris", 8, irisRow}, {"wide", "wide", 2, wideRow}, {"wide", "wide", 8, wideRow},
	} {
		full := memoryBody(size, size, DefaultMaxRows, tc.row)
		half := memoryBody(size, size/2, DefaultMaxRows/2, tc.row)
		procs := tc.procs
		t.Run(fmt.Sprintf("%s/GOMAXPROCS=%d", tc.name, procs), func(t *testing.T) {
			s := startServer(t, procs, tc.model)
			idle := s.peakRSS(t)
			url := "http://" + s.addr + "/predict"
			var (
				wg     sync.WaitGroup
				mu     sync.Mutex
				counts = map[string]int{}
				start  = make(chan struct{})
			)
			for c := range 32 {
				body, want := full, 200
				if c%2 == 1 {
					body, want = half, 400
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					resp, err := http.Post(url, "application/json", bytes.NewReader(body))
					key := ""
					if err != nil {
						key = fmt.Sprintf("want %d, error", want) // the server may close a refused upload before the client has written it
					} else {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						key = fmt.Sprintf("want %d, got %d", want, resp.StatusCode)
					}
					mu.Lock()
					counts[key]++
					mu.Unlock()
				}()
			}
			close(start)
			wg.Wait()
			peak := s.peakRSS(t)
			t.Logf("%s model, GOMAXPROCS %d: peak RSS %.1f MB (%.1f MB idle) under 32 concurrent 8 MiB bodies; answers %v",
				tc.name, procs, float64(peak)/1e6, float64(idle)/1e6, counts)
			if peak >= 300e6 {
				t.Errorf("peak RSS %.1f MB, want under 300 MB", float64(peak)/1e6)
			}
			if counts["want 200, got 200"] != 16 || counts["want 400, got 400"]+counts["want 400, error"] != 16 {
				t.Errorf("answers %v, want 16 of 200 and 16 of 400", counts)
			}
		})
	}
}

// slowClient sends requests whose body comes at one byte a second, one
// after the other, until ctx is done, and counts the answers it gets.
func slowClient(ctx context.Context, addr string, answers map[int]int, mu *sync.Mutex) {
	for ctx.Err() == nil {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		go func() { <-ctx.Done(); c.Close() }()
		fmt.Fprintf(c, "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
		go func() {
			for i := 0; ctx.Err() == nil; i++ {
				b := byte(' ') // white space between tokens keeps the JSON valid
				if i < 9 {
					b = `{"rows":[`[i]
				}
				if _, err := c.Write([]byte{b}); err != nil {
					return
				}
				time.Sleep(time.Second)
			}
		}()
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err == nil {
			resp.Body.Close()
			mu.Lock()
			answers[resp.StatusCode]++
			mu.Unlock()
		}
		c.Close()
	}
}

// TestStressSlowClients runs 16 clients sending their bodies at one byte a
// second (reconnecting once cut off) and 16 normal clients sending requests
// of 1 to 64 rows one after the other, for 60 s, against a server process
// at GOMAXPROCS 2. The normal clients' 99th percentile latency must stay
// under 1 s, with no error; the slow clients get 408.
func TestStressSlowClients(t *testing.T) {
	testkit.Long(t, "16 slow and 16 normal clients for a minute")
	if raceEnabled {
		t.Skip("the race detector slows the normal clients past the latency bound")
	}
	s := startServer(t, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var (
		mu      sync.Mutex
		answers = map[int]int{}
		wg      sync.WaitGroup
	)
	for range 16 {
		wg.Add(1)
		go func() { defer wg.Done(); slowClient(ctx, s.addr, answers, &mu) }()
	}
	time.Sleep(2 * time.Second) // let the slow clients take their connections
	bodies := make([][]byte, 64)
	for n := range bodies {
		var b strings.Builder
		b.WriteString(`{"rows":[`)
		for i := range n + 1 {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(irisRow(i, 0))
		}
		b.WriteString(`]}`)
		bodies[n] = []byte(b.String())
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var (
		lat    []time.Duration
		errs   int
		firstE error
	)
	for c := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			bad := 0
			var firstErr error
			for i := c; ctx.Err() == nil; i++ {
				t0 := time.Now()
				resp, err := client.Post("http://"+s.addr+"/predict", "application/json", bytes.NewReader(bodies[i%64]))
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != 200 {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				if ctx.Err() != nil { // the test's end, not the server's fault
					break
				}
				mine = append(mine, time.Since(t0))
				if err != nil {
					bad++
					if firstErr == nil {
						firstErr = err
					}
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += bad
			if firstE == nil {
				firstE = firstErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(lat)
	if len(lat) == 0 {
		t.Fatal("no request answered")
	}
	p50, p99, worst := lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1]
	t.Logf("16 slow + 16 normal clients for 60 s at GOMAXPROCS 2: %d normal requests, p50 %v, p99 %v, max %v, %d errors; slow clients' answers %v",
		len(lat), p50, p99, worst, errs, answers)
	if p99 >= time.Second || errs != 0 {
		t.Errorf("p99 %v and %d errors (first: %v), want under 1s and none", p99, errs, firstE)
	}
	if answers[http.StatusRequestTimeout] == 0 {
		t.Errorf("slow clients' answers %v, want 408s", answers)
	}
}
