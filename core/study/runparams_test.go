package study

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/isingrbm/isingrbm/core/replicate"
)

func TestRunParams(t *testing.T) {
	def := DefaultRunOptions()
	o := def
	for _, p := range RunParams() {
		if err := p.Set(&o, p.Get(&def)); err != nil {
			t.Errorf("%s: default %q: %v", p.Name, p.Get(&def), err)
		}
	}
	set := func(name, v string) error {
		for _, p := range RunParams() {
			if p.Name == name {
				return p.Set(&o, v)
			}
		}
		t.Fatalf("no param %s", name)
		return nil
	}
	for _, nv := range [][2]string{{"cores", "3"}, {"slurm", "true"}, {"poll", "300ms"}, {"sbatch-args", "--account=phys  -q x"}, {"time-factor", "0"}, {"binary", "/x"}} {
		if err := set(nv[0], nv[1]); err != nil {
			t.Fatal(err)
		}
	}
	if o.Cores != 3 || !o.Slurm || o.Submit.Poll != 300*time.Millisecond || len(o.Submit.Slurm.Extra) != 3 || o.Submit.Slurm.TimeFactor != 0 || o.Submit.Exe != "/x" {
		t.Fatalf("%+v", o)
	}
	for _, nv := range [][2]string{{"cores", "-1"}, {"poll", "10ms"}, {"poll", "x"}, {"time-factor", "1001"}, {"time-factor", "NaN"}, {"wait", "maybe"}} {
		if err := set(nv[0], nv[1]); err == nil || !strings.HasPrefix(err.Error(), "-"+nv[0]) {
			t.Errorf("-%s %s: %v", nv[0], nv[1], err)
		}
	}
	// -time-factor is read by param's bounded parser: spaces trimmed, one
	// wording, a literal that underflows refused rather than taken as 0
	// (the partition's default).
	if err := set("time-factor", " 2.5 "); err != nil || o.Submit.Slurm.TimeFactor != 2.5 {
		t.Errorf("-time-factor ' 2.5 ': %v %v", o.Submit.Slurm.TimeFactor, err)
	}
	for v, want := range map[string]string{
		"1001":   "-time-factor 1001: want a number in [0, 1000] (0: the partition's default)",
		"x":      "-time-factor x: want a number in [0, 1000] (0: the partition's default)",
		"1e-400": "-time-factor 1e-400: below the smallest normal float64 (2.225e-308), where it would round to 0 or lose precision; want a number in [0, 1000] (0: the partition's default)",
	} {
		if err := set("time-factor", v); err == nil || err.Error() != want {
			t.Errorf("-time-factor %s: %v, want %s", v, err, want)
		}
	}
	if o.Submit.Slurm.TimeFactor != 2.5 {
		t.Errorf("a refused -time-factor changed the factor to %v", o.Submit.Slurm.TimeFactor)
	}
	given := func(name string) bool { return name == "wait" }
	if err := def.CheckGiven(given); err == nil || !strings.Contains(err.Error(), "-wait: only with -slurm") {
		t.Errorf("%v", err)
	}
	if err := o.CheckGiven(given); err != nil {
		t.Error(err)
	}
}

func TestParseSpec(t *testing.T) {
	s := replicate.QuickSettings()
	sp, err := ParseSpec(s, "0.3,0.4", "1-3", 2)
	if err != nil || len(sp.Couplings) != 2 || len(sp.Seeds) != 3 || sp.Settings.Seeds != 2 {
		t.Fatalf("%+v %v", sp, err)
	}
	for _, c := range []struct {
		ks, seeds string
		train     int
		want      string
	}{{"0", "1", 1, "-K"}, {"0.3,0.3", "1", 1, "-K"}, {"0.3", "x", 1, "-seeds"}, {"0.3", "1", 0, "-train-seeds 0"}, {"0.3", "1", 1001, "-train-seeds"}} {
		if _, err := ParseSpec(s, c.ks, c.seeds, c.train); err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

func TestSubmitPrepare(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	o := DefaultRunOptions().Submit
	if err := o.Prepare(); err == nil || !strings.HasPrefix(err.Error(), "-slurm") || o.Exe == "" {
		t.Errorf("no sbatch: %v (exe %q)", err, o.Exe)
	}
	o.Exe = filepath.Join(t.TempDir(), "none")
	if err := o.Prepare(); err == nil || !strings.HasPrefix(err.Error(), "-binary") {
		t.Errorf("missing binary: %v", err)
	}
}

func TestSettingsParams(t *testing.T) {
	names := map[string]bool{}
	for _, p := range SettingsParams() {
		names[p.Name] = true
	}
	for _, n := range []string{"K", "seed", "seeds", "data-seeds", "threads"} {
		if names[n] {
			t.Errorf("-%s is set per run or stage, not for the study", n)
		}
	}
	if !names["L"] || !names["layers"] || !names["flow-depth"] || len(names) != len(replicate.SettingsParams())-5 {
		t.Errorf("%v", names)
	}
}
