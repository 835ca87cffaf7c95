package deploytest

import (
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The image cannot be built here, but its build stage can be replayed:
// copy exactly what the Dockerfile's build stage COPYs into an empty
// directory and run its go build there. This catches a module or go.sum
// the build context lacks, which would only show on a real docker build.
func TestDockerBuildStageCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the relay")
	}
	root := repoRoot(t)
	df := strings.ReplaceAll(string(readFile(t, root, "relay", "Dockerfile")), "\\\n", " ")
	ctx := t.TempDir()
	var build string
	froms := 0
	for _, line := range strings.Split(df, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch strings.ToUpper(f[0]) {
		case "FROM":
			froms++
		case "COPY":
			if froms != 1 || strings.HasPrefix(f[1], "--") {
				continue
			}
			dest := f[len(f)-1]
			for _, src := range f[1 : len(f)-1] {
				matches, err := filepath.Glob(filepath.Join(root, src))
				if err != nil {
					t.Fatal(err)
				}
				if len(matches) == 0 && !strings.Contains(src, "*") {
					t.Fatalf("COPY %s: not in the repository", src)
				}
				for _, m := range matches {
					rel, _ := filepath.Rel(root, m)
					target := dest
					if strings.HasSuffix(dest, "/") || dest == "./" {
						target = filepath.Join(dest, filepath.Base(rel))
						if st, err := os.Stat(m); err == nil && st.IsDir() {
							target = dest // COPY dir/ dest/ copies the contents
						}
					}
					copyTree(t, m, filepath.Join(ctx, target))
				}
			}
		case "RUN":
			if froms == 1 && strings.Contains(line, "go build") {
				build = line[strings.Index(line, "go build"):]
			}
		}
	}
	if build == "" || !strings.Contains(build, " -o /out/ ") {
		t.Fatalf("the build stage has no go build -o /out/: %q", build)
	}
	// The RUN line is shell: run it as such, writing to the context's out/.
	build = strings.Replace(build, " -o /out/ ", " -o "+filepath.Join(ctx, "out")+"/ ", 1)
	cmd := exec.Command("bash", "-c", build)
	cmd.Dir = ctx
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1", "GOWORK=", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s in the build context: %v\n%s", build, err, out)
	}
	for _, bin := range []string{"pika-relay", "pika-backup"} {
		if st, err := os.Stat(filepath.Join(ctx, "out", bin)); err != nil || st.Mode()&0o111 == 0 {
			t.Errorf("the build stage made no %s: %v", bin, err)
		}
	}
}

// copyTree copies a file or directory, skipping files git would ignore
// that a developer may have lying around (built binaries, test output).
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		o, err := os.Create(out)
		if err != nil {
			return err
		}
		if _, err := io.Copy(o, in); err != nil {
			o.Close()
			return err
		}
		return o.Close()
	})
	if err != nil {
		t.Fatalf("copy %s: %v", src, err)
	}
}
