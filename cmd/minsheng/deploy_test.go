package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSystemdUnitVerifies checks deploy/minsheng.service with
// systemd-analyze verify, pointed at a real minsheng binary. verify exits 0
// on unknown keys and bad values, so any output is a failure; a mangled copy
// proves that the check can fail.
func TestSystemdUnitVerifies(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("skipping: systemd-analyze is not installed")
	}
	unit, err := os.ReadFile(filepath.Join("..", "..", "deploy", "minsheng.service"))
	if err != nil {
		t.Fatal(err)
	}
	bin := buildTrimpathBinary(t)
	verify := func(text string) string {
		t.Helper()
		p := filepath.Join(t.TempDir(), "minsheng.service")
		if err := os.WriteFile(p, []byte(strings.ReplaceAll(text, "/usr/local/bin/minsheng", bin)), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(analyze, "verify", p).CombinedOutput()
		if err != nil {
			return err.Error() + ": " + string(out)
		}
		return strings.TrimSpace(string(out))
	}
	if out := verify(string(unit)); out != "" {
		t.Errorf("systemd-analyze verify deploy/minsheng.service:\n%s", out)
	}
	if out := verify(strings.Replace(string(unit), "ProtectSystem=", "ProtectSytem=", 1)); out == "" {
		t.Error("a misspelt key went unnoticed: the check cannot fail")
	}
}

// TestDockerfileShape checks what the Dockerfile promises without a Docker
// engine (none runs here): a build stage and a runtime stage, a non-root
// user, the data on a volume, the binary as entry point.
func TestDockerfileShape(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var from int
	var user string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "FROM":
			from++
		case "USER":
			user = f[1]
		}
	}
	if from < 2 {
		t.Errorf("want a multi-stage build, got %d FROM lines", from)
	}
	if user == "" || user == "root" || user == "0" {
		t.Errorf("runtime user %q: want a non-root user", user)
	}
	for _, want := range []string{`VOLUME ["/data"]`, `ENTRYPOINT ["/usr/local/bin/minsheng"]`, "--data\", \"/data\""} {
		if !strings.Contains(string(b), want) {
			t.Errorf("Dockerfile lacks %s", want)
		}
	}
}
