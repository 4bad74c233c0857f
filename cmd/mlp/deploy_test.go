package main

import (
	"debug/elf"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mlpkit/mlp/internal/needtool"
)

// yamlToJSON is a Python program that prints the YAML documents of the
// file named by its argument as a JSON array.
const yamlToJSON = `
import json, sys, yaml
with open(sys.argv[1]) as f:
    json.dump([d for d in yaml.safe_load_all(f) if d is not None], sys.stdout)
`

// readYAML returns the documents of a YAML file of deploy/, read with
// PyYAML.
func readYAML(t *testing.T, name string) []map[string]any {
	t.Helper()
	out, err := exec.Command("/usr/bin/python3", "-c", yamlToJSON, filepath.Join("..", "..", "deploy", name)).Output()
	if err != nil {
		t.Fatalf("%s does not parse as YAML: %v", name, err)
	}
	var docs []map[string]any
	if err := json.Unmarshal(out, &docs); err != nil {
		t.Fatal(err)
	}
	return docs
}

// at returns the value at the path of keys and indices in v, failing t
// when there is none.
func at(t *testing.T, v any, path ...any) any {
	t.Helper()
	for i, p := range path {
		switch p := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok || m[p] == nil {
				t.Fatalf("no %v", path[:i+1])
			}
			v = m[p]
		case int:
			s, ok := v.([]any)
			if !ok || p >= len(s) {
				t.Fatalf("no %v", path[:i+1])
			}
			v = s[p]
		}
	}
	return v
}

// envValue returns the value of the environment variable name of a
// container.
func envValue(t *testing.T, container any, name string) string {
	t.Helper()
	for _, e := range at(t, container, "env").([]any) {
		if e.(map[string]any)["name"] == name {
			return fmt.Sprint(e.(map[string]any)["value"])
		}
	}
	t.Fatalf("no environment variable %s", name)
	return ""
}

