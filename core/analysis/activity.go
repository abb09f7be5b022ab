package analysis

import (
	"fmt"
	"math"
)

// LiveSD is the standard deviation of a unit's p(h = 1 | v) over the configurations from which
// Activity's caller counts the unit as live. A unit below it answers every configuration
// alike (it is off, or on, for all of them): as a feature of the data it is a constant,
// whatever its field looks like. Such dead units are not frozen: with the paper's L1 recipe
// at K = 0.408 (seed 1) the median of their largest |w| kept growing to the end of training
// (0.47 at epoch 20, 1.16 at 100, 2.22 at 200), while they stayed off on the data and on the
// one-step reconstructions alike. The count moves with the choice, but stays about half: for
// that recipe at K = 0.3 and 0.408 (seed 1, 5,000 held-out configurations) the units above
// 0.001, 0.01 and 0.1 were 85, 68 and 59, and 237, 211 and 188 of 400; over the replication's
// five seeds at K = 0.408, 60%, 53% and 45% (bench/deadunits/RESULTS.md).
const LiveSD = 0.01

// Activity returns, for each of the units columns of p (rows x units, row-major: the hidden
// probabilities of rows configurations), the standard deviation of the column over the rows
// (divided by rows), in float64 and summed in row order, so that the result is the same bits
// on every CPU: how much the unit's response moves with its input.
func Activity(p []float32, rows, units int) ([]float64, error) {
	_, sd, err := Response(p, rows, units)
	return sd, err
}

// Response returns the mean and Activity's standard deviation of each
// column of p, both summed in row order in float64: the mean tells a dead
// unit that is off for every configuration (mean near 0) from one that is
// on for every configuration (near 1).
func Response(p []float32, rows, units int) (mean, sd []float64, err error) {
	if rows <= 0 || units <= 0 || len(p)%units != 0 || len(p)/units != rows { // rows*units may overflow
		return nil, nil, fmt.Errorf("analysis: the response of %d values as %d rows of %d units", len(p), rows, units)
	}
	mean = make([]float64, units)
	for i := 0; i < rows; i++ {
		for j, x := range p[i*units : (i+1)*units] {
			mean[j] += float64(x)
		}
	}
	for j := range mean {
		mean[j] /= float64(rows)
	}
	ss := make([]float64, units)
	for i := 0; i < rows; i++ {
		for j, x := range p[i*units : (i+1)*units] {
			d := float64(x) - mean[j]
			ss[j] += float64(d * d)
		}
	}
	for j := range ss {
		ss[j] = math.Sqrt(ss[j] / float64(rows))
	}
	return mean, ss, nil
}
