package study

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/isingrbm/isingrbm/core/npy"
)

// SlurmOptions configure SubmitSlurm and WaitSlurm.
type SlurmOptions struct {
	// Dir is the study folder, shared by every node of the cluster. Job
	// scripts, logs and the record of submitted jobs go to Dir/slurm.
	Dir string
	// Command is the job's command line before the stage key, e.g.
	// {"/shared/bin/isingrbm-1a2b", "study", "stage", "-spec", "/shared/specs/3c4d.json"}.
	// Command[0] must be an executable file that every node can run.
	Command []string
	// Name prefixes the jobs' names (default "isingrbm").
	Name string
	// Partition, if set, is passed to sbatch as --partition.
	Partition string
	// TimeFactor > 0 asks for --time = TimeFactor x the estimated seconds,
	// at least MinTime; 0 leaves the time limit to the partition's default.
	TimeFactor float64
	MinTime    time.Duration
	// Extra are more sbatch arguments (e.g. --account=...), given to every job.
	Extra []string
	// Sbatch, Squeue and Scancel are the programs (default: found in PATH).
	Sbatch, Squeue, Scancel string
	// Log receives one line per submitted job and Wait's progress; nil discards.
	Log io.Writer
}

// Job is one sbatch submission: one stage, or an array of stages of one
// kind and level.
type Job struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Kind    string   `json:"kind"`
	Level   int      `json:"level"`
	Keys    []string `json:"keys"` // array task i runs Keys[i]
	Array   bool     `json:"array"`
	Cores   int      `json:"cores"`
	MemMiB  int      `json:"mem_mib"`
	Depends []string `json:"depends"` // job ids (array tasks as ID_i) it waits for, afterok
	Script  string   `json:"script"`
	Log     string   `json:"log"` // with %a for the array task
	seconds float64  // the largest estimate of its stages
}

// taskID is the Slurm id of the job that runs keys[i].
func (j Job) taskID(i int) string {
	if j.Array {
		return fmt.Sprintf("%s_%d", j.ID, i)
	}
	return j.ID
}

// logFile is the log file of keys[i].
func (j Job) logFile(i int) string {
	if j.Array {
		return strings.ReplaceAll(j.Log, "%a", fmt.Sprint(i))
	}
	return j.Log
}

// record is Dir/slurm/jobs.json: the job that last ran or runs each stage,
// and what each submitted job waits for. The dependencies are kept once
// per job, not with each of its array's tasks: an array of n tasks waits
// for up to n tasks of the stage before, and a copy per task made the
// record, and the memory to write it after every job, grow with the square
// of the runs (a study of 3,000 runs was killed at 24 GB).
type record struct {
	Stages  map[string]taskRef  `json:"stages"`
	Depends map[string][]string `json:"depends,omitempty"` // submitted job id -> ids it waits for
}

type taskRef struct {
	Job string `json:"job"` // Slurm id, ID_i for array tasks
	Log string `json:"log"`
	// Depends is read from records written before the dependencies were
	// kept per job (record.Depends); it is no longer written.
	Depends []string `json:"depends,omitempty"`
}

// dependsOf returns the ids that the job of the task ref waits for.
func (rec record) dependsOf(ref taskRef) []string {
	if d, ok := rec.Depends[arrayJobID(ref.Job)]; ok {
		return d
	}
	return ref.Depends
}

// arrayJobID is the id of the job a task id (ID or ID_i) belongs to.
func arrayJobID(task string) string {
	if i := strings.IndexByte(task, '_'); i >= 0 {
		return task[:i]
	}
	return task
}

// Submission is the outcome of SubmitSlurm.
type Submission struct {
	Jobs []Job `json:"jobs"` // submitted now
	// InFlight are stages already queued or running from an earlier
	// submission, with their Slurm ids; they were not submitted again.
	InFlight map[string]string `json:"in_flight"`
	// Done is the number of stages done before the submission.
	Done int `json:"done"`
	// Cancelled are the queued jobs that could never start (they waited
	// for a job that ended without completing its stage) and were cancelled.
	Cancelled []string `json:"cancelled"`
}

// Submitted returns the number of stages submitted.
func (s *Submission) Submitted() int {
	n := 0
	for _, j := range s.Jobs {
		n += len(j.Keys)
	}
	return n
}