// TestDeployRecipes checks the recipes of deploy/: the manifests parse as
// YAML, with probes on the v2 health paths at the port the container
// listens on (its PORT), a Service reaching that port, a KServe
// ServingRuntime on the v2 protocol that the InferenceService names; the
// Dockerfile builds a static binary FROM scratch as user 65532 without
// HEALTHCHECK; and such a binary, built here, serves with PORT set. The
// image itself is not built: that needs the golang base image.
func TestDeployRecipes(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import yaml").Run(); err != nil {
		needtool.Missing(t, "/usr/bin/python3 with PyYAML is needed to read deploy/*.yaml: apt-get install -y python3-yaml")
	}
	t.Run("kubernetes", func(t *testing.T) {
		dep := readYAML(t, "kubernetes/deployment.yaml")[0]
		if dep["kind"] != "Deployment" {
			t.Fatalf("kind %v", dep["kind"])
		}
		c := at(t, dep, "spec", "template", "spec", "containers", 0)
		port := at(t, c, "ports", 0)
		portName, containerPort := at(t, port, "name"), fmt.Sprint(at(t, port, "containerPort"))
		if env := envValue(t, c, "PORT"); env != containerPort {
			t.Errorf("PORT %s, containerPort %s", env, containerPort)
		}
		for probe, path := range map[string]string{"livenessProbe": "/v2/health/live", "readinessProbe": "/v2/health/ready"} {
			if got := at(t, c, probe, "httpGet", "path"); got != path {
				t.Errorf("%s path %v, want %s", probe, got, path)
			}
			if got := at(t, c, probe, "httpGet", "port"); got != portName && fmt.Sprint(got) != containerPort {
				t.Errorf("%s port %v, want %v", probe, got, portName)
			}
		}
		if u := at(t, dep, "spec", "template", "spec", "securityContext", "runAsUser"); u != 65532.0 {
			t.Errorf("runAsUser %v", u)
		}
		sel := at(t, dep, "spec", "selector", "matchLabels", "app.kubernetes.io/name")
		if l := at(t, dep, "spec", "template", "metadata", "labels", "app.kubernetes.io/name"); l != sel {
			t.Errorf("selector %v does not match the pod's label %v", sel, l)
		}
		svc := readYAML(t, "kubernetes/service.yaml")[0]
		if svc["kind"] != "Service" || at(t, svc, "spec", "selector", "app.kubernetes.io/name") != sel {
			t.Errorf("Service %v does not select the Deployment's pods", svc)
		}
		if tp := at(t, svc, "spec", "ports", 0, "targetPort"); tp != portName && fmt.Sprint(tp) != containerPort {
			t.Errorf("Service targetPort %v, want %v", tp, portName)
		}
	})
	t.Run("kserve", func(t *testing.T) {
		rt := readYAML(t, "kserve/servingruntime.yaml")[0]
		isvc := readYAML(t, "kserve/inferenceservice.yaml")[0]
		if rt["kind"] != "ServingRuntime" || isvc["kind"] != "InferenceService" {
			t.Fatalf("kinds %v and %v", rt["kind"], isvc["kind"])
		}
		if p := at(t, rt, "spec", "protocolVersions"); fmt.Sprint(p) != "[v2]" {
			t.Errorf("protocolVersions %v", p)
		}
		c := at(t, rt, "spec", "containers", 0)
		containerPort := fmt.Sprint(at(t, c, "ports", 0, "containerPort"))
		if env := envValue(t, c, "PORT"); env != containerPort {
			t.Errorf("PORT %s, containerPort %s", env, containerPort)
		}
		for probe, path := range map[string]string{"livenessProbe": "/v2/health/live", "readinessProbe": "/v2/health/ready"} {
			if got := at(t, c, probe, "httpGet", "path"); got != path {
				t.Errorf("%s path %v", probe, got)
			}
			if got := fmt.Sprint(at(t, c, probe, "httpGet", "port")); got != containerPort {
				t.Errorf("%s port %v", probe, got)
			}
		}
		if args := fmt.Sprint(at(t, c, "args")); !strings.Contains(args, "{{.Name}}=/mnt/models/") {
			t.Errorf("args %v do not name the model after the InferenceService", args)
		}
		m := at(t, isvc, "spec", "predictor", "model")
		if at(t, m, "runtime") != at(t, rt, "metadata", "name") || at(t, m, "protocolVersion") != "v2" ||
			at(t, m, "modelFormat", "name") != at(t, rt, "spec", "supportedModelFormats", 0, "name") {
			t.Errorf("InferenceService model %v does not use the runtime %v", m, at(t, rt, "metadata"))
		}
	})
	t.Run("Dockerfile", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "Dockerfile"))
		if err != nil {
			t.Fatal(err)
		}
		df := string(b)
		for _, want := range []string{
			`(?m)^FROM scratch$`, `(?m)^USER 65532:65532$`, `(?m)^RUN CGO_ENABLED=0 go build .* \./cmd/mlp$`,
			`(?m)^ENV PORT=8080$`, `(?m)^EXPOSE 8080$`, `(?m)^ENTRYPOINT \["/mlp", "serve"`,
		} {
			if !regexp.MustCompile(want).MatchString(df) {
				t.Errorf("the Dockerfile has no line matching %s", want)
			}
		}
		if regexp.MustCompile(`(?m)^HEALTHCHECK`).MatchString(df) {
			t.Error("the Dockerfile has a HEALTHCHECK; orchestrators probe")
		}
	})
	t.Run("static binary with PORT", func(t *testing.T) {
		if testing.Short() {
			t.Skip("builds the command; skipped with -short")
		}
		bin := filepath.Join(t.TempDir(), "mlp")
		build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, ".")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("CGO_ENABLED=0 go build: %v\n%s", err, out)
		}
		f, err := elf.Open(bin)
		if err != nil {
			t.Skipf("not an ELF binary: %v", err)
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Error("the binary has a dynamic loader: it would not run FROM scratch")
			}
		}
		f.Close()
		port := freePort(t)
		model, err := filepath.Abs(filepath.Join("..", "..", "mlpserve", "testdata", "iris.mlp"))
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		c := exec.Command(bin, "serve", "-log", "json", "-model", model)
		c.Stderr = &stderr
		c.Env = []string{"PORT=" + port} // as in the image: nothing else
		c.Dir = t.TempDir()
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { c.Process.Kill(); c.Wait() }()
		var resp *http.Response
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if resp, err = http.Get("http://127.0.0.1:" + port + "/v2/health/ready"); err == nil {
				break
			}
		}
		if err != nil || resp.StatusCode != 200 {
			c.Process.Kill()
			c.Wait() // stderr is complete
			t.Fatalf("the static binary with PORT=%s: %v %v\n%s", port, resp, err, stderr.String())
		}
		resp.Body.Close()
	})
}
