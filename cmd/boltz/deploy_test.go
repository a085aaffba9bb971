package main

import (
	"encoding/json"
	"flag"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The Slurm scripts parse as bash.
func TestDeploySlurmScripts(t *testing.T) {
	scripts, _ := filepath.Glob("../../deploy/slurm/*")
	if len(scripts) < 4 {
		t.Fatalf("deploy/slurm has %d files, want the shard, merge, submit and sweep scripts", len(scripts))
	}
	for _, s := range scripts {
		if out, err := exec.Command("bash", "-n", s).CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", s, err, out)
		}
	}
}

// k8sJob is the part of a batch/v1 Job the manifests set.
type k8sJob struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Spec       struct {
		CompletionMode string `json:"completionMode"`
		Completions    int    `json:"completions"`
		Parallelism    int    `json:"parallelism"`
		Template       struct {
			Spec struct {
				RestartPolicy string `json:"restartPolicy"`
				Containers    []struct {
					Args []string `json:"args"`
					Env  []struct {
						Name      string `json:"name"`
						ValueFrom struct {
							FieldRef struct {
								FieldPath string `json:"fieldPath"`
							} `json:"fieldRef"`
						} `json:"valueFrom"`
					} `json:"env"`
				} `json:"containers"`
			} `json:"spec"`
		} `json:"template"`
	} `json:"spec"`
}

// The Kubernetes manifests are Jobs whose indexed pods take the completion index from the
// Job's annotation, and whose boltz arguments, with the index put in, parse as the command's
// flags (a -shard N that matches completions). No cluster runs here: this is the check they
// get. It needs python3 with PyYAML to read the YAML.
func TestDeployManifests(t *testing.T) {
	if testing.Short() {
		t.Skip("the manifest check runs Python; skipped in -short mode")
	}
	if exec.Command("python3", "-c", "import yaml").Run() != nil {
		t.Skip("python3 with PyYAML (Debian: python3-yaml) is needed to read the manifests")
	}
	manifests, _ := filepath.Glob("../../deploy/k8s/*.yaml")
	if len(manifests) < 3 {
		t.Fatalf("deploy/k8s has %d manifests, want 3", len(manifests))
	}
	script := "import json, sys, yaml; json.dump([yaml.safe_load(open(f)) for f in sys.argv[1:]], sys.stdout)"
	out, err := exec.Command("python3", append([]string{"-c", script}, manifests...)...).Output()
	if err != nil {
		t.Fatalf("reading the manifests: %v", err)
	}
	var jobs []k8sJob
	if err := json.Unmarshal(out, &jobs); err != nil || len(jobs) != len(manifests) {
		t.Fatalf("the manifests as JSON: %v", err)
	}
	for i, m := range manifests {
		job := jobs[i]
		spec := job.Spec.Template.Spec
		if job.APIVersion != "batch/v1" || job.Kind != "Job" || spec.RestartPolicy != "Never" || len(spec.Containers) != 1 {
			t.Errorf("%s: not a batch/v1 Job of one container that is never restarted: %+v", m, job)
			continue
		}
		c := spec.Containers[0]
		args := append([]string(nil), c.Args...)
		if job.Spec.CompletionMode == "Indexed" {
			if len(c.Env) != 1 || c.Env[0].ValueFrom.FieldRef.FieldPath != "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
				t.Errorf("%s: the index does not come from the completion-index annotation: %+v", m, c.Env)
			}
			for i := range args {
				args[i] = strings.ReplaceAll(args[i], "$("+c.Env[0].Name+")", "0")
			}
		}
		cmd, ok := commands[args[0]]
		if !ok {
			t.Errorf("%s: %q is not a boltz command", m, args[0])
			continue
		}
		fs := flag.NewFlagSet(cmd.Name, flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		cmd.Flags(fs)
		if _, err := parseInterspersed(fs, args[1:]); err != nil {
			t.Errorf("%s: boltz %s: %v", m, strings.Join(args, " "), err)
		}
		if f := fs.Lookup("shard"); f != nil && f.Value.String() != "" {
			var s shardFlags
			s.spec, s.out = f.Value.String(), "x"
			if err := s.check(); err != nil || s.count != job.Spec.Completions {
				t.Errorf("%s: -shard %s against %d completions (%v)", m, s.spec, job.Spec.Completions, err)
			}
		}
	}
}
