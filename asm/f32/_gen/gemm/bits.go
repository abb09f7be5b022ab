package main

import "fmt"

// bitsSpec describes a kernel of the Bits products (binary.go's
// sumBitsGo): for each row of C, the rows of B selected by the row's bits
// are added to nv vector accumulators (ymm or zmm), one float32 addition
// chain per element in increasing p, then the epilogue of gemm.go's
// roundingContract. masked: the last vector is partial (AVX-512: mask K1
// from the mask argument; AVX2: VMASKMOVPS under the lanes of *mask).
type bitsSpec struct {
	name   string
	zmm    bool
	nv     int
	masked bool
}

func (s bitsSpec) vreg(i int) string {
	if s.zmm {
		return fmt.Sprintf("Z%d", i)
	}
	return fmt.Sprintf("Y%d", i)
}

func (s bitsSpec) vecBytes() int {
	if s.zmm {
		return 64
	}
	return 32
}

// base returns the base register of vector v and its offset from it: B's
// 16-column groups are vs floats apart (R12 + g*4*vs), a zmm is one group,
// a ymm half of one.
func (s bitsSpec) base(v int) (string, int) {
	bases := []string{"R12", "R13", "R14", "R15"}
	if s.zmm {
		return bases[v], 0
	}
	return bases[v/2], 32 * (v % 2)
}

func (s bitsSpec) groups() int {
	if s.zmm {
		return s.nv
	}
	return (s.nv + 1) / 2
}

// Argument frame: rows+0 bw+8 bstride+16 nw+24 b+32 ps+40 vs+48 t+56 c+64
// ldc+72 alpha+80 beta+84 mode+88 mask+96 (uint32 for AVX-512, *int32 for
// AVX2).
func (s bitsSpec) args() string {
	m := "mask uint32"
	if !s.zmm {
		m = "mask *int32"
	}
	return "rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode int, " + m
}

// bitsAdd emits the additions of B's selected row (byte offset idx from
// the bases) into the accumulators acc(0..nv-1).
func (g *gen) bitsAdd(s bitsSpec, idx string, acc func(int) string) {
	for v := 0; v < s.nv; v++ {
		r, off := s.base(v)
		mem := fmt.Sprintf("%d(%s)(%s*1)", off, r, idx)
		a := acc(v)
		last := v == s.nv-1 && s.masked
		switch {
		case last && s.zmm:
			g.p("\tVADDPS      %s, %s, K1, %s", mem, a, a)
		case last:
			g.p("\tVMASKMOVPS  %s, Y15, Y14", mem)
			g.p("\tVADDPS      Y14, %s, %s", a, a)
		default:
			g.p("\tVADDPS      %s, %s, %s", mem, a, a)
		}
	}
}

// bitsZero emits the clearing of the accumulators acc(0..nv-1).
func (g *gen) bitsZero(s bitsSpec, acc func(int) string) {
	for v := 0; v < s.nv; v++ {
		r := acc(v)
		if s.zmm {
			g.p("\tVPXORD %s, %s, %s", r, r, r)
		} else {
			g.p("\tVXORPS %s, %s, %s", r, r, r)
		}
	}
}

// bitsLoadT and bitsStoreT move the accumulators from and to a row of the
// running sums t at byte offset off from DI.
func (g *gen) bitsLoadT(s bitsSpec, acc func(int) string, off int) {
	for v := 0; v < s.nv; v++ {
		g.p("\tVMOVUPS %d(DI), %s", off+v*s.vecBytes(), acc(v))
	}
}

func (g *gen) bitsStoreT(s bitsSpec, acc func(int) string, off int) {
	for v := 0; v < s.nv; v++ {
		g.p("\tVMOVUPS %s, %d(DI)", acc(v), off+v*s.vecBytes())
	}
}

// bitsScale emits acc *= alpha (the contract's float32(alpha * s)).
func (g *gen) bitsScale(s bitsSpec, acc func(int) string, alpha string) {
	for v := 0; v < s.nv; v++ {
		g.p("\tVMULPS %s, %s, %s", alpha, acc(v), acc(v))
	}
}

