// Command gonumsgemm times gonum's pure-Go Sgemm (gonum.org/v1/gonum/blas/gonum)
// at the shapes the bench harness passes, as the products peer written in Go.
//
// What it does: for each shape OP:m:k:n it times C = op(A) op(B) in float32:
// NN is A (m x k) times B (k x n), NT is A (m x k) times B^T with B stored
// n x k, TN is A^T with A stored k x m times B (k x n), all row-major, as
// blas.Transpose flags (nothing is copied). Each shape runs once to warm up,
// then repeats until at least -seconds have passed; GFLOP/s = 2 m n k reps /
// seconds / 1e9. Output: one JSON object per shape on stdout.
//
// Why it is a fair comparison: the same shapes, storage orders and data kind
// as our f32 benchmarks and the NumPy peer; gonum's Sgemm splits the work over
// GOMAXPROCS goroutines, and the harness sets GOMAXPROCS to the thread count.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

type result struct {
	Shape   string  `json:"shape"`
	GFlops  float64 `json:"gflops"`
	Reps    int     `json:"reps"`
	Seconds float64 `json:"seconds"`
}

func main() {
	shapes := flag.String("shapes", "", "comma-separated OP:m:k:n, OP in NN, NT, TN")
	seconds := flag.Float64("seconds", 0.3, "minimum timed seconds per shape")
	flag.Parse()
	if *shapes == "" {
		fmt.Fprintln(os.Stderr, "gonumsgemm: -shapes: want OP:m:k:n[,...], got nothing")
		os.Exit(2)
	}
	var impl gonum.Implementation
	r := rand.New(rand.NewPCG(1, 2))
	enc := json.NewEncoder(os.Stdout)
	for _, spec := range strings.Split(*shapes, ",") {
		f := strings.Split(spec, ":")
		if len(f) != 4 || len(f[0]) != 2 {
			fmt.Fprintf(os.Stderr, "gonumsgemm: -shapes: want OP:m:k:n, got %q\n", spec)
			os.Exit(2)
		}
		var dims [3]int
		for i := range dims {
			v, err := strconv.Atoi(f[i+1])
			if err != nil || v <= 0 {
				fmt.Fprintf(os.Stderr, "gonumsgemm: -shapes: %q: want positive sizes\n", spec)
				os.Exit(2)
			}
			dims[i] = v
		}
		m, k, n := dims[0], dims[1], dims[2]
		tA, tB := blas.NoTrans, blas.NoTrans
		lda, ldb := k, n
		if f[0][0] == 'T' {
			tA, lda = blas.Trans, m
		}
		if f[0][1] == 'T' {
			tB, ldb = blas.Trans, k
		}
		a := make([]float32, m*k)
		b := make([]float32, k*n)
		c := make([]float32, m*n)
		for i := range a {
			a[i] = r.Float32()
		}
		for i := range b {
			b[i] = r.Float32()
		}
		impl.Sgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, 0, c, n)
		reps := 0
		t0 := time.Now()
		var el float64
		for {
			impl.Sgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, 0, c, n)
			reps++
			if el = time.Since(t0).Seconds(); el >= *seconds {
				break
			}
		}
		if err := enc.Encode(result{Shape: spec, GFlops: 2 * float64(m*n*k*reps) / el / 1e9, Reps: reps, Seconds: el}); err != nil {
			fmt.Fprintln(os.Stderr, "gonumsgemm:", err)
			os.Exit(1)
		}
	}
}
