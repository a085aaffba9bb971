//go:build unix

package main

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// slurmCluster is a one-node Slurm cluster on localhost: munged, slurmctld and slurmd started
// directly (no systemd) with a generated key and slurm.conf in a temporary directory.
type slurmCluster struct {
	dir  string
	conf string
	env  []string
}

// slurmPrograms are what the integration test needs: Debian's slurm-wlm and munge.
var slurmPrograms = []string{"munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo"}

// startSlurm starts the cluster and stops it when the test ends. It skips the test when the
// programs are missing or the test is not running as root (slurmd starts jobs as any user).
func startSlurm(t *testing.T) *slurmCluster {
	t.Helper()
	for _, p := range slurmPrograms {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s not found: install slurm-wlm and munge (Debian) to run the Slurm integration test", p)
		}
	}
	if os.Geteuid() != 0 {
		t.Skip("the Slurm integration test starts slurmd, which must run as root")
	}
	dir, err := os.MkdirTemp("", "boltz-slurm-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// munged wants every directory above its socket to be searchable by all.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"state", "spool"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	key := make([]byte, 1024)
	rand.Read(key)
	if err := os.WriteFile(filepath.Join(dir, "munge.key"), key, 0o400); err != nil {
		t.Fatal(err)
	}
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	c := &slurmCluster{dir: dir, conf: filepath.Join(dir, "slurm.conf")}
	c.env = append(os.Environ(), "SLURM_CONF="+c.conf)
	sock := filepath.Join(dir, "munge.sock")
	conf := fmt.Sprintf(`ClusterName=boltz%d
SlurmctldHost=%s(127.0.0.1)
SlurmctldPort=%d
SlurmdPort=%d
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=%s
CredType=cred/munge
StateSaveLocation=%s/state
SlurmdSpoolDir=%s/spool
SlurmctldPidFile=%s/slurmctld.pid
SlurmdPidFile=%s/slurmd.pid
SlurmctldLogFile=%s/slurmctld.log
SlurmdLogFile=%s/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/builtin
SchedulerParameters=sched_interval=1
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
NodeName=boltz0 NodeHostname=%s NodeAddr=127.0.0.1 CPUs=%d State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
`, os.Getpid(), host, freePort(t), freePort(t), sock, dir, dir, dir, dir, dir, dir, host, 2)
	if err := os.WriteFile(c.conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	c.daemon(t, "munged", "-F", "-f", "--key-file="+filepath.Join(dir, "munge.key"), "--socket="+sock,
		"--log-file="+filepath.Join(dir, "munged.log"), "--pid-file="+filepath.Join(dir, "munged.pid"),
		"--seed-file="+filepath.Join(dir, "munged.seed"))
	c.waitFor(t, "munged's socket", func() bool { _, err := os.Stat(sock); return err == nil })
	c.daemon(t, "slurmctld", "-D", "-f", c.conf)
	c.daemon(t, "slurmd", "-D", "-N", "boltz0", "-f", c.conf)
	c.waitFor(t, "the node to be idle", func() bool {
		out, _ := c.command("sinfo", "-h", "-o", "%t").Output()
		return strings.TrimSpace(string(out)) == "idle"
	})
	return c
}

// freePort returns a TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (c *slurmCluster) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = c.env
	return cmd
}

// daemon starts a daemon in the foreground, in a process group of its own, and kills the
// group when the test ends.
func (c *slurmCluster) daemon(t *testing.T, name string, args ...string) {
	t.Helper()
	cmd := c.command(name, args...)
	log, err := os.Create(filepath.Join(c.dir, name+".out"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		log.Close()
	})
}

// slurmTimeout bounds every wait: the daemons start in a second or two and the jobs, tiny
// models, take seconds.
const slurmTimeout = 3 * time.Minute

