package rbm

import (
	"context"
	"errors"
)

// ErrStopped is Fit's error when FitOptions.StopAfter epochs ran: the
// checkpoint holds the state to resume from.
var ErrStopped = errors.New("stopped after the requested epochs")

// FitOptions are the options of Fit.
type FitOptions struct {
	// Resume, when not nil, is the meta.json of the checkpoint at
	// Config.CheckpointPath to continue from (ResumeDBN).
	Resume *Meta
	// StopAfter > 0 stops after this many epochs of this run, leaving the
	// checkpoint (Fit returns ErrStopped).
	StopAfter int
	// Progress, when set, is called after every epoch with the epochs done
	// and to do in this run (a resumed run counts from its checkpoint).
	Progress func(done, total int64, info ProgressInfo)
}

// Fit trains a DBN of sizes on data with cfg (TrainDBN), or resumes the
// checkpoint of opt.Resume (ResumeDBN), counting this run's epochs for
// opt.Progress and stopping after opt.StopAfter of them. When ctx is
// cancelled it returns ctx's error as TrainDBN does.
func Fit(ctx context.Context, data *Dataset, sizes []int, cfg Config, opt FitOptions) (*DBN, *History, error) {
	run, cancel := context.WithCancel(ctx)
	defer cancel()
	var start int64
	if c := opt.Resume; c != nil && c.Checkpoint != nil {
		start = int64(c.Checkpoint.Layer)*int64(cfg.Epochs) + int64(c.Checkpoint.Epoch)
	}
	total := int64(len(sizes)-1)*int64(cfg.Epochs) - start
	epochs := 0
	progress := func(pi ProgressInfo) {
		if opt.Progress != nil {
			opt.Progress(int64(pi.Layer)*int64(pi.Epochs)+int64(pi.Epoch)-start, total, pi)
		}
		if epochs++; opt.StopAfter > 0 && epochs >= opt.StopAfter {
			cancel()
		}
	}
	var dbn *DBN
	var hist *History
	var err error
	if opt.Resume != nil {
		dbn, hist, err = ResumeDBN(run, cfg.CheckpointPath, data, progress)
	} else {
		dbn, hist, err = TrainDBN(run, data, sizes, cfg, progress)
	}
	if err != nil && ctx.Err() == nil && opt.StopAfter > 0 && epochs >= opt.StopAfter {
		return nil, nil, ErrStopped
	}
	return dbn, hist, err
}