// bitsFMAC emits acc = fma(beta, C, acc) for the row of C at crow (an
// address without displacement, "(SI)"), the last vector under the mask.
func (g *gen) bitsFMAC(s bitsSpec, acc func(int) string, crow, beta, tmp string) {
	for v := 0; v < s.nv; v++ {
		mem := fmt.Sprintf("%d%s", v*s.vecBytes(), crow)
		a := acc(v)
		switch {
		case v == s.nv-1 && s.masked && s.zmm:
			g.p("\tVMOVUPS.Z %s, K1, %s", mem, tmp)
			g.p("\tVFMADD231PS %s, %s, %s", tmp, beta, a)
		case v == s.nv-1 && s.masked:
			g.p("\tVMASKMOVPS %s, Y15, %s", mem, tmp)
			g.p("\tVFMADD231PS %s, %s, %s", tmp, beta, a)
		default:
			g.p("\tVFMADD231PS %s, %s, %s", mem, beta, a)
		}
	}
}

// bitsStoreC stores the accumulators into the row of C at crow, the last
// vector under the mask.
func (g *gen) bitsStoreC(s bitsSpec, acc func(int) string, crow string) {
	for v := 0; v < s.nv; v++ {
		mem := fmt.Sprintf("%d%s", v*s.vecBytes(), crow)
		a := acc(v)
		switch {
		case v == s.nv-1 && s.masked && s.zmm:
			g.p("\tVMOVUPS %s, K1, %s", a, mem)
		case v == s.nv-1 && s.masked:
			g.p("\tVMASKMOVPS %s, Y15, %s", a, mem)
		default:
			g.p("\tVMOVUPS %s, %s", a, mem)
		}
	}
}

// bitsBases sets R12.. to the bases of B's column groups (vs floats apart).
func (g *gen) bitsBases(s bitsSpec) {
	g.p("\tMOVQ b+32(FP), R12")
	if s.groups() > 1 {
		g.p("\tMOVQ vs+48(FP), AX")
		g.p("\tSHLQ $2, AX")
		for q := 1; q < s.groups(); q++ {
			g.p("\tLEAQ (%s)(AX*1), %s", []string{"R12", "R13", "R14"}[q-1], []string{"R13", "R14", "R15"}[q-1])
		}
	}
}

// bitsAdvanceBases moves the bases on by the bytes in reg (a word of bits).
func (g *gen) bitsAdvanceBases(s bitsSpec, reg string) {
	for q := 0; q < s.groups(); q++ {
		g.p("\tADDQ %s, %s", reg, []string{"R12", "R13", "R14", "R15"}[q])
	}
}

