package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// served is a running mlp serve.
type served struct {
	cmd   *exec.Cmd
	base  string // http://host:port
	addr  string // as the start-up line prints it
	from  string // where the address came from, as the start-up line says
	lines chan string
}

var startLine = regexp.MustCompile(`^mlp serve: serving .* on http://([^ ]+) \(([^;]+);`)

// startServe runs mlp serve with args and the environment variables env
// added, and waits for its start-up line.
func startServe(t *testing.T, env []string, args ...string) *served {
	t.Helper()
	c := exec.Command(mlpBin, append([]string{"serve"}, args...)...)
	c.Env = append(os.Environ(), env...)
	stderr, err := c.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	s := &served{cmd: c, lines: make(chan string, 1000)}
	t.Cleanup(func() {
		if c.ProcessState == nil {
			c.Process.Kill()
			c.Wait()
		}
	})
	sc := bufio.NewScanner(stderr)
	var head []string
	for sc.Scan() {
		head = append(head, sc.Text())
		if m := startLine.FindStringSubmatch(sc.Text()); m != nil {
			s.addr, s.from = m[1], m[2]
			break
		}
	}
	if s.addr == "" {
		t.Fatalf("no start-up line; stderr:\n%s", strings.Join(head, "\n"))
	}
	host, port, _ := net.SplitHostPort(s.addr)
	if host == "0.0.0.0" {
		host = "127.0.0.1"
	}
	s.base = "http://" + net.JoinHostPort(host, port)
	go func() {
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
	}()
	return s
}

// waitLine waits up to 10s for a line of stderr containing want.
func (s *served) waitLine(t *testing.T, want string) string {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-s.lines:
			if !ok {
				t.Fatalf("stderr ended before a line with %q", want)
			}
			if strings.Contains(l, want) {
				return l
			}
		case <-deadline:
			t.Fatalf("no line with %q within 10s", want)
		}
	}
}

