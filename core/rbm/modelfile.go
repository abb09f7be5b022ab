package rbm

import (
	"encoding/json"
	"fmt"
	"regexp"
	"runtime/debug"
	"strconv"

	"github.com/isingrbm/isingrbm/asm"
	"github.com/isingrbm/isingrbm/core/npy"
	"reflect"
	"strings"
)

// Meta is the content of a model file's meta.json member.
type Meta struct {
	Program string            `json:"program"` // program version
	Kernels map[string]string `json:"kernels"` // active implementation per kernel package
	Sizes   []int             `json:"sizes"`   // unit counts, visible first
	Config  *Config           `json:"config,omitempty"`
	Seed    uint64            `json:"seed"`
	History *History          `json:"history,omitempty"`
	// Extra holds whatever the caller adds (data file, lattice, K, ...).
	Extra map[string]any `json:"extra,omitempty"`
	// Checkpoint is set in checkpoint files only.
	Checkpoint *CheckpointInfo `json:"checkpoint,omitempty"`
}

// CheckpointInfo locates a checkpoint in the training run.
type CheckpointInfo struct {
	Layer    int    `json:"layer"`     // layer in training, from 0
	Epoch    int    `json:"epoch"`     // epochs of that layer completed
	DataN    int    `json:"data_n"`    // samples of the training input
	DataD    int    `json:"data_d"`    // units per sample
	DataHash string `json:"data_hash"` // FNV-1a of the data, hex
}

// ProgramVersion is the module version of the running binary, or "devel"
// followed by the VCS revision when built from a checkout.
func ProgramVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}

func (m *Meta) fill(d *DBN) {
	if m.Program == "" {
		m.Program = ProgramVersion()
	}
	if m.Kernels == nil {
		m.Kernels = map[string]string{}
		for _, p := range asm.Packages() {
			m.Kernels[p] = asm.Active(p)
		}
		m.Kernels["f32"] = asm.Active("f32")
	}
	m.Sizes = d.Sizes()
	if m.Config != nil {
		m.Seed = m.Config.Seed
	}
}