func (g *gen) bitsKernel(s bitsSpec) {
	l := s.name
	size := 100
	if !s.zmm {
		size = 104
	}
	g.p("// func %s(%s)", s.name, s.args())
	g.p("TEXT ·%s(SB), NOSPLIT, $0-%d", s.name, size)
	g.p("\tMOVQ rows+0(FP), R9")
	g.p("\tTESTQ R9, R9")
	g.p("\tJLE  %s_ret", l)
	g.p("\tMOVQ bw+8(FP), R10")
	g.p("\tMOVQ ps+40(FP), R11")
	g.p("\tSHLQ $2, R11 // bytes from one row of B to the next")
	g.p("\tMOVQ R11, BX")
	g.p("\tSHLQ $6, BX // and from one word of bits to the next")
	g.p("\tMOVQ t+56(FP), DI")
	g.p("\tMOVQ c+64(FP), SI")
	alpha, beta, tmp := s.vreg(12), s.vreg(13), s.vreg(14)
	if s.zmm {
		alpha, beta, tmp = "Z28", "Z29", "Z30"
	}
	g.p("\tVBROADCASTSS alpha+80(FP), %s", alpha)
	g.p("\tVBROADCASTSS beta+84(FP), %s", beta)
	if s.masked {
		if s.zmm {
			g.p("\tMOVL mask+96(FP), AX")
			g.p("\tKMOVW AX, K1")
		} else {
			g.p("\tMOVQ mask+96(FP), AX")
			g.p("\tVMOVDQU (AX), Y15")
		}
	}
	g.p("\n%s_row:", l)
	g.p("\tMOVQ mode+88(FP), AX")
	g.p("\tTESTQ $1, AX")
	g.p("\tJNZ  %s_cont", l)
	g.bitsZero(s, s.vreg)
	g.p("\tJMP  %s_bits", l)
	g.p("%s_cont:", l)
	g.bitsLoadT(s, s.vreg, 0)
	g.p("%s_bits:", l)
	g.bitsBases(s)
	g.p("\tMOVQ R10, R8")
	g.p("\tMOVQ nw+24(FP), CX")
	g.p("\tTESTQ CX, CX")
	g.p("\tJLE  %s_epi", l)
	g.p("\n\tPCALIGN $32\n")
	g.p("%s_word:", l)
	g.p("\tMOVQ (R8), DX")
	g.p("\tTESTQ DX, DX")
	g.p("\tJZ   %s_next", l)
	g.p("%s_bit:", l)
	// Two selected rows per turn: the first exit falls through only when
	// a second bit is left.
	for u := 0; u < 2; u++ {
		g.p("\tTZCNTQ DX, AX")
		g.p("\tIMULQ R11, AX")
		g.bitsAdd(s, "AX", s.vreg)
		g.p("\tBLSRQ DX, DX")
		if u == 0 {
			g.p("\tJZ   %s_next", l)
		} else {
			g.p("\tJNZ  %s_bit", l)
		}
	}
	g.p("%s_next:", l)
	g.bitsAdvanceBases(s, "BX")
	g.p("\tADDQ $8, R8")
	g.p("\tDECQ CX")
	g.p("\tJNZ  %s_word", l)
	g.p("\n%s_epi:", l)
	g.p("\tMOVQ mode+88(FP), AX")
	g.p("\tTESTQ $2, AX")
	g.p("\tJNZ  %s_final", l)
	g.bitsStoreT(s, s.vreg, 0)
	g.p("\tJMP  %s_advance", l)
	g.p("%s_final:", l)
	g.bitsScale(s, s.vreg, alpha)
	g.p("\tMOVL beta+84(FP), AX")
	g.p("\tSHLL $1, AX // drop the sign: -0 is zero too")
	g.p("\tJZ   %s_store", l)
	g.bitsFMAC(s, s.vreg, "(SI)", beta, tmp)
	g.p("%s_store:", l)
	g.bitsStoreC(s, s.vreg, "(SI)")
	g.p("%s_advance:", l)
	g.p("\tMOVQ ldc+72(FP), AX")
	g.p("\tLEAQ (SI)(AX*4), SI")
	g.p("\tADDQ $%d, DI", 4*bitsNRGen)
	g.p("\tMOVQ bstride+16(FP), AX")
	g.p("\tLEAQ (R10)(AX*8), R10")
	g.p("\tDECQ R9")
	g.p("\tJNZ  %s_row", l)
	g.p("%s_ret:", l)
	g.p("\tVZEROUPPER")
	g.p("\tRET")
	g.p("")
}

