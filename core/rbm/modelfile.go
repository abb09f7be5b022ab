package rbm

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/isingrbm/isingrbm/asm"
	"github.com/isingrbm/isingrbm/core/npy"
	"github.com/isingrbm/isingrbm/core/sysmem"
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

// TimingsSuffix names the sidecar file Save writes beside a model file: the
// per-epoch training seconds, which the model file itself leaves out so that
// the same seed gives a byte-identical model file ("model.npz.timings.json").
const TimingsSuffix = ".timings.json"

// maxMetaBytes bounds the meta.json member read from a model file or
// checkpoint: the most a training can write, its history of at most
// MaxHistoryEpochs epochs of maxEpochJSON bytes each and 16 MiB for the
// rest (a 200-epoch, three-layer history takes about 300 KiB; 16 MiB in
// all had refused the model of a 23,000-epoch layer, so that a long run
// could neither be read nor resumed). A larger one is refused by the size
// its zip entry declares, before it is inflated.
const maxMetaBytes = MaxHistoryEpochs*maxEpochJSON + 16<<20

// maxModelMembers bounds the members of a model file or checkpoint, as
// written (writeNPZ) and as read (modelNPZ): the most train can write, so
// that eval and train -resume read whatever it wrote (npy's default of
// 4096 had refused the model of a 2100-epoch run with -snapshot-every 1).
// Up to MaxLayers layers of W, b and c each, and for each of the up to
// MaxHistoryEpochs epochs of all layers a snapshot of W and c
// (-snapshot-every 1); a checkpoint adds velW, velB, velC, chains, cenB,
// cenC and cenLam; and meta.json.
const maxModelMembers = 3*MaxLayers + 2*MaxHistoryEpochs + 7 + 1

// Save writes d to path as an .npz that numpy.load reads: float32 arrays W0,
// b0, c0, W1, ... (Wk of shape (n_visible, n_hidden)), the snapshots
// (W0_epoch050, c0_epoch050, ...), and meta.json. The file is replaced atomically.
// Program, Kernels and Sizes of meta are filled in when empty. The epochs'
// seconds go to path+TimingsSuffix, not into the model file (LoadDBN puts
// them back).
func (d *DBN) Save(path string, meta Meta) error {
	return d.SaveWith(path, meta, npy.WriteOptions{})
}