func (c *slurmCluster) waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(slurmTimeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("Slurm: no %s after %v; logs in %s:\n%s", what, slurmTimeout, c.dir, c.logs())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (c *slurmCluster) logs() string {
	var b strings.Builder
	for _, f := range []string{"munged.out", "slurmctld.out", "slurmd.out", "slurmctld.log", "slurmd.log"} {
		raw, _ := os.ReadFile(filepath.Join(c.dir, f))
		fmt.Fprintf(&b, "--- %s\n%s\n", f, lastLines(string(raw), 15))
	}
	return b.String()
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// run runs a command with the cluster's environment and extra variables, and returns its
// stdout.
func (c *slurmCluster) run(t *testing.T, extraEnv []string, name string, args ...string) string {
	t.Helper()
	cmd := c.command(name, args...)
	cmd.Env = append(cmd.Env, extraEnv...)
	cmd.Dir = c.dir
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s\n%s", name, strings.Join(args, " "), err, errOut.String(), c.logs())
	}
	return out.String()
}

// TestSlurmIntegration submits the AIS shard array with its merge (deploy/slurm/submit-ais.sh)
// and a 4-task sweep (deploy/slurm/sweep.sbatch) to a one-node Slurm cluster, waits for them,
// and checks that the merged evaluation is the single-process one, bit for bit, and that
// every sweep task finished with a final evaluation.
func TestSlurmIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("the Slurm integration test is skipped in -short mode")
	}
	start := time.Now()
	c := startSlurm(t)
	t.Logf("cluster up in %v", time.Since(start).Round(time.Millisecond))

	boltz := filepath.Join(c.dir, "boltz")
	build := exec.Command("go", "build", "-o", boltz, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("boltz built %v after the start", time.Since(start).Round(time.Millisecond))
	deploy, err := filepath.Abs("../../deploy/slurm")
	if err != nil {
		t.Fatal(err)
	}
	model := saveTestModel(t, 16, 8, 0.5)
	out := filepath.Join(c.dir, "eval")
	evalArgs := []string{"-runs", "16", "-betas", "100", "-seed", "3"}
	// One core per job, so that two of the tiny jobs run at once on the two-core node.
	env := []string{"BOLTZ=" + boltz, "MODEL=" + model, "DATA=bas:4", "OUT=" + out, "CPUS=1"}
	jobs := c.run(t, env, filepath.Join(deploy, "submit-ais.sh"), append([]string{"4"}, evalArgs...)...)
	t.Logf("submitted AIS shards and merge: jobs %s", strings.TrimSpace(jobs))

	sweep := filepath.Join(c.dir, "sweep")
	n := strings.TrimSpace(c.run(t, nil, boltz, "sweep", "-plan", "-grid", "lr=0.01,0.05 seed=1..2", "-o", sweep, "--",
		"train", "-data", "bas:3", "-test", "bas:3", "-hidden", "4", "-epochs", "2"))
	if n != "4" {
		t.Fatalf("sweep -plan printed %q tasks, want 4", n)
	}
	c.run(t, []string{"BOLTZ=" + boltz, "SWEEP=" + sweep}, "sbatch", "--parsable", "--cpus-per-task=1", "--array=0-3", filepath.Join(deploy, "sweep.sbatch"))

	c.waitFor(t, "empty queue", func() bool {
		q, err := c.command("squeue", "-h").Output()
		return err == nil && strings.TrimSpace(string(q)) == ""
	})
	t.Logf("all jobs done %v after the start", time.Since(start).Round(time.Millisecond))

	evalCmd := append([]string{"eval", "-model", model, "-data", "bas:4", "-method", "ais"}, evalArgs...)
	_, want, _ := runCmd(t, evalCmd...)
	_, wantJSON, _ := runCmd(t, append(evalCmd, "-json")...)
	got, err := os.ReadFile(filepath.Join(out, "result.txt"))
	if err != nil {
		t.Fatalf("no merged result: %v\n%s", err, c.logs())
	}
	gotJSON, _ := os.ReadFile(filepath.Join(out, "result.json"))
	if string(got) != want || string(gotJSON) != wantJSON {
		t.Errorf("merged over Slurm:\n%s\n%s\nsingle process:\n%s\n%s", got, gotJSON, want, wantJSON)
	}
	parts, _ := filepath.Glob(filepath.Join(out, "part-*.json"))
	if len(parts) != 4 {
		t.Errorf("%d partials, want 4", len(parts))
	}

	code, stdout, stderr := runCmd(t, "sweep", "summary", "-json", sweep)
	if code != 0 {
		t.Fatalf("sweep summary: exit %d: %s", code, stderr)
	}
	if done := strings.Count(stdout, `"status": "done"`); done != 4 || strings.Count(stdout, `"metric": "test_log_likelihood"`) != 4 {
		t.Errorf("sweep over Slurm: %d of 4 tasks done:\n%s", done, stdout)
	}
	t.Logf("Slurm integration test: %v in all", time.Since(start).Round(time.Millisecond))
}