// packBitsKernel emits packBits64{AVX512,AVX2}(rows, nw int, w *uint64,
// ws int, a *float32, lda int) (ok bool): for each row, the first nw*64
// elements of a's row become the nw words of w's row (bit set iff the
// element is 1), and ok is false when an element is neither 0 nor 1.
func (g *gen) packBitsKernel(zmm bool) {
	name := "packBits64AVX2"
	if zmm {
		name = "packBits64AVX512"
	}
	l := name
	g.p("// func %s(rows, nw int, w *uint64, ws int, a *float32, lda int) (ok bool)", name)
	g.p("TEXT ·%s(SB), NOSPLIT, $0-49", name)
	g.p("\tMOVQ rows+0(FP), R9")
	g.p("\tMOVQ w+16(FP), R10")
	g.p("\tMOVQ ws+24(FP), R11")
	g.p("\tSHLQ $3, R11")
	g.p("\tMOVQ a+32(FP), R12")
	g.p("\tMOVQ lda+40(FP), R13")
	g.p("\tSHLQ $2, R13")
	g.p("\tXORQ R15, R15 // OR of the lanes that are neither 0 nor 1")
	g.p("\tMOVL $0x3f800000, AX")
	if zmm {
		g.p("\tVPBROADCASTD AX, Z31")
		g.p("\tVPXORD Z30, Z30, Z30")
	} else {
		g.p("\tMOVL AX, X15")
		g.p("\tVBROADCASTSS X15, Y15")
		g.p("\tVXORPS Y14, Y14, Y14")
	}
	g.p("\tTESTQ R9, R9")
	g.p("\tJLE  %s_done", l)
	g.p("%s_row:", l)
	g.p("\tMOVQ R12, SI")
	g.p("\tMOVQ R10, DI")
	g.p("\tMOVQ nw+8(FP), CX")
	g.p("\tTESTQ CX, CX")
	g.p("\tJLE  %s_rownext", l)
	g.p("%s_word:", l)
	g.p("\tXORQ DX, DX")
	// Per vector of w lanes: the lanes == 1 (bits of the word) and the
	// lanes that are neither 0 nor 1 (ORed into R15).
	w, all := 16, "0xffff"
	if !zmm {
		w, all = 8, "0xff"
	}
	for q := 0; q < 64/w; q++ {
		if zmm {
			g.p("\tVMOVUPS %d(SI), Z0", 4*w*q)
			g.p("\tVCMPPS $0, Z31, Z0, K1 // == 1")
			g.p("\tVCMPPS $0, Z30, Z0, K2 // == 0 (and -0)")
			g.p("\tKORW K1, K2, K3")
			g.p("\tKMOVW K1, AX")
			g.p("\tKMOVW K3, BX")
		} else {
			g.p("\tVMOVUPS %d(SI), Y0", 4*w*q)
			g.p("\tVCMPPS $0, Y15, Y0, Y1 // == 1")
			g.p("\tVCMPPS $0, Y14, Y0, Y2 // == 0 (and -0)")
			g.p("\tVORPS Y1, Y2, Y2")
			g.p("\tVMOVMSKPS Y1, AX")
			g.p("\tVMOVMSKPS Y2, BX")
		}
		g.p("\tXORL $%s, BX", all)
		g.p("\tORQ BX, R15")
		if q > 0 {
			g.p("\tSHLQ $%d, AX", w*q)
		}
		g.p("\tORQ AX, DX")
	}
	g.p("\tMOVQ DX, (DI)")
	g.p("\tADDQ $256, SI")
	g.p("\tADDQ $8, DI")
	g.p("\tDECQ CX")
	g.p("\tJNZ  %s_word", l)
	g.p("%s_rownext:", l)
	g.p("\tADDQ R13, R12")
	g.p("\tADDQ R11, R10")
	g.p("\tDECQ R9")
	g.p("\tJNZ  %s_row", l)
	g.p("%s_done:", l)
	g.p("\tTESTQ R15, R15")
	g.p("\tSETEQ ok+48(FP)")
	g.p("\tVZEROUPPER")
	g.p("\tRET")
	g.p("")
}