// SaveWith is Save with the options of the atomic writes (whether an
// existing output that is not a regular file may be replaced).
func (d *DBN) SaveWith(path string, meta Meta, opt npy.WriteOptions) error {
	if err := d.Check(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	meta.fill(d)
	timings := meta.History.seconds()
	if timings != nil {
		meta.History = meta.History.withoutSeconds()
	}
	if err := writeNPZ(path, opt, d, &meta, nil); err != nil {
		return err
	}
	if timings == nil {
		return nil
	}
	js, err := json.Marshal(map[string]any{"seconds": timings})
	if err != nil {
		return err
	}
	return npy.WriteFileAtomicWith(path+TimingsSuffix, opt, func(w io.Writer) error {
		_, err := w.Write(append(js, '\n'))
		return err
	})
}

// writeNPZ writes d, meta and the extra arrays (name -> shape, data).
func writeNPZ(path string, opt npy.WriteOptions, d *DBN, meta *Meta, extra []namedArray) error {
	js, err := json.MarshalIndent(meta, "", " ")
	if err != nil {
		return fmt.Errorf("%s: meta.json: %w", path, err)
	}
	opt.MaxMembers = maxModelMembers
	w, err := npy.CreateNPZWith(path, false, opt)
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
		if s.C != nil {
			arrays = append(arrays, namedArray{s.BiasName(), []int{l.NHidden}, s.C})
		}
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

var snapshotName = regexp.MustCompile(`^([Wc])(\d+)_epoch(\d+)$`)

// modelNPZ opens a model or checkpoint file with a byte limit on what is
// inflated of the memory this process may plan for (sysmem.Limit, as the
// training that wrote the file did): npy's default of 256 MiB had refused
// the models and checkpoints of layers that train allows (a 1600 x 21,000
// layer's checkpoint is 269 MB), so that an interrupted run could not
// resume; and a floor of 256 MiB had let a model that size be read whole
// under a lower ISINGRBM_MAX_MEMORY before eval refused it (a limit below
// one byte is one byte, not npy's default). It accepts
// maxModelMembers members.
func modelNPZ(path string) (*npy.NPZReader, error) {
	limit, _ := sysmem.Limit()
	return npy.OpenNPZWith(path, npy.NPZOptions{MaxBytes: max(1, int64(min(limit, math.MaxInt64/2))), MaxMembers: maxModelMembers})
}

// FileBytes is about the size of d's model file: its float32 weights and
// biases, those of its snapshots too (meta.json and the archive's headers
// aside). Counted in an int: at most 2^20 x 2^20 floats a layer.
func (d *DBN) FileBytes() float64 {
	n := 0
	for _, l := range d.Layers {
		n += l.NVisible*l.NHidden + l.NVisible + l.NHidden
	}
	for _, sn := range d.Snapshots {
		n += len(sn.W) + len(sn.C)
	}
	return 4 * float64(n)
}

// LoadDBN reads a model file written by Save (or any .npz holding float32
// or float64 arrays W0, b0, c0, ... of consistent shapes; meta.json is
// optional), with its snapshots. Only the members it uses are inflated,
// each checked against its CRC-32 and size (package npy's NPZReader, with
// modelNPZ's byte limit). The epochs' seconds come from the sidecar
// path+TimingsSuffix when it is there and fits the history. The snapshots
// can outweigh the layers many times (SnapshotBytes): callers that do not
// use them call LoadDBNLayers.
func LoadDBN(path string) (*DBN, Meta, error) { return loadDBN(path, true) }

// LoadDBNLayers is LoadDBN without the snapshots (Snapshots is nil): their
// members are neither inflated nor allocated, only their names checked as
// LoadDBN checks them (no snapshot of a layer the model lacks, no bias
// snapshot without its weights), so that it holds the layers and meta.json
// whatever the number of snapshots. The layers and meta are LoadDBN's.
func LoadDBNLayers(path string) (*DBN, Meta, error) { return loadDBN(path, false) }

func loadDBN(path string, snapshots bool) (*DBN, Meta, error) {
	z, err := modelNPZ(path)
	if err != nil {
		return nil, Meta{}, err
	}
	defer z.Close()
	d, meta, err := dbnFromNPZ(path, z, snapshots)
	if err == nil {
		meta.History.mergeSeconds(path + TimingsSuffix)
	}
	return d, meta, err
}

// SnapshotBytes returns the memory the snapshots of a training with cfg of
// layers of sizes take, kept in training (TrainDBN) or read back
// (LoadDBN): the float32 W and c of every layer every cfg.SnapshotEvery
// epochs, 4 (nv nh + nh) bytes each. LoadDBNLayers reads none of them.
func SnapshotBytes(sizes []int, cfg Config) float64 {
	if cfg.SnapshotEvery <= 0 {
		return 0
	}
	per := float64(cfg.Epochs / cfg.SnapshotEvery)
	need := 0.0
	for l := 0; l+1 < len(sizes); l++ {
		nv, nh := float64(sizes[l]), float64(sizes[l+1])
		need += float64((float64(4*nv*nh) + float64(4*nh)) * per)
	}
	return need
}

// readMeta returns the archive's meta.json (ok false when it has none).
func readMeta(path string, z *npy.NPZReader) (meta Meta, ok bool, err error) {
	if !z.Has("meta.json") {
		return meta, false, nil
	}
	js, err := z.FileMax("meta.json", maxMetaBytes) // refused before it is inflated when larger
	if err != nil {
		return meta, true, err
	}
	if err := json.Unmarshal(js, &meta); err != nil {
		return meta, true, fmt.Errorf("%s: meta.json: %w", path, err)
	}
	return meta, true, nil
}

// member returns array name of z, or nil when z has no such member.
func member(z *npy.NPZReader, name string) (*npy.Array, error) {
	if !z.Has(name + ".npy") {
		return nil, nil
	}
	return z.Array(name)
}

// layerFromNPZ reads W<k>, b<k>, c<k>; nil (and no error) when W<k> is
// absent.
func layerFromNPZ(path string, z *npy.NPZReader, k int) (*RBM, error) {
	wa, err := member(z, fmt.Sprintf("W%d", k))
	if wa == nil || err != nil {
		return nil, err
	}
	name := func(s string) string { return fmt.Sprintf("%s: %s%d", path, s, k) }
	if len(wa.Shape) != 2 || wa.Shape[0] <= 0 || wa.Shape[1] <= 0 {
		return nil, fmt.Errorf("%s: shape %v, want (n_visible, n_hidden)", name("W"), wa.Shape)
	}
	nv, nh := wa.Shape[0], wa.Shape[1]
	r := &RBM{NVisible: nv, NHidden: nh}
	if r.W, err = floatData(name("W"), wa); err != nil {
		return nil, err
	}
	ba, err := member(z, fmt.Sprintf("b%d", k))
	if err != nil {
		return nil, err
	}
	ca, err := member(z, fmt.Sprintf("c%d", k))
	if err != nil {
		return nil, err
	}
	if ba == nil || ca == nil {
		return nil, fmt.Errorf("%s: W%d present but b%d or c%d missing", path, k, k, k)
	}
	if len(ba.Shape) != 1 || ba.Shape[0] != nv {
		return nil, fmt.Errorf("%s: shape %v, want (%d,) to match W%d %v", name("b"), ba.Shape, nv, k, wa.Shape)
	}
	if len(ca.Shape) != 1 || ca.Shape[0] != nh {
		return nil, fmt.Errorf("%s: shape %v, want (%d,) to match W%d %v", name("c"), ca.Shape, nh, k, wa.Shape)
	}
	if r.B, err = floatData(name("b"), ba); err != nil {
		return nil, err
	}
	r.C, err = floatData(name("c"), ca)
	return r, err
}

// dbnFromNPZ reads the layers (and, with snapshots, the snapshots) and the
// meta.json of a model file or checkpoint.
func dbnFromNPZ(path string, z *npy.NPZReader, snapshots bool) (*DBN, Meta, error) {
	meta, _, err := readMeta(path, z)
	if err != nil {
		return nil, meta, err
	}
	d := &DBN{}
	for k := 0; ; k++ {
		r, err := layerFromNPZ(path, z, k)
		if err != nil {
			return nil, meta, err
		}
		if r == nil {
			break
		}
		d.Layers = append(d.Layers, r)
	}
	if len(d.Layers) == 0 {
		return nil, meta, fmt.Errorf("%s: no array W0, not a model file", path)
	}
	if err := d.Check(); err != nil {
		return nil, meta, fmt.Errorf("%s: %w", path, err)
	}
	members, err := snapshotMembers(path, z, d)
	if err != nil {
		return nil, meta, err
	}
	if snapshots {
		if d.Snapshots, err = snapshotsFromNPZ(path, z, d, members); err != nil {
			return nil, meta, err
		}
	}
	return d, meta, nil
}

// snapshotMember is a member W<layer>_epoch<N> (bias false) or
// c<layer>_epoch<N> (bias true) of a model file, as named.
type snapshotMember struct {
	name         string // without ".npy"
	layer, epoch int
	bias         bool
}

// snapshotMembers returns the snapshot members of z in archive order, from
// their names alone (nothing is inflated): a snapshot of a layer d lacks,
// or a bias snapshot c without its W (files written before 2026-12-04
// have W only), is an error.
func snapshotMembers(path string, z *npy.NPZReader, d *DBN) ([]snapshotMember, error) {
	var out []snapshotMember
	weights := map[[2]int]bool{}
	for _, member := range z.Names() {
		name, ok := strings.CutSuffix(member, ".npy")
		m := snapshotName.FindStringSubmatch(name)
		if !ok || m == nil {
			continue
		}
		layer, err1 := strconv.Atoi(m[2])
		epoch, err2 := strconv.Atoi(m[3])
		if err1 != nil || err2 != nil || layer >= len(d.Layers) {
			return nil, fmt.Errorf("%s: snapshot %s of a layer the model does not have", path, name)
		}
		sm := snapshotMember{name: name, layer: layer, epoch: epoch, bias: m[1] == "c"}
		if !sm.bias {
			weights[[2]int{layer, epoch}] = true
		}
		out = append(out, sm)
	}
	// Name the first orphan by layer and epoch, the same one every time.
	orphans, first := map[[2]int]bool{}, [2]int{math.MaxInt, math.MaxInt}
	for _, sm := range out {
		key := [2]int{sm.layer, sm.epoch}
		if !sm.bias || weights[key] {
			continue
		}
		orphans[key] = true
		if key[0] < first[0] || key[0] == first[0] && key[1] < first[1] {
			first = key
		}
	}
	if len(orphans) > 0 {
		sn := Snapshot{Layer: first[0], Epoch: first[1]}
		return nil, fmt.Errorf("%s: %d bias snapshot(s) without their weights, the first %s (no %s)", path, len(orphans), sn.BiasName(), sn.Name())
	}
	return out, nil
}

// snapshotsFromNPZ reads the snapshot members of d's layers
// (snapshotMembers): W<layer>_epoch<N> and their hidden biases
// c<layer>_epoch<N>, which files written before 2026-12-04 lack.
func snapshotsFromNPZ(path string, z *npy.NPZReader, d *DBN, members []snapshotMember) ([]Snapshot, error) {
	var out []Snapshot
	biases := map[[2]int][]float32{}
	for _, sm := range members {
		name := sm.name
		a, err := z.Array(name)
		if err != nil {
			return nil, err
		}
		l := d.Layers[sm.layer]
		if sm.bias {
			if len(a.Shape) != 1 || a.Shape[0] != l.NHidden {
				return nil, fmt.Errorf("%s: %s: shape %v, want (%d,)", path, name, a.Shape, l.NHidden)
			}
			if biases[[2]int{sm.layer, sm.epoch}], err = floatData(path+": "+name, a); err != nil {
				return nil, err
			}
			continue
		}
		if len(a.Shape) != 2 || a.Shape[0] != l.NVisible || a.Shape[1] != l.NHidden {
			return nil, fmt.Errorf("%s: %s: shape %v, want (%d, %d)", path, name, a.Shape, l.NVisible, l.NHidden)
		}
		w, err := floatData(path+": "+name, a)
		if err != nil {
			return nil, err
		}
		out = append(out, Snapshot{Layer: sm.layer, Epoch: sm.epoch, W: w})
	}
	for i := range out {
		key := [2]int{out[i].Layer, out[i].Epoch}
		out[i].C = biases[key]
		delete(biases, key)
	}
	sortSnapshots(out)
	return out, nil
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
		if st.cenB != nil {
			// The centered biases: the layer's b and c are derived from
			// them, and a resumed run continues from these bits.
			extra = append(extra,
				namedArray{"cenB", []int{r.NVisible}, st.cenB},
				namedArray{"cenC", []int{r.NHidden}, st.cenC})
			if st.cfg.CenterSlide > 0 {
				// The running hidden offsets (fixed ones are hiddenOffset).
				extra = append(extra, namedArray{"cenLam", []int{r.NHidden}, st.cenLam})
			}
		}
	}
	if err := writeNPZ(path, npy.WriteOptions{}, st.dbn, &meta, extra); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// readCheckpoint restores a training state written by writeCheckpoint.
func readCheckpoint(path string) (*trainState, error) {
	z, err := modelNPZ(path)
	if err != nil {
		return nil, err
	}
	defer z.Close()
	meta, err := checkpointMeta(path, z)
	if err != nil {
		return nil, err
	}
	if meta.History == nil {
		return nil, fmt.Errorf("%s: not a checkpoint (meta.json has no history)", path)
	}
	ci := meta.Checkpoint
	st := &trainState{cfg: *meta.Config, sizes: meta.Sizes, layer: ci.Layer, epoch: ci.Epoch,
		hist: meta.History, dataN: ci.DataN, dataD: ci.DataD, dbn: &DBN{}}
	if st.dataHash, err = strconv.ParseUint(ci.DataHash, 16, 64); err != nil {
		return nil, fmt.Errorf("%s: data hash %q: %w", path, ci.DataHash, err)
	}
	// A checkpoint taken before the first layer's first epoch has no
	// layers yet.
	if z.Has("W0.npy") {
		if st.dbn, _, err = dbnFromNPZ(path, z, true); err != nil {
			return nil, err
		}
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
		if err := st.readVelocities(path, z); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// readVelocities reads the momentum (and PCD chains, and the centered
// biases of Config.Center) of the layer in training from a checkpoint.
func (st *trainState) readVelocities(path string, z *npy.NPZReader) error {
	r := st.dbn.Layers[st.layer]
	get := func(name string, n int) ([]float32, error) {
		a, err := member(z, name)
		if err != nil {
			return nil, err
		}
		if a == nil {
			return nil, fmt.Errorf("%s: checkpoint lacks %s", path, name)
		}
		v, err := floatData(path+": "+name, a)
		if err == nil && len(v) != n {
			err = fmt.Errorf("%s: %s has %d values, want %d", path, name, len(v), n)
		}
		return v, err
	}
	var err error
	if st.velW, err = get("velW", len(r.W)); err != nil {
		return err
	}
	if st.velB, err = get("velB", len(r.B)); err != nil {
		return err
	}
	if st.velC, err = get("velC", len(r.C)); err != nil {
		return err
	}
	if st.cfg.PCD {
		if st.chains, err = get("chains", st.cfg.Batch*r.NHidden); err != nil {
			return err
		}
	}
	if st.cfg.Center {
		if st.cenB, err = get("cenB", len(r.B)); err != nil {
			return err
		}
		if st.cenC, err = get("cenC", len(r.C)); err != nil {
			return err
		}
		st.cenLam = initialOffsets(r.NHidden)
		if st.cfg.CenterSlide > 0 {
			st.cenLam, err = get("cenLam", r.NHidden)
		}
	}
	return err
}

// checkpointMeta reads and checks the meta.json of a checkpoint.
func checkpointMeta(path string, z *npy.NPZReader) (Meta, error) {
	meta, ok, err := readMeta(path, z)
	if err != nil {
		return meta, err
	}
	if !ok {
		return meta, fmt.Errorf("%s: not a checkpoint (no meta.json)", path)
	}
	if meta.Checkpoint == nil || meta.Config == nil || len(meta.Sizes) < 2 {
		return meta, fmt.Errorf("%s: not a checkpoint (meta.json has no checkpoint, config or layer sizes)", path)
	}
	if err := meta.checkCheckpoint(); err != nil {
		return meta, fmt.Errorf("%s: meta.json: %v", path, err)
	}
	return meta, nil
}

// configFields names the JSON fields of Config that train's recipe flags
// set (ConfigParams), where the names differ.
var configFields = map[string]string{
	"lr": "learning_rate", "momentum": "momentum_initial, momentum_final", "momentum-switch": "momentum_switch_epoch",
	"l1-mode": "l1_proximal", "cd": "cd_k", "sample-visibles": "sample_visibles", "init-sigma": "init_sigma",
	"visible-bias": "visible_bias_log_odds", "validation": "validation_fraction", "monitor-rows": "monitor_rows",
	"snapshot-every": "snapshot_every", "next-layer": "next_layer_samples", "lr-decay": "lr_linear_decay",
	"flip-move": "flip_move", "center-slide": "center_slide",
}

// checkCheckpoint checks what a checkpoint's meta.json says with the
// limits of train's flags: the config as Validate does (every recipe
// setting as its flag would; the message names the JSON field:
// "config.learning_rate: -lr 0: want ..."), the layer sizes as -layers
// would, and the position (layer, epoch), the data's shape and hash and
// the history against them; so that a resumed run starts only from a
// state a run could have written, and allocates and loops no more than its
// flags allow.
func (m *Meta) checkCheckpoint() error {
	cfg := *m.Config
	if err := cfg.Validate(); err != nil {
		var se *settingError
		if !errors.As(err, &se) {
			return fmt.Errorf("config: %v", err)
		}
		field := se.flag
		if f, ok := configFields[se.flag]; ok {
			field = f
		}
		return fmt.Errorf("config.%s: %v", field, err)
	}
	sizes := m.Sizes
	if len(sizes)-1 > MaxLayers {
		return fmt.Errorf("sizes: %d hidden layers, want at most %d", len(sizes)-1, MaxLayers)
	}
	if sizes[0] < 1 {
		return fmt.Errorf("sizes: %d visible units, want at least 1", sizes[0])
	}
	for _, n := range sizes[1:] {
		if n < 1 || n > MaxUnits {
			return fmt.Errorf("sizes %v: hidden layer of %d units, want 1..%d", sizes, n, MaxUnits)
		}
	}
	ci := m.Checkpoint
	switch {
	case ci.Layer < 0 || ci.Layer >= len(sizes)-1:
		return fmt.Errorf("checkpoint.layer %d, want 0..%d (the %d hidden layers of sizes %v, from 0)", ci.Layer, len(sizes)-2, len(sizes)-1, sizes)
	case ci.Epoch < 0 || ci.Epoch > cfg.Epochs:
		return fmt.Errorf("checkpoint.epoch %d, want 0..%d (config.epochs)", ci.Epoch, cfg.Epochs)
	case ci.DataN < 1:
		return fmt.Errorf("checkpoint.data_n %d, want at least 1", ci.DataN)
	case ci.DataD != sizes[0]:
		return fmt.Errorf("checkpoint.data_d %d, want the %d visible units of sizes %v", ci.DataD, sizes[0], sizes)
	}
	if _, err := strconv.ParseUint(ci.DataHash, 16, 64); err != nil || len(ci.DataHash) != 16 {
		return fmt.Errorf("checkpoint.data_hash %q, want 16 hex digits", ci.DataHash)
	}
	if h := m.History; h != nil {
		if len(h.Layers) > ci.Layer+1 {
			return fmt.Errorf("history: %d layers, but the checkpoint is in layer %d (from 0)", len(h.Layers), ci.Layer)
		}
		for k := 0; k <= ci.Layer; k++ {
			want, got := cfg.Epochs, 0
			if k == ci.Layer {
				want = ci.Epoch
			}
			if k < len(h.Layers) {
				got = len(h.Layers[k])
			}
			if got != want {
				return fmt.Errorf("history: %d epochs of layer %d, want %d (checkpoint at layer %d, epoch %d, of config.epochs %d)", got, k, want, ci.Layer, ci.Epoch, cfg.Epochs)
			}
		}
	}
	return nil
}

// ReadCheckpointMeta returns the meta.json of a checkpoint file (no other
// member is inflated).
func ReadCheckpointMeta(path string) (Meta, error) {
	z, err := modelNPZ(path)
	if err != nil {
		return Meta{}, err
	}
	defer z.Close()
	return checkpointMeta(path, z)
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