// post sends body to path and returns the status and answer.
func (s *served) post(t *testing.T, path, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(s.base+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// stop sends SIGTERM and waits for the exit status.
func (s *served) stop(t *testing.T) int {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	s.cmd.Wait()
	return s.cmd.ProcessState.ExitCode()
}

// csvColumns reads a testdata CSV into its header and columns.
func csvColumns(t *testing.T, name string) ([]string, [][]string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	header, recs := readCSV(t, string(b))
	cols := make([][]string, len(header))
	for _, r := range recs {
		for j, c := range r {
			cols[j] = append(cols[j], c)
		}
	}
	return header, cols
}

// v2Request builds an inference request with one input per column of the
// CSV but skip, numbers as FP64 (the CSV's own text as JSON numbers, NA as
// null) and text as BYTES.
func v2Request(header []string, cols [][]string, skip ...string) string {
	var inputs []string
	for j, name := range header {
		if slicesContains(skip, name) {
			continue
		}
		numeric := true
		for _, c := range cols[j] {
			if _, err := strconv.ParseFloat(c, 64); err != nil && c != "NA" {
				numeric = false
			}
		}
		var data []string
		for _, c := range cols[j] {
			switch {
			case numeric && c == "NA":
				data = append(data, "null")
			case numeric:
				data = append(data, c)
			default:
				q, _ := json.Marshal(c)
				data = append(data, string(q))
			}
		}
		dt := "BYTES"
		if numeric {
			dt = "FP64"
		}
		inputs = append(inputs, fmt.Sprintf(`{"name": %q, "shape": [%d, 1], "datatype": %q, "data": [%s]}`, name, len(cols[j]), dt, strings.Join(data, ", ")))
	}
	return `{"id": "check", "parameters": {"content_type": "pd"}, "inputs": [` + strings.Join(inputs, ", ") + `]}`
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// outputTexts returns the data of each output of an inference response,
// numbers as their JSON text.
func outputTexts(t *testing.T, answer string) map[string][]string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(answer))
	dec.UseNumber()
	var resp struct {
		Outputs []struct {
			Name string
			Data []any
		}
	}
	if err := dec.Decode(&resp); err != nil {
		t.Fatalf("%v: %s", err, answer)
	}
	out := map[string][]string{}
	for _, o := range resp.Outputs {
		for _, d := range o.Data {
			out[o.Name] = append(out[o.Name], fmt.Sprint(d))
		}
	}
	return out
}

// TestServeMatchesPredict trains a classifier (numeric and categorical
// columns, missing values) and a regressor through the command, predicts a
// CSV with mlp predict, and asks mlp serve for the same rows on the Open
// Inference Protocol: the answers are the same text, bit for bit.
func TestServeMatchesPredict(t *testing.T) {
	for _, tc := range []struct {
		name, data, target string
		train              []string
		skip               []string
	}{
		{"classifier", "iris.csv", "species", []string{"-ignore", "id", "-epochs", "3", "-na", "NA"}, []string{"id", "species"}},
		{"regressor", "diabetes.csv", "progression", []string{"-epochs", "3", "-task", "regress"}, []string{"progression"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			model, _ := trained(t, tc.data, append([]string{"-target", tc.target}, tc.train...)...)
			args := []string{"predict", "-model", model, "-data", filepath.Join("testdata", tc.data)}
			if tc.name == "classifier" {
				args = append(args, "-proba")
			}
			r := runMLP(t, "", nil, args...)
			if r.code != 0 {
				t.Fatalf("mlp predict: %s", r.stderr)
			}
			phead, prows := readCSV(t, r.stdout)
			header, cols := csvColumns(t, tc.data)
			s := startServe(t, nil, "-model", "m="+model, "-addr", "127.0.0.1:0", "-log", "none")
			code, answer := s.post(t, "/v2/models/m/infer", v2Request(header, cols, tc.skip...))
			if code != 200 {
				t.Fatalf("infer: %d %s", code, answer)
			}
			out := outputTexts(t, answer)
			for k, name := range phead {
				var want []string
				for _, row := range prows {
					want = append(want, row[k])
				}
				got := out[name]
				if k == 0 { // the prediction, as the output named after the target
					got = out[tc.target]
				}
				if strings.HasPrefix(name, "p_") { // the probabilities, [N, classes] row-major
					got = nil
					for i := range prows {
						got = append(got, out["probabilities"][i*(len(phead)-1)+k-1])
					}
				}
				if strings.Join(got, " ") != strings.Join(want, " ") {
					t.Errorf("column %s of mlp predict:\n got %v\nwant %v", name, got, want)
				}
			}
			if c := s.stop(t); c != 0 {
				t.Errorf("exit %d", c)
			}
		})
	}
}

// freePort returns a loopback port free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

// TestServePort checks the address mlp serve listens on: 0.0.0.0:$PORT
// when PORT is set, -addr when given (even with PORT), the loopback
// default otherwise, as the start-up line says; a PORT that is not a port
// is a usage error.
func TestServePort(t *testing.T) {
	model := filepath.Join("..", "..", "mlpserve", "testdata", "iris.mlp")
	port := freePort(t)
	s := startServe(t, []string{"PORT=" + port}, "-model", model)
	if s.addr != "0.0.0.0:"+port || s.from != "from PORT" {
		t.Errorf("with PORT=%s: listening on %s (%s)", port, s.addr, s.from)
	}
	resp, err := http.Get(s.base + "/v2/health/live")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("/v2/health/live on port %s: %v %v", port, resp, err)
	}
	resp.Body.Close()
	s.stop(t)

	s = startServe(t, []string{"PORT=" + port}, "-model", model, "-addr", "127.0.0.1:0")
	if !strings.HasPrefix(s.addr, "127.0.0.1:") || s.addr == "127.0.0.1:"+port || s.from != "from -addr" {
		t.Errorf("with -addr and PORT: listening on %s (%s)", s.addr, s.from)
	}
	s.stop(t)

	for _, bad := range []string{"http", "70000", "-1"} {
		c := exec.Command(mlpBin, "serve", "-model", model)
		c.Env = append(os.Environ(), "PORT="+bad)
		out, _ := c.CombinedOutput()
		if c.ProcessState.ExitCode() != 2 || !strings.Contains(string(out), fmt.Sprintf("the environment variable PORT is %q, not a port number", bad)) {
			t.Errorf("PORT=%s: exit %d, %s", bad, c.ProcessState.ExitCode(), out)
		}
	}
	if got := func() string { l, f, _ := listenAddress("", false, ""); return l + " " + f }(); !strings.HasPrefix(got, "127.0.0.1:8080 the default address") {
		t.Errorf("default: %s", got)
	}
}

