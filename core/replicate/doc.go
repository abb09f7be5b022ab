// Package replicate runs the Mehta & Schwab replication as a library: sample
// Ising configurations (training data, a held-out test set and a sweep of
// couplings), train the networks with one or more seeds, evaluate, analyse
// and report. Plan lays the run out as a graph of stages, each keyed by a
// hash of its kind, settings, inputs and the program version; RunStage runs
// one stage whose inputs are done (in any process sharing the output
// folder) and StageDone tells whether it is finished, so a scheduler can
// run the graph as separate jobs. Run runs the whole plan in order; it
// writes summary.json (every number with its spread over seeds), the HTML
// report with its figures and, on request, the README's results section.
package replicate
