// Package report draws the replication's figures and writes its HTML page: receptive-field and
// weight grids on the lattice (diverging colour map, one scale per grid, colour bar),
// originals beside reconstructions, line charts with gonum/plot (training curves, the RG flow
// K -> K_eff, locality histograms against noise), and a self-contained index.html.
package report
