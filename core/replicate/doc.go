// Package replicate runs the Mehta & Schwab replication as a library: sample
// Ising configurations, train the networks, evaluate, analyse and report,
// each stage keyed by its settings and inputs so that a rerun reuses what is
// done. Run is driven by a Config (sizes, output folder, progress callback);
// it writes summary.json, the HTML report with its figures and, on request,
// the README's results section.
package replicate