// TestServeReload serves a model file, replaces the file and sends
// SIGHUP: later requests get the new model. A file that does not load is
// logged and the old model kept. -watch reloads a changed file without a
// signal.
func TestServeReload(t *testing.T) {
	a, _ := trained(t, "iris.csv", "-target", "species", "-ignore", "id", "-epochs", "1", "-seed", "1", "-na", "NA")
	b, _ := trained(t, "iris.csv", "-target", "species", "-ignore", "id", "-epochs", "4", "-seed", "2", "-na", "NA")
	dir := t.TempDir()
	file := filepath.Join(dir, "iris.mlp")
	cp := func(src string) {
		t.Helper()
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file+".tmp", data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(file+".tmp", file); err != nil { // atomically, as a deployment would
			t.Fatal(err)
		}
	}
	rows := `{"rows": [{"sepal_length": 6.1, "sepal_width": 2.8, "petal_length": 4.7, "petal_width": 1.2, "site": "north"}]}`
	predict := func(s *served) string {
		t.Helper()
		code, got := s.post(t, "/predict", rows)
		if code != 200 {
			t.Fatalf("predict: %d %s", code, got)
		}
		return got
	}
	libAnswer := func(model string) string {
		t.Helper()
		r := runMLP(t, "", strings.NewReader("sepal_length,sepal_width,petal_length,petal_width,site\n6.1,2.8,4.7,1.2,north\n"), "predict", "-model", model, "-data", "-", "-proba")
		_, recs := readCSV(t, r.stdout)
		return fmt.Sprintf(`{"predictions":["%s"],"probabilities":[[%s]]}`, recs[0][0], strings.Join(recs[0][1:], ","))
	}
	wantA, wantB := libAnswer(a), libAnswer(b)
	if wantA == wantB {
		t.Fatal("the two models predict alike; the test cannot tell them apart")
	}

	cp(a)
	s := startServe(t, nil, "-model", file, "-addr", "127.0.0.1:0", "-log", "json")
	if got := strings.TrimSpace(predict(s)); got != wantA {
		t.Fatalf("before reload: %s, want %s", got, wantA)
	}
	cp(b)
	s.cmd.Process.Signal(syscall.SIGHUP)
	line := s.waitLine(t, "reloaded model")
	if !strings.Contains(line, `"model":"iris"`) || !strings.Contains(line, `"reason":"SIGHUP"`) {
		t.Errorf("log line %s", line)
	}
	if got := strings.TrimSpace(predict(s)); got != wantB {
		t.Errorf("after SIGHUP: %s, want %s", got, wantB)
	}
	if err := os.WriteFile(file, []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.cmd.Process.Signal(syscall.SIGHUP)
	line = s.waitLine(t, "reload failed")
	if !strings.Contains(line, `"level":"ERROR"`) || !strings.Contains(line, "serving the previous model") {
		t.Errorf("log line %s", line)
	}
	if got := strings.TrimSpace(predict(s)); got != wantB {
		t.Errorf("after a failed reload: %s, want the previous model's %s", got, wantB)
	}
	if c := s.stop(t); c != 0 {
		t.Errorf("exit %d after SIGTERM", c)
	}

	cp(a)
	s = startServe(t, nil, "-model", file, "-addr", "127.0.0.1:0", "-log", "json", "-watch", "50ms")
	time.Sleep(100 * time.Millisecond)
	cp(b)
	s.waitLine(t, `"reason":"file changed"`)
	if got := strings.TrimSpace(predict(s)); got != wantB {
		t.Errorf("after -watch: %s, want %s", got, wantB)
	}
	s.stop(t)
}

// TestServeSecondSignal checks that a second SIGINT ends mlp serve at once
// while the first waits for a request in flight.
func TestServeSecondSignal(t *testing.T) {
	model := filepath.Join("..", "..", "mlpserve", "testdata", "iris.mlp")
	s := startServe(t, nil, "-model", model, "-addr", "127.0.0.1:0", "-body-timeout", "30s")
	c, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"rows\": [")
	time.Sleep(200 * time.Millisecond)
	s.cmd.Process.Signal(syscall.SIGINT)
	exited := make(chan struct{})
	go func() { s.cmd.Wait(); close(exited) }()
	select {
	case <-exited:
		t.Fatal("exited on the first SIGINT with a request in flight")
	case <-time.After(500 * time.Millisecond):
	}
	start := time.Now()
	s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		t.Fatal("still running 5s after the second SIGINT")
	}
	if code := s.cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit %d after the second SIGINT, want 130", code)
	}
	t.Logf("exited %v after the second SIGINT", time.Since(start))
}