// bitsSpecs lists the Bits kernels: 1 to 4 zmm or 1 to 8 ymm vectors of
// columns (64 at most), whole or with a partial last vector. The sums are
// chains of dependent additions, one per element, so a selected row costs
// the latency of one addition (3 cycles on Zen) unless enough vectors are
// summed side by side: 8 ymm keep two add pipes busy where 4 could not.
func bitsSpecs() []bitsSpec {
	var ss []bitsSpec
	for _, zmm := range []bool{true, false} {
		maxNV := 8
		if zmm {
			maxNV = 4
		}
		for nv := 1; nv <= maxNV; nv++ {
			for _, masked := range []bool{false, true} {
				if zmm && !masked {
					continue // a full mask costs nothing
				}
				isa := "AVX2"
				if zmm {
					isa = "AVX512"
				}
				name := fmt.Sprintf("sumBits%d%s", nv, isa)
				if masked && !zmm {
					name = fmt.Sprintf("sumBits%dM%s", nv, isa)
				}
				ss = append(ss, bitsSpec{name: name, zmm: zmm, nv: nv, masked: masked})
			}
		}
	}
	return ss
}

// bitsPairKernel emits sumBitsNPairAVX512: sumBitsGo's contract, as
// sumBitsNAVX512, on rows/2 pairs of rows of C (the caller runs an odd
// last row through sumBitsNAVX512). The two rows walk their bits in lock
// step, each its own chains (Z0.. and Z4..) in increasing p, so a turn has
// twice the independent additions of the one-row kernel and the same sums.
func (g *gen) bitsPairKernel(s bitsSpec) {
	l := s.name
	g.p("// func %s(%s)", s.name, s.args())
	g.p("TEXT ·%s(SB), NOSPLIT, $16-100", s.name)
	g.p("\tMOVQ rows+0(FP), AX")
	g.p("\tSHRQ $1, AX")
	g.p("\tJZ   %s_ret", l)
	g.p("\tMOVQ AX, 8(SP) // pairs left")
	g.p("\tMOVQ bw+8(FP), R10 // bits of the first row of the pair")
	g.p("\tMOVQ bstride+16(FP), BX")
	g.p("\tLEAQ (R10)(BX*8), BX // and of the second")
	g.p("\tMOVQ ps+40(FP), R11")
	g.p("\tSHLQ $2, R11 // bytes from one row of B to the next")
	g.p("\tMOVQ R11, AX")
	g.p("\tSHLQ $6, AX")
	g.p("\tMOVQ AX, 0(SP) // and from one word of bits to the next")
	g.p("\tMOVQ t+56(FP), DI")
	g.p("\tMOVQ c+64(FP), SI")
	g.p("\tVBROADCASTSS alpha+80(FP), Z28")
	g.p("\tVBROADCASTSS beta+84(FP), Z29")
	g.p("\tMOVL mask+96(FP), AX")
	g.p("\tKMOVW AX, K1")
	// Row r's accumulators: Z0.. for the first row, Z4.. for the second.
	row := func(r int) func(int) string {
		return func(v int) string { return fmt.Sprintf("Z%d", 4*r+v) }
	}
	g.p("\n%s_row:", l)
	g.p("\tMOVQ mode+88(FP), AX")
	g.p("\tTESTQ $1, AX")
	g.p("\tJNZ  %s_cont", l)
	for r := 0; r < 2; r++ {
		g.bitsZero(s, row(r))
	}
	g.p("\tJMP  %s_bits", l)
	g.p("%s_cont:", l)
	for r := 0; r < 2; r++ {
		g.bitsLoadT(s, row(r), 4*bitsNRGen*r)
	}
	g.p("%s_bits:", l)
	g.bitsBases(s)
	g.p("\tXORQ CX, CX")
	g.p("\tCMPQ CX, nw+24(FP)")
	g.p("\tJGE  %s_epi", l)
	add := func(r int, idx string) { g.bitsAdd(s, idx, row(r)) }
	g.p("\n\tPCALIGN $32\n")
	g.p("%s_word:", l)
	g.p("\tMOVQ (R10)(CX*8), DX")
	g.p("\tMOVQ (BX)(CX*8), R9")
	g.p("\tTESTQ DX, DX")
	g.p("\tJZ   %s_only2", l)
	g.p("\tTESTQ R9, R9")
	g.p("\tJZ   %s_only1", l)
	g.p("%s_both:", l)
	g.p("\tTZCNTQ DX, AX")
	g.p("\tIMULQ R11, AX")
	g.p("\tTZCNTQ R9, R8")
	g.p("\tIMULQ R11, R8")
	add(0, "AX")
	add(1, "R8")
	g.p("\tBLSRQ R9, R9")
	g.p("\tBLSRQ DX, DX")
	g.p("\tJZ   %s_only2", l)
	g.p("\tTESTQ R9, R9")
	g.p("\tJNZ  %s_both", l)
	// rest walks the bits left in one row's word once the other's are done.
	rest := func(label, word, idx string, r int) {
		g.p("%s:", label)
		g.p("\tTZCNTQ %s, %s", word, idx)
		g.p("\tIMULQ R11, %s", idx)
		add(r, idx)
		g.p("\tBLSRQ %s, %s", word, word)
		g.p("\tJNZ  %s", label)
	}
	rest(l+"_only1", "DX", "AX", 0)
	g.p("\tJMP  %s_next", l)
	g.p("%s_only2:", l)
	g.p("\tTESTQ R9, R9")
	g.p("\tJZ   %s_next", l)
	rest(l+"_only2bit", "R9", "R8", 1)
	g.p("%s_next:", l)
	g.p("\tMOVQ 0(SP), AX")
	g.bitsAdvanceBases(s, "AX")
	g.p("\tINCQ CX")
	g.p("\tCMPQ CX, nw+24(FP)")
	g.p("\tJLT  %s_word", l)
	g.p("\n%s_epi:", l)
	g.p("\tMOVQ mode+88(FP), AX")
	g.p("\tTESTQ $2, AX")
	g.p("\tJNZ  %s_final", l)
	for r := 0; r < 2; r++ {
		g.bitsStoreT(s, row(r), 4*bitsNRGen*r)
	}
	g.p("\tJMP  %s_advance", l)
	g.p("%s_final:", l)
	g.p("\tMOVQ ldc+72(FP), R8")
	g.p("\tSHLQ $2, R8 // bytes from one row of C to the next")
	for r := 0; r < 2; r++ {
		g.bitsScale(s, row(r), "Z28")
	}
	g.p("\tMOVL beta+84(FP), AX")
	g.p("\tSHLL $1, AX // drop the sign: -0 is zero too")
	g.p("\tJZ   %s_store", l)
	crow := []string{"(SI)", "(SI)(R8*1)"}
	for r := 0; r < 2; r++ {
		g.bitsFMAC(s, row(r), crow[r], "Z29", "Z30")
	}
	g.p("%s_store:", l)
	for r := 0; r < 2; r++ {
		g.bitsStoreC(s, row(r), crow[r])
	}
	g.p("%s_advance:", l)
	g.p("\tMOVQ ldc+72(FP), AX")
	g.p("\tSHLQ $3, AX")
	g.p("\tADDQ AX, SI")
	g.p("\tADDQ $%d, DI", 2*4*bitsNRGen)
	g.p("\tMOVQ bstride+16(FP), AX")
	g.p("\tSHLQ $4, AX")
	g.p("\tADDQ AX, R10")
	g.p("\tADDQ AX, BX")
	g.p("\tDECQ 8(SP)")
	g.p("\tJNZ  %s_row", l)
	g.p("%s_ret:", l)
	g.p("\tVZEROUPPER")
	g.p("\tRET")
	g.p("")
}

// bitsNRGen is binary.go's bitsNR: the floats of a row of the running
// sums t.
const bitsNRGen = 64

// bitsPairSpecs lists the AVX-512 kernels that run two rows of C at once.
func bitsPairSpecs() []bitsSpec {
	var ss []bitsSpec
	for nv := 1; nv <= 4; nv++ {
		ss = append(ss, bitsSpec{name: fmt.Sprintf("sumBits%dPairAVX512", nv), zmm: true, nv: nv, masked: true})
	}
	return ss
}