func (o *SlurmOptions) prog(p *string, name string) error {
	if *p == "" {
		*p = name
	}
	if strings.ContainsRune(*p, filepath.Separator) {
		if st, err := os.Stat(*p); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			return fmt.Errorf("%s: %s is not an executable file", name, *p)
		}
		return nil
	}
	path, err := exec.LookPath(*p)
	if err != nil {
		return fmt.Errorf("%s is not in PATH (%v): is this a Slurm login node? Without Slurm, run the study here with `isingrbm study run`", *p, err)
	}
	*p = path
	return nil
}

// Check verifies the options before anything is submitted: the Slurm
// programs are in PATH, the folder is an absolute path and writable and the
// command (when set) is an executable file. It fills in the programs' paths.
func (o *SlurmOptions) Check() error {
	for _, p := range []struct {
		p    *string
		name string
	}{{&o.Sbatch, "sbatch"}, {&o.Squeue, "squeue"}, {&o.Scancel, "scancel"}} {
		if err := o.prog(p.p, p.name); err != nil {
			return err
		}
	}
	if o.Name == "" {
		o.Name = "isingrbm"
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Dir == "" || !filepath.IsAbs(o.Dir) {
		return fmt.Errorf("study folder %q: want an absolute path (jobs run on other nodes)", o.Dir)
	}
	if err := CheckWritable(filepath.Join(o.Dir, "slurm", "logs")); err != nil {
		return fmt.Errorf("study folder: %w", err)
	}
	if err := CheckWritable(filepath.Join(o.Dir, "slurm", "jobs")); err != nil {
		return fmt.Errorf("study folder: %w", err)
	}
	if len(o.Command) == 0 {
		return nil
	}
	if st, err := os.Stat(o.Command[0]); err != nil || st.IsDir() || st.Mode()&0o111 == 0 || !filepath.IsAbs(o.Command[0]) {
		return fmt.Errorf("job command %q: want an absolute path to an executable file", o.Command[0])
	}
	return nil
}

// CheckWritable creates dir (and its parents) if needed and checks that a
// file can be created in it (npy.CheckDir).
func CheckWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot create folder %s: %v", dir, err)
	}
	return npy.CheckDir(dir)
}

// queued returns the jobs of this user in the queue (array tasks one per
// line) with their state and reason.
func (o *SlurmOptions) queued(ctx context.Context) (map[string][2]string, error) {
	args := []string{"-h", "-r", "-o", "%i|%T|%r"}
	if u, err := user.Current(); err == nil {
		args = append(args, "-u", u.Username)
	}
	out, err := runCmd(ctx, o.Squeue, args...)
	if err != nil {
		return nil, err
	}
	q := map[string][2]string{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Split(strings.TrimSpace(line), "|")
		if len(f) == 3 {
			q[f[0]] = [2]string{f[1], f[2]}
		}
	}
	return q, nil
}

// neverRuns reports whether a queued job will never start: a dependency
// failed.
func neverRuns(stateReason [2]string) bool {
	return stateReason[0] == "PENDING" && strings.Contains(stateReason[1], "DependencyNeverSatisfied")
}