// TestServeSeveralModels serves two models, one named and one after its
// file's stem, and checks /predict (the first), /v2 by name, the access
// log in JSON and that a name given twice is a usage error.
func TestServeSeveralModels(t *testing.T) {
	iris := filepath.Join("..", "..", "mlpserve", "testdata", "iris.mlp")
	reg, _ := trained(t, "diabetes.csv", "-target", "progression", "-epochs", "1", "-task", "regress")
	s := startServe(t, nil, "-model", "flowers="+iris, "-model", reg, "-addr", "127.0.0.1:0", "-log", "json")
	code, got := s.post(t, "/predict", `{"rows": [{"sepal_length": 6.1, "sepal_width": 2.8, "petal_length": 4.7, "petal_width": 1.2}]}`)
	if code != 200 || !strings.HasPrefix(got, `{"predictions":["`) {
		t.Errorf("/predict: %d %s", code, got)
	}
	req, _ := http.NewRequest("GET", s.base+"/v2/models/model", nil) // the regressor, named after model.mlp
	req.Header.Set("X-Request-ID", "trace-7")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	meta, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(meta), `"name":"model"`) || !strings.Contains(string(meta), `"outputs":[{"name":"progression","datatype":"FP64"`) ||
		resp.Header.Get("X-Request-ID") != "trace-7" {
		t.Errorf("/v2/models/model: %d %s %v", resp.StatusCode, meta, resp.Header)
	}
	var line map[string]any
	for l := range s.lines {
		if strings.Contains(l, `"id":"trace-7"`) {
			if err := json.Unmarshal([]byte(l), &line); err != nil {
				t.Fatalf("access line %q: %v", l, err)
			}
			break
		}
		if strings.Contains(l, `"path":"/v2/models/model"`) {
			t.Fatalf("access line without the request id: %s", l)
		}
	}
	if line["status"] != 200.0 || line["model"] != "model" || line["route"] != "/v2/models/{name}" || line["method"] != "GET" {
		t.Errorf("access line %v", line)
	}
	code, got = s.post(t, "/v2/models/flowers/infer", `{"inputs": [{"name": "input", "shape": [1, 4], "datatype": "FP64", "data": [6.1, 2.8, 4.7, 1.2]}]}`)
	if code != 200 || !strings.Contains(got, `"model_name":"flowers"`) {
		t.Errorf("flowers: %d %s", code, got)
	}
	s.stop(t)

	r := runMLP(t, "", nil, "serve", "-model", iris, "-model", filepath.Join(t.TempDir(), "iris.mlp"))
	if r.code != 2 || !strings.Contains(r.stderr, `model name "iris" given twice`) {
		t.Errorf("a name twice: exit %d, %s", r.code, r.stderr)
	}
}