// Save writes d to path as an .npz that numpy.load reads: float32 arrays W0,
// b0, c0, W1, ... (Wk of shape (n_visible, n_hidden)), the snapshots
// (W0_epoch050, ...), and meta.json. The file is replaced atomically.
// Program, Kernels and Sizes of meta are filled in when empty.
func (d *DBN) Save(path string, meta Meta) error {
	if err := d.Check(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	meta.fill(d)
	return writeNPZ(path, d, &meta, nil)
}

// writeNPZ writes d, meta and the extra arrays (name -> shape, data).
func writeNPZ(path string, d *DBN, meta *Meta, extra []namedArray) error {
	js, err := json.MarshalIndent(meta, "", " ")
	if err != nil {
		return fmt.Errorf("%s: meta.json: %w", path, err)
	}
	w, err := npy.CreateNPZ(path)
	if err != nil {
		return err
	}
	arrays := []namedArray{}
	for k, l := range d.Layers {
		arrays = append(arrays,
			namedArray{fmt.Sprintf("W%d", k), []int{l.NVisible, l.NHidden}, l.W},
			namedArray{fmt.Sprintf("b%d", k), []int{l.NVisible}, l.B},
			namedArray{fmt.Sprintf("c%d", k), []int{l.NHidden}, l.C})
	}
	for _, s := range d.Snapshots {
		l := d.Layers[s.Layer]
		arrays = append(arrays, namedArray{s.Name(), []int{l.NVisible, l.NHidden}, s.W})
	}
	arrays = append(arrays, extra...)
	for _, a := range arrays {
		if err := w.WriteFloat32(a.name, a.shape, a.data); err != nil {
			w.Abort()
			return fmt.Errorf("%s: %s: %w", path, a.name, err)
		}
	}
	if err := w.WriteFile("meta.json", js); err != nil {
		w.Abort()
		return fmt.Errorf("%s: meta.json: %w", path, err)
	}
	return w.Close()
}

type namedArray struct {
	name  string
	shape []int
	data  []float32
}

var snapshotName = regexp.MustCompile(`^W(\d+)_epoch(\d+)$`)

// LoadDBN reads a model file written by Save (or any .npz holding float32
// or float64 arrays W0, b0, c0, ... of consistent shapes; meta.json is
// optional).
func LoadDBN(path string) (*DBN, Meta, error) {
	z, err := npy.ReadNPZ(path)
	if err != nil {
		return nil, Meta{}, err
	}
	return dbnFromNPZ(path, z)
}

func lookup(z *npy.NPZ, name string) *npy.Array {
	if a, ok := z.Arrays[name]; ok {
		return a
	}
	return z.Arrays[name+".npy"]
}

func dbnFromNPZ(path string, z *npy.NPZ) (*DBN, Meta, error) {
	var err error
	var meta Meta
	if js, ok := z.Files["meta.json"]; ok {
		if err := json.Unmarshal(js, &meta); err != nil {
			return nil, meta, fmt.Errorf("%s: meta.json: %w", path, err)
		}
	}
	d := &DBN{}
	for k := 0; ; k++ {
		wa := lookup(z, fmt.Sprintf("W%d", k))
		if wa == nil {
			break
		}
		name := func(s string) string { return fmt.Sprintf("%s: %s%d", path, s, k) }
		if len(wa.Shape) != 2 || wa.Shape[0] <= 0 || wa.Shape[1] <= 0 {
			return nil, meta, fmt.Errorf("%s: shape %v, want (n_visible, n_hidden)", name("W"), wa.Shape)
		}
		nv, nh := wa.Shape[0], wa.Shape[1]
		r := &RBM{NVisible: nv, NHidden: nh}
		if r.W, err = floatData(name("W"), wa); err != nil {
			return nil, meta, err
		}
		ba, ca := lookup(z, fmt.Sprintf("b%d", k)), lookup(z, fmt.Sprintf("c%d", k))
		if ba == nil || ca == nil {
			return nil, meta, fmt.Errorf("%s: W%d present but b%d or c%d missing", path, k, k, k)
		}
		if len(ba.Shape) != 1 || ba.Shape[0] != nv {
			return nil, meta, fmt.Errorf("%s: shape %v, want (%d,) to match W%d %v", name("b"), ba.Shape, nv, k, wa.Shape)
		}
		if len(ca.Shape) != 1 || ca.Shape[0] != nh {
			return nil, meta, fmt.Errorf("%s: shape %v, want (%d,) to match W%d %v", name("c"), ca.Shape, nh, k, wa.Shape)
		}
		if r.B, err = floatData(name("b"), ba); err != nil {
			return nil, meta, err
		}
		if r.C, err = floatData(name("c"), ca); err != nil {
			return nil, meta, err
		}
		d.Layers = append(d.Layers, r)
	}
	if len(d.Layers) == 0 {
		return nil, meta, fmt.Errorf("%s: no array W0, not a model file", path)
	}
	if err := d.Check(); err != nil {
		return nil, meta, fmt.Errorf("%s: %w", path, err)
	}
	for name, a := range z.Arrays {
		m := snapshotName.FindStringSubmatch(name)
		if m == nil {
			continue
		}
		layer, _ := strconv.Atoi(m[1])
		epoch, _ := strconv.Atoi(m[2])
		if layer >= len(d.Layers) {
			return nil, meta, fmt.Errorf("%s: snapshot %s of a layer the model does not have", path, name)
		}
		l := d.Layers[layer]
		if len(a.Shape) != 2 || a.Shape[0] != l.NVisible || a.Shape[1] != l.NHidden {
			return nil, meta, fmt.Errorf("%s: %s: shape %v, want (%d, %d)", path, name, a.Shape, l.NVisible, l.NHidden)
		}
		w, err := floatData(path+": "+name, a)
		if err != nil {
			return nil, meta, err
		}
		d.Snapshots = append(d.Snapshots, Snapshot{Layer: layer, Epoch: epoch, W: w})
	}
	sortSnapshots(d.Snapshots)
	return d, meta, nil
}

func sortSnapshots(s []Snapshot) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && (s[j].Layer < s[j-1].Layer || s[j].Layer == s[j-1].Layer && s[j].Epoch < s[j-1].Epoch); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// floatData returns the elements of a (float32 or float64, any byte and
// storage order) as float32 in C order.
func floatData(name string, a *npy.Array) ([]float32, error) {
	n := 1
	for _, s := range a.Shape {
		n *= s
	}
	var size int
	switch a.Descr {
	case "<f4", "=f4", ">f4":
		size = 4
	case "<f8", "=f8", ">f8":
		size = 8
	default:
		return nil, fmt.Errorf("%s: dtype %s, want <f4 (or <f8)", name, a.Descr)
	}
	if len(a.Data) != n*size {
		return nil, fmt.Errorf("%s: %d data bytes for shape %v and dtype %s, want %d", name, len(a.Data), a.Shape, a.Descr, n*size)
	}
	b := *a
	b.Name = name
	return b.Float32()
}

// writeCheckpoint saves the training state atomically.
func writeCheckpoint(path string, st *trainState) error {
	cfg := st.cfg
	meta := Meta{
		Config:  &cfg,
		History: st.hist,
		Checkpoint: &CheckpointInfo{Layer: st.layer, Epoch: st.epoch, DataN: st.dataN, DataD: st.dataD,
			DataHash: fmt.Sprintf("%016x", st.dataHash)},
	}
	meta.fill(st.dbn)
	meta.Sizes = st.sizes
	var extra []namedArray
	if st.velW != nil {
		r := st.dbn.Layers[st.layer]
		extra = append(extra,
			namedArray{"velW", []int{r.NVisible, r.NHidden}, st.velW},
			namedArray{"velB", []int{r.NVisible}, st.velB},
			namedArray{"velC", []int{r.NHidden}, st.velC})
		if st.chains != nil {
			extra = append(extra, namedArray{"chains", []int{cfg.Batch, r.NHidden}, st.chains})
		}
	}
	if err := writeNPZ(path, st.dbn, &meta, extra); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// readCheckpoint restores a training state written by writeCheckpoint.
func readCheckpoint(path string) (*trainState, error) {
	z, err := npy.ReadNPZ(path)
	if err != nil {
		return nil, err
	}
	if len(z.Arrays) == 0 || lookup(z, "W0") == nil {
		// A checkpoint taken before the first layer's first epoch has no
		// layers yet.
		if _, ok := z.Files["meta.json"]; !ok {
			return nil, fmt.Errorf("%s: not a checkpoint (no meta.json)", path)
		}
	}
	var meta Meta
	if err := json.Unmarshal(z.Files["meta.json"], &meta); err != nil {
		return nil, fmt.Errorf("%s: meta.json: %w", path, err)
	}
	ci := meta.Checkpoint
	if ci == nil || meta.Config == nil || meta.History == nil {
		return nil, fmt.Errorf("%s: not a checkpoint (meta.json has no checkpoint, config or history)", path)
	}
	st := &trainState{cfg: *meta.Config, sizes: meta.Sizes, layer: ci.Layer, epoch: ci.Epoch,
		hist: meta.History, dataN: ci.DataN, dataD: ci.DataD, dbn: &DBN{}}
	if st.dataHash, err = strconv.ParseUint(ci.DataHash, 16, 64); err != nil {
		return nil, fmt.Errorf("%s: data hash %q: %w", path, ci.DataHash, err)
	}
	if err := st.cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: config: %w", path, err)
	}
	if lookup(z, "W0") != nil {
		d, _, err := dbnFromNPZ(path, z)
		if err != nil {
			return nil, err
		}
		st.dbn = d
	}
	if len(st.sizes) < 2 || st.layer < 0 || st.layer >= len(st.sizes)-1 || len(st.dbn.Layers) > st.layer+1 || len(st.dbn.Layers) < st.layer {
		return nil, fmt.Errorf("%s: checkpoint at layer %d with %d trained layers and sizes %v is inconsistent", path, st.layer, len(st.dbn.Layers), st.sizes)
	}
	for k, l := range st.dbn.Layers {
		if l.NVisible != st.sizes[k] || l.NHidden != st.sizes[k+1] {
			return nil, fmt.Errorf("%s: layer %d is %d x %d, sizes %v", path, k, l.NVisible, l.NHidden, st.sizes)
		}
	}
	if len(st.dbn.Layers) == st.layer+1 {
		r := st.dbn.Layers[st.layer]
		get := func(name string, n int) ([]float32, error) {
			a := lookup(z, name)
			if a == nil {
				return nil, fmt.Errorf("%s: checkpoint lacks %s", path, name)
			}
			v, err := floatData(path+": "+name, a)
			if err == nil && len(v) != n {
				err = fmt.Errorf("%s: %s has %d values, want %d", path, name, len(v), n)
			}
			return v, err
		}
		if st.velW, err = get("velW", len(r.W)); err != nil {
			return nil, err
		}
		if st.velB, err = get("velB", len(r.B)); err != nil {
			return nil, err
		}
		if st.velC, err = get("velC", len(r.C)); err != nil {
			return nil, err
		}
		if st.cfg.PCD {
			if st.chains, err = get("chains", st.cfg.Batch*r.NHidden); err != nil {
				return nil, err
			}
		}
	}
	return st, nil
}

// ReadCheckpointMeta returns the meta.json of a checkpoint file.
func ReadCheckpointMeta(path string) (Meta, error) {
	var meta Meta
	z, err := npy.ReadNPZ(path)
	if err != nil {
		return meta, err
	}
	js, ok := z.Files["meta.json"]
	if !ok {
		return meta, fmt.Errorf("%s: not a checkpoint (no meta.json)", path)
	}
	if err := json.Unmarshal(js, &meta); err != nil {
		return meta, fmt.Errorf("%s: meta.json: %v", path, err)
	}
	if meta.Checkpoint == nil || meta.Config == nil || len(meta.Sizes) < 2 {
		return meta, fmt.Errorf("%s: not a checkpoint (meta.json has no checkpoint, config or layer sizes)", path)
	}
	return meta, nil
}

// ConfigDiff names the JSON fields in which a and b differ, leaving out the
// checkpoint path and interval (which a resumed run may change).
func ConfigDiff(a, b Config) []string {
	var out []string
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	t := va.Type()
	for i := 0; i < t.NumField(); i++ {
		name := strings.Split(t.Field(i).Tag.Get("json"), ",")[0]
		if name == "checkpoint_path" || name == "checkpoint_every" {
			continue
		}
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			out = append(out, name)
		}
	}
	return out
}