func runCmd(ctx context.Context, prog string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, prog, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %v: %s", filepath.Base(prog), strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

func (o *SlurmOptions) recordPath() string { return filepath.Join(o.Dir, "slurm", "jobs.json") }

func (o *SlurmOptions) readRecord() (record, error) {
	rec := record{Stages: map[string]taskRef{}, Depends: map[string][]string{}}
	b, err := os.ReadFile(o.recordPath())
	if errors.Is(err, os.ErrNotExist) {
		return rec, nil
	}
	if err != nil {
		return rec, err
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		return rec, fmt.Errorf("%s: %v (remove it if no job of this study is queued)", o.recordPath(), err)
	}
	if rec.Stages == nil {
		rec.Stages = map[string]taskRef{}
	}
	if rec.Depends == nil {
		rec.Depends = map[string][]string{}
	}
	return rec, nil
}

func (o *SlurmOptions) writeRecord(rec record) error {
	return writeJSON(o.recordPath(), rec)
}

func writeJSON(path string, v any) error {
	js, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeBytesAtomic(path, append(js, '\n'))
}

// writeBytesAtomic writes b to path atomically (a temporary file renamed
// over it: a kill leaves the old file or the new one).
func writeBytesAtomic(path string, b []byte) error {
	return npy.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// memRequest is the memory asked of Slurm for a stage estimated at est
// MiB: a quarter more and 200 MiB for the Go runtime and the program, so
// that a cluster enforcing limits does not kill a stage whose estimate was
// a little short.
func memRequest(est int) int { return est + est/4 + 200 }

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// SubmitSlurm submits the stages of g that are not done and not already
// queued to Slurm: one job per kind and level of the graph (an array job
// when it has several stages), each waiting (afterok) for the jobs of its
// inputs, asking for the largest cores and memory estimate of its stages.
// Every task runs opt.Command followed by its stage key. Stages queued or
// running from an earlier submission are not submitted again; jobs that
// can never start because a dependency failed are cancelled and their
// stages submitted afresh. Nothing is submitted unless sbatch, squeue and
// scancel are found, the folder is writable and the command executable.
func SubmitSlurm(ctx context.Context, g Graph, opt SlurmOptions) (*Submission, error) {
	stages := g.Stages()
	if err := Validate(stages); err != nil {
		return nil, err
	}
	if err := opt.Check(); err != nil {
		return nil, err
	}
	if len(opt.Command) == 0 {
		return nil, errors.New("no job command")
	}
	rec, err := opt.readRecord()
	if err != nil {
		return nil, err
	}
	q, err := opt.queued(ctx)
	if err != nil {
		return nil, err
	}
	todo := Missing(g, stages)
	sub := &Submission{InFlight: map[string]string{}, Done: len(stages) - len(todo)}
	fresh, cancel := splitTodo(sub, stages, todo, rec, q)
	if len(cancel) > 0 {
		if _, err := runCmd(ctx, opt.Scancel, cancel...); err != nil {
			return nil, err
		}
		fmt.Fprintf(opt.Log, "cancelled %d job(s) that could not start: %s\n", len(cancel), strings.Join(cancel, " "))
		sub.Cancelled = cancel
	}
	jobOf := maps.Clone(sub.InFlight) // key -> Slurm id that computes it now
	for _, gr := range groupStages(stages, fresh) {
		j, err := opt.submitJob(ctx, opt.newJob(gr, jobOf))
		if err != nil {
			return sub, err
		}
		for i, k := range j.Keys {
			jobOf[k] = j.taskID(i)
			rec.Stages[k] = taskRef{Job: j.taskID(i), Log: j.logFile(i)}
		}
		if len(j.Depends) > 0 {
			rec.Depends[j.ID] = j.Depends
		}
		sub.Jobs = append(sub.Jobs, j)
		// Recorded at once, so that a submission cut short is known to the next.
		if err := opt.writeRecord(rec); err != nil {
			return sub, err
		}
		dep := ""
		if len(j.Depends) > 0 {
			dep = " after " + strings.Join(j.Depends, ",")
		}
		fmt.Fprintf(opt.Log, "submitted %-8s %s: %d stage(s), %d cores, %d MiB%s\n", j.ID, j.Name, len(j.Keys), j.Cores, memRequest(j.MemMiB), dep)
	}
	return sub, nil
}

// splitTodo sorts the stages not done (todo) into those queued or running
// from an earlier submission, which it adds to sub.InFlight, and those to
// submit now (fresh, in graph order). Queued jobs that can never start are
// returned in cancel (sorted, once each) and their stages are fresh.
func splitTodo(sub *Submission, stages, todo []Stage, rec record, q map[string][2]string) (fresh []Stage, cancel []string) {
	for _, s := range todo {
		ref, ok := rec.Stages[s.Key]
		if sr, queued := q[ref.Job]; ok && queued {
			if !neverRuns(sr) {
				sub.InFlight[s.Key] = ref.Job
				continue
			}
			cancel = append(cancel, ref.Job)
		}
		fresh = append(fresh, s)
	}
	idx := Index(stages)
	doomed := doomedJobs(stages, todo, rec, q)
	for k, job := range sub.InFlight {
		if doomed[job] {
			delete(sub.InFlight, k)
			cancel = append(cancel, job)
			fresh = append(fresh, stages[idx[k]])
		}
	}
	// Keep graph order.
	sort.SliceStable(fresh, func(a, b int) bool { return idx[fresh[a].Key] < idx[fresh[b].Key] })
	return fresh, slices.Compact(slices.Sorted(slices.Values(cancel)))
}

// doomedJobs returns the queued jobs that can never start: they wait for a
// job that ended without completing its stage (killed, failed), or for
// such a waiting job. They are to be cancelled and their stages submitted
// again. The jobs of an array share its dependencies, so the whole array
// is affected.
func doomedJobs(stages, todo []Stage, rec record, q map[string][2]string) map[string]bool {
	keysOf := map[string][]string{} // Slurm id -> stages it computes
	depsOf := map[string][]string{} // Slurm id -> ids it waits for
	for k, ref := range rec.Stages {
		keysOf[ref.Job] = append(keysOf[ref.Job], k)
		depsOf[ref.Job] = rec.dependsOf(ref)
	}
	todoKey := make(map[string]bool, len(todo))
	for _, t := range todo {
		todoKey[t.Key] = true
	}
	doneKey := map[string]bool{}
	for _, st := range stages {
		if !todoKey[st.Key] {
			doneKey[st.Key] = true
		}
	}
	doomed := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for _, job := range sortedMapKeys(depsOf) {
			if _, queued := q[job]; doomed[job] || !queued {
				continue
			}
			for _, d := range depsOf[job] {
				_, dQueued := q[d]
				lost := !dQueued && slices.ContainsFunc(keysOf[d], func(k string) bool { return !doneKey[k] })
				if lost || doomed[d] {
					doomed[job] = true
					changed = true
					break
				}
			}
		}
	}
	return doomed
}

// stageGroup are the stages of one kind at one level of the graph: one job.
type stageGroup struct {
	kind   string
	level  int
	stages []Stage
}

// groupStages groups the stages fresh (in graph order) by kind and level,
// lower levels first.
func groupStages(stages, fresh []Stage) []stageGroup {
	idx := Index(stages)
	levels := Levels(stages)
	var groups []stageGroup
	type kindLevel struct {
		kind  string
		level int
	}
	at := map[kindLevel]int{} // index in groups
	for _, s := range fresh {
		gk := kindLevel{s.Kind, levels[idx[s.Key]]}
		i, ok := at[gk]
		if !ok {
			i = len(groups)
			at[gk] = i
			groups = append(groups, stageGroup{kind: gk.kind, level: gk.level})
		}
		groups[i].stages = append(groups[i].stages, s)
	}
	sort.SliceStable(groups, func(a, b int) bool { return groups[a].level < groups[b].level })
	return groups
}

// newJob returns the job of a group, waiting for the jobs in jobOf that
// compute its inputs, with its name, script and log paths.
func (o *SlurmOptions) newJob(gr stageGroup, jobOf map[string]string) Job {
	j := Job{Kind: gr.kind, Level: gr.level, Array: len(gr.stages) > 1}
	deps := map[string]bool{}
	for _, s := range gr.stages {
		j.Keys = append(j.Keys, s.Key)
		j.Cores = max(j.Cores, s.Cores)
		j.MemMiB = max(j.MemMiB, s.MemMiB)
		j.seconds = max(j.seconds, s.Seconds)
		for _, in := range s.Inputs {
			if id, ok := jobOf[in]; ok {
				deps[id] = true
			}
		}
	}
	j.Depends = sortedMapKeys(deps)
	sum := sha256.Sum256([]byte(strings.Join(j.Keys, ",")))
	j.Name = fmt.Sprintf("%s-%s-%d-%s", o.Name, gr.kind, gr.level, hex.EncodeToString(sum[:4]))
	j.Script = filepath.Join(o.Dir, "slurm", "jobs", j.Name+".sh")
	if j.Array {
		j.Log = filepath.Join(o.Dir, "slurm", "logs", j.Name+"-%A_%a.out")
	} else {
		j.Log = filepath.Join(o.Dir, "slurm", "logs", j.Name+"-%j.out")
	}
	return j
}

// submitJob writes j's script and submits it; it returns j with its Slurm
// id and log path.
func (o *SlurmOptions) submitJob(ctx context.Context, j Job) (Job, error) {
	if err := o.writeScript(j); err != nil {
		return j, err
	}
	out, err := runCmd(ctx, o.Sbatch, o.sbatchArgs(j)...)
	if err != nil {
		return j, fmt.Errorf("submitting %s (%d stage(s)): %w", j.Name, len(j.Keys), err)
	}
	j.ID = strings.TrimSpace(strings.SplitN(strings.TrimSpace(out), ";", 2)[0])
	if j.ID == "" {
		return j, fmt.Errorf("sbatch printed no job id for %s", j.Name)
	}
	j.Log = strings.ReplaceAll(strings.ReplaceAll(j.Log, "%A", j.ID), "%j", j.ID)
	return j, nil
}

// writeScript writes j's script: array task i runs the command with the
// i-th key.
func (o *SlurmOptions) writeScript(j Job) error {
	cmd := make([]string, len(o.Command))
	for i, c := range o.Command {
		cmd[i] = shellQuote(c)
	}
	var script strings.Builder
	fmt.Fprintf(&script, "#!/bin/sh\n# %s: stages of kind %s at level %d of the study in %s.\n", j.Name, j.Kind, j.Level, o.Dir)
	fmt.Fprintf(&script, "set -- %s\n", strings.Join(j.Keys, " "))
	script.WriteString("shift \"${SLURM_ARRAY_TASK_ID:-0}\"\n")
	script.WriteString("[ $# -gt 0 ] || { echo \"array task ${SLURM_ARRAY_TASK_ID} has no stage\" >&2; exit 2; }\n")
	fmt.Fprintf(&script, "exec %s \"$1\"\n", strings.Join(cmd, " "))
	// Atomically, then made executable: a script cut short by a kill is
	// never left for sbatch.
	if err := writeBytesAtomic(j.Script, []byte(script.String())); err != nil {
		return err
	}
	return os.Chmod(j.Script, 0o755)
}

// sbatchArgs are the arguments of sbatch for job j.
func (o *SlurmOptions) sbatchArgs(j Job) []string {
	args := []string{"--parsable", "--job-name=" + j.Name, "--chdir=" + o.Dir,
		fmt.Sprintf("--cpus-per-task=%d", j.Cores), fmt.Sprintf("--mem=%d", memRequest(j.MemMiB)),
		"--ntasks=1", "--nodes=1", "--kill-on-invalid-dep=yes"}
	if j.Array {
		args = append(args, fmt.Sprintf("--array=0-%d", len(j.Keys)-1))
	}
	if o.Partition != "" {
		args = append(args, "--partition="+o.Partition)
	}
	if o.TimeFactor > 0 {
		limit := time.Duration(o.TimeFactor * j.seconds * float64(time.Second))
		limit = max(limit, o.MinTime, time.Minute)
		args = append(args, fmt.Sprintf("--time=%d", int(math.Ceil(limit.Minutes()))))
	}
	if len(j.Depends) > 0 {
		args = append(args, "--dependency=afterok:"+strings.Join(j.Depends, ":"))
	}
	args = append(args, "--output="+j.Log)
	args = append(args, o.Extra...)
	return append(args, j.Script)
}

// WaitSlurm polls squeue every poll until no job of the study's stages is
// queued or running, then checks every stage's marker. It returns nil when
// all stages are done and otherwise a *StageFailure naming each stage not
// done with its log file. Jobs that can never start because a dependency
// failed are cancelled. Accounting (sacct) is not needed.
func WaitSlurm(ctx context.Context, g Graph, opt SlurmOptions, poll time.Duration) error {
	stages := g.Stages()
	if err := opt.Check(); err != nil {
		return err
	}
	if poll <= 0 {
		poll = 5 * time.Second
	}
	last := ""
	for {
		line, active, err := opt.progress(ctx, g, stages)
		if err != nil {
			return err
		}
		if line != last {
			fmt.Fprintf(opt.Log, "%s %s\n", time.Now().Format("15:04:05"), line)
			last = line
		}
		if active == 0 {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("stopped waiting (the jobs keep running; `isingrbm study run -slurm -wait` again waits for them): %w", ctx.Err())
		case <-time.After(poll):
		}
	}
	return opt.waitOutcome(g, stages)
}

// progress polls the queue once: it cancels the jobs of the stages that
// can never start and returns a line saying how many stages are done,
// running and pending, and the number of stages queued or running.
func (o *SlurmOptions) progress(ctx context.Context, g Graph, stages []Stage) (line string, active int, err error) {
	rec, err := o.readRecord()
	if err != nil {
		return "", 0, err
	}
	q, err := o.queued(ctx)
	if err != nil {
		return "", 0, err
	}
	pending, runningN, done := 0, 0, 0
	reasons := map[string]int{}
	var stuck []string
	for _, s := range stages {
		if g.Done(s.Key) {
			done++
			continue
		}
		ref, ok := rec.Stages[s.Key]
		if !ok {
			continue
		}
		sr, queued := q[ref.Job]
		switch {
		case !queued:
		case neverRuns(sr):
			stuck = append(stuck, ref.Job)
		case sr[0] == "PENDING":
			pending++
			reasons[sr[1]]++
		default:
			runningN++
		}
	}
	if len(stuck) > 0 {
		sort.Strings(stuck)
		if _, err := runCmd(ctx, o.Scancel, stuck...); err != nil {
			return "", 0, err
		}
		fmt.Fprintf(o.Log, "cancelled %d job(s) whose inputs failed: %s\n", len(stuck), strings.Join(stuck, " "))
	}
	return progressLine(done, len(stages), runningN, pending, reasons), pending + runningN, nil
}

// progressLine says how many stages are done, running and pending, and
// why the pending ones wait unless it is for their inputs.
func progressLine(done, total, running, pending int, reasons map[string]int) string {
	line := fmt.Sprintf("%d of %d stages done, %d running, %d pending", done, total, running, pending)
	var why []string
	for _, r := range sortedMapKeys(reasons) {
		if r != "Dependency" && r != "None" {
			why = append(why, fmt.Sprintf("%s %d", r, reasons[r]))
		}
	}
	if len(why) > 0 {
		line += " (" + strings.Join(why, ", ") + ")"
	}
	return line
}

// waitOutcome returns nil when every stage is done, else a *StageFailure
// naming each stage whose job ended without completing it, with its log.
func (o *SlurmOptions) waitOutcome(g Graph, stages []Stage) error {
	rec, err := o.readRecord()
	if err != nil {
		return err
	}
	var sf StageFailure
	missing := map[string]bool{}
	for _, s := range Missing(g, stages) {
		missing[s.Key] = true
		r := StageResult{Key: s.Key, Name: s.Name, Err: "not submitted"}
		if ref, ok := rec.Stages[s.Key]; ok {
			if slices.ContainsFunc(s.Inputs, func(in string) bool { return missing[in] }) {
				// It waited for a stage that failed.
				sf.Skipped++
				continue
			}
			r.Err = fmt.Sprintf("job %s ended without completing the stage (failed, cancelled or out of time); log %s%s", ref.Job, ref.Log, logTail(ref.Log))
		}
		sf.Failed = append(sf.Failed, r)
	}
	if len(sf.Failed) > 0 || sf.Skipped > 0 {
		return &sf
	}
	return nil
}

// logTail returns the last lines of a job's log, indented, or "".
func logTail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return " (none: the job did not start)"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	lines = lines[max(0, len(lines)-3):]
	if len(lines) == 1 && lines[0] == "" {
		return " (empty)"
	}
	return ":\n      " + strings.Join(lines, "\n      ")
}

func sortedMapKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// InstallBinary copies the executable exe into dir/bin under a name
// carrying its SHA-256, so that every job of a submission runs the same
// program even when exe is rebuilt meanwhile. It returns the copy's path;
// an existing copy is reused.
func InstallBinary(exe, dir string) (string, error) {
	f, err := os.Open(exe)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %v", exe, err)
	}
	dst := filepath.Join(dir, "bin", "isingrbm-"+hex.EncodeToString(h.Sum(nil))[:16])
	if st, err := os.Stat(dst); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
		return dst, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".isingrbm-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, f); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Chmod(0o755); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return dst, os.Rename(tmp.Name(), dst)
}
