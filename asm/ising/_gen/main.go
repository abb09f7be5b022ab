// Command _gen writes the package's assembly kernels to standard output:
// every amd64 Metropolis kernel (go run ./_gen > ising_amd64.s, in
// asm/ising) or, with -arch arm64, the NEON ones (go run ./_gen -arch arm64
// > ising_arm64.s; see neon.go); with -kernel counts, the counting kernels
// of Counts instead (go run ./_gen -kernel counts > counts_amd64.s, and
// -arch arm64 > counts_arm64.s; see counts.go).
//
// The Metropolis kernels are described below.
//
// All kernels run the algorithm of sweepGeneric (generic.go) and share one
// site loop; they differ in how a comparison step is coded:
//
//   - sweepAVX2, sweep2AVX2: one block, or two blocks whose generator steps
//     are interleaved, in 256-bit VEX registers (xoshiro256++ in 14
//     operations: AVX2 has no vector rotate).
//   - sweepAVX512, sweep2AVX512: the same in 256-bit EVEX registers, with
//     VPROLQ for the rotations and VPTERNLOGQ for three-input logic (9
//     generator operations a step). Requires AVX-512F and VL.
//   - sweep2AVX512Z: two blocks packed into 512-bit registers, block A in
//     the low halves, block B in the high ones (see packedKernel), for CPUs
//     that run 512-bit operations at full width.
//   - sweep4AVX512Z: four consecutive blocks as two such packed pairs whose
//     steps are interleaved, with steps 10..12 run without a branch (see
//     quadKernel).
//
// Measured on Zen 5 (AMD EPYC family 26 model 2), L = 40, one thread, in
// flips per CPU ns (BenchmarkKernels; details in ising.go): sweep2AVX512
// 16.2, sweep2AVX512Z 17.5, sweep4AVX512Z 29.0 at K = 0.408 (medians of 5
// on a shared machine; the spread is large, 23-31 for sweep4AVX512Z).
//
// Every kernel is emitted twice: with xoshiro256++ streams, and with SFC64
// ones (name suffix SFC, see sfcStep); only the generator step differs.
//
// Each comparison step is emitted in four variants, one per pair of
// threshold bits (P4, P8), selected by branches that are the same at every
// site and therefore predicted. In the interleaved kernels, when one block is
// decided before the other, the other continues alone in a tail.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

// The algorithm's constants (ising.go).
const (
	Steps         = 24
	Unconditional = 10
	// UnconditionalSFC64 is Unconditional for SFC64 streams.
	UnconditionalSFC64 = 12
)

// unconditionalOf returns the number of steps before the first exit test
// with SFC64 streams (sfc) or xoshiro256++ ones.
func unconditionalOf(sfc bool) int {
	if sfc {
		return UnconditionalSFC64
	}
	return Unconditional
}

// unconditional returns the number of steps before the first exit test of
// the kernel's generator.
func (k *kernel) unconditional() int { return unconditionalOf(k.sfc) }

var out strings.Builder

func emit(format string, args ...any) { fmt.Fprintf(&out, "\t"+format+"\n", args...) }
func label(name string)               { fmt.Fprintf(&out, "%s:\n", name) }
func text(s string)                   { out.WriteString(s) }

// isa selects the instruction forms.
type isa struct {
	evex bool // AVX-512 forms: VPROLQ, VPTERNLOGQ, the Q-suffixed logic
}

func (i isa) op(vex string) string {
	if !i.evex {
		return vex
	}
	switch vex {
	case "VPXOR", "VPAND", "VPOR", "VPANDN":
		return vex + "Q"
	}
	return vex
}

// block names the registers of one block.
type block struct {
	name          string
	s             [4]string // generator state S0..S3 (SFC64: a, b, c, counter)
	sel, und, acc string    // lanes with threshold P4 (one anti-aligned bond); undecided; accepted
	// mask, when set, is the opmask register under which the generator
	// state updates are merged (the packed kernels' one-block tails).
	mask string
}

// kernel is one generated function.
type kernel struct {
	isa
	name   string
	blocks []block
	r, t   string // generator output, scratch
	// packed: blocks[0] holds two blocks in 512-bit registers, block A in
	// the low 256 bits, block B in the high ones (see packed).
	packed bool
	// quad: blocks[0] and blocks[1] are packed pairs (A, B) and (C, D) of
	// four consecutive blocks (see quadKernel).
	quad bool
	// sfc: the streams are SFC64 instead of xoshiro256++ (see sfc).
	sfc bool
	// window (quad kernels) is the number of steps after the
	// Unconditional ones that run on all four blocks without a branch,
	// committing each block's state under a mask (see quadKernel).
	window int
}

// sfcStep advances the SFC64 streams of x, whose state registers hold
// a, b, c and the counter; k.r = their outputs:
//
//	r = a + b + counter; counter++; a = b ^ b>>11; b = c + c<<3;
//	c = rotl(c, 24) + r.
//
// 9 operations in either ISA: AVX2 rotates by 24 bits with one VPSHUFB
// (the rotation moves whole bytes), AVX-512 with VPROLQ. Under a mask
// (packed kernels' tails) only the state writes are merged.
func (k *kernel) sfcStep(x block) {
	a, b, c, n := x.s[0], x.s[1], x.s[2], x.s[3]
	r, t := k.r, k.t
	if !k.evex {
		emit("VPADDQ  %s, %s, %s", a, b, r)
		emit("VPADDQ  %s, %s, %s", n, r, r)
		emit("VPADDQ  sfcOne<>(SB), %s, %s", n, n)
		emit("VPSRLQ  $11, %s, %s", b, a)
		emit("VPXOR   %s, %s, %s", b, a, a)
		emit("VPSLLQ  $3, %s, %s", c, b)
		emit("VPADDQ  %s, %s, %s", c, b, b)
		emit("VPSHUFB sfcRot24<>(SB), %s, %s", c, c)
		emit("VPADDQ  %s, %s, %s", r, c, c)
		return
	}
	m := ""
	if x.mask != "" {
		m = x.mask + ", "
	}
	emit("VPADDQ  %s, %s, %s", a, b, r)
	emit("VPADDQ  %s, %s, %s", n, r, r)
	emit("VPADDQ  sfcOne<>(SB), %s, %s%s", n, m, n)
	emit("VPSRLQ  $11, %s, %s", b, t)
	emit("VPXORQ  %s, %s, %s%s", b, t, m, a)
	emit("VPSLLQ  $3, %s, %s", c, t)
	emit("VPADDQ  %s, %s, %s%s", c, t, m, b)
	emit("VPROLQ  $24, %s, %s", c, t)
	emit("VPADDQ  %s, %s, %s%s", r, t, m, c)
}

// generate advances the streams of x (xoshiro256++, or SFC64 in a kernel
// with sfc set); k.r = their outputs.
func (k *kernel) generate(x block) {
	if k.sfc {
		k.sfcStep(x)
		return
	}
	s0, s1, s2, s3 := x.s[0], x.s[1], x.s[2], x.s[3]
	r, t := k.r, k.t
	if !k.evex {
		emit("VPADDQ  %s, %s, %s", s0, s3, r)
		emit("VPSLLQ  $23, %s, %s", r, t)
		emit("VPSRLQ  $41, %s, %s", r, r)
		emit("VPOR    %s, %s, %s", r, t, r)
		emit("VPADDQ  %s, %s, %s", s0, r, r)
		emit("VPSLLQ  $17, %s, %s", s1, t)
		emit("VPXOR   %s, %s, %s", s0, s2, s2)
		emit("VPXOR   %s, %s, %s", s1, s3, s3)
		emit("VPXOR   %s, %s, %s", s2, s1, s1)
		emit("VPXOR   %s, %s, %s", s3, s0, s0)
		emit("VPXOR   %s, %s, %s", t, s2, s2)
		emit("VPSLLQ  $45, %s, %s", s3, t)
		emit("VPSRLQ  $19, %s, %s", s3, s3)
		emit("VPOR    %s, %s, %s", t, s3, s3)
		return
	}
	// rnd = rotl(s0+s3, 23) + s0; t = s1<<17;
	// s3 ^= s1; s1 ^= s2^s0; s2 ^= s0^t; s0 ^= s3; s3 = rotl(s3, 45).
	// Under a mask only the state writes are merge-masked: r and t are
	// scratch.
	m := ""
	if x.mask != "" {
		m = x.mask + ", "
	}
	emit("VPADDQ  %s, %s, %s", s0, s3, r)
	emit("VPROLQ  $23, %s, %s", r, r)
	emit("VPADDQ  %s, %s, %s", s0, r, r)
	emit("VPSLLQ  $17, %s, %s", s1, t)
	emit("VPXORQ  %s, %s, %s%s", s1, s3, m, s3)
	emit("VPTERNLOGQ $0x96, %s, %s, %s%s", s0, s2, m, s1)
	emit("VPTERNLOGQ $0x96, %s, %s, %s%s", t, s0, m, s2)
	emit("VPXORQ  %s, %s, %s%s", s3, s0, m, s0)
	emit("VPROLQ  $45, %s, %s%s", s3, m, s3)
}

// compare is one comparison step of x with the threshold bits b4 (of P4,
// for the lanes in sel) and b8 (of P8, the others). A lane's threshold bit
// t is b4 where sel is set, b8 elsewhere; then acc |= und & t & ^u and
// und &^= u ^ t, which for each pair of bits is:
//
//	(0, 0): und &^= u
//	(1, 1): acc |= und &^ u; und &= u
//	(1, 0): acc |= und & sel &^ u; und &^= u ^ sel
//	(0, 1): acc |= und &^ (sel | u); und &= u ^ sel
func (k *kernel) compare(x block, b4, b8 int) {
	r, t, und, sel, acc := k.r, k.t, x.und, x.sel, x.acc
	switch {
	case b4 == 0 && b8 == 0:
		emit("%-7s %s, %s, %s", k.op("VPANDN"), und, r, und)
	case b4 == 1 && b8 == 1 && k.evex:
		// acc = A | (B & ^C), A = acc, B = und, C = r.
		emit("VPTERNLOGQ $0xF4, %s, %s, %s", r, und, acc)
		emit("VPANDQ  %s, %s, %s", r, und, und)
	case b4 == 1 && b8 == 1:
		emit("VPANDN  %s, %s, %s", und, r, t)
		emit("VPOR    %s, %s, %s", t, acc, acc)
		emit("VPAND   %s, %s, %s", r, und, und)
	case b4 == 1 && k.evex:
		emit("VPANDNQ %s, %s, %s", sel, r, t) // t = sel &^ u
		// acc = A | (B & C), A = acc, B = und, C = t.
		emit("VPTERNLOGQ $0xF8, %s, %s, %s", t, und, acc)
		// und = A & ^(B ^ C), A = und, B = u, C = sel.
		emit("VPTERNLOGQ $0x90, %s, %s, %s", sel, r, und)
	case b4 == 1:
		emit("VPANDN  %s, %s, %s", sel, r, t) // t = sel &^ u
		emit("VPAND   %s, %s, %s", und, t, t)
		emit("VPOR    %s, %s, %s", t, acc, acc)
		emit("VPXOR   %s, %s, %s", sel, r, r)
		emit("VPANDN  %s, %s, %s", und, r, und)
	case k.evex:
		emit("VPORQ   %s, %s, %s", sel, r, t) // t = sel | u
		// acc = A | (B & ^C), A = acc, B = und, C = t.
		emit("VPTERNLOGQ $0xF4, %s, %s, %s", t, und, acc)
		// und = A & (B ^ C), A = und, B = u, C = sel.
		emit("VPTERNLOGQ $0x60, %s, %s, %s", sel, r, und)
	default:
		emit("VPOR    %s, %s, %s", sel, r, t) // t = sel | u
		emit("VPANDN  %s, %s, %s", und, t, t)
		emit("VPOR    %s, %s, %s", t, acc, acc)
		emit("VPXOR   %s, %s, %s", sel, r, r)
		emit("VPAND   %s, %s, %s", r, und, und)
	}
}

// step emits comparison step s (0-based) of the blocks xs, in the four
// variants of the threshold bits 23-s of P4 (DX bits 0..23) and P8 (DX bits
// 32..55).
func (k *kernel) step(tag string, s int, xs ...block) {
	b := 23 - s
	l := k.name + "_" + tag
	for _, x := range xs {
		l += x.name
	}
	l += fmt.Sprint(s)
	body := func(b4, b8 int) {
		for _, x := range xs {
			k.generate(x)
			k.compare(x, b4, b8)
		}
	}
	emit("BTQ     $%d, DX", b)
	emit("JCS     %s_1x", l)
	emit("BTQ     $%d, DX", b+32)
	emit("JCS     %s_01", l)
	body(0, 0)
	emit("JMP     %s_end", l)
	label(l + "_01")
	body(0, 1)
	emit("JMP     %s_end", l)
	label(l + "_1x")
	emit("BTQ     $%d, DX", b+32)
	emit("JCS     %s_11", l)
	body(1, 0)
	emit("JMP     %s_end", l)
	label(l + "_11")
	body(1, 1)
	label(l + "_end")
}

// setupVEX computes sel, und and acc of x at the site SI,
// from the neighbours at (R10)(BX), (R10)(CX), (R11)(AX), (R12)(AX).
func (k *kernel) setupVEX(x block) {
	// u4 ends as sel (one anti-aligned bond), u8 as und (one or none).
	u4, u8, acc, r, t := x.sel, x.und, x.acc, k.r, k.t
	emit("VMOVDQU (SI), %s", r)
	emit("VPXOR   (R10)(BX*1), %s, %s", r, u4)  // a1
	emit("VPXOR   (R10)(CX*1), %s, %s", r, u8)  // a2
	emit("VPXOR   (R11)(AX*1), %s, %s", r, acc) // a3
	emit("VPXOR   (R12)(AX*1), %s, %s", r, r)   // a4
	emit("VPXOR   %s, %s, %s", u4, u8, t)       // x1 = a1^a2
	emit("VPAND   %s, %s, %s", u4, u8, u4)      // c1 = a1&a2
	emit("VPXOR   %s, %s, %s", acc, r, u8)      // x2 = a3^a4
	emit("VPAND   %s, %s, %s", acc, r, acc)     // c2 = a3&a4
	emit("VPOR    %s, %s, %s", u4, acc, r)      // c1|c2
	emit("VPOR    %s, %s, %s", t, u8, acc)      // x1|x2
	emit("VPXOR   %s, %s, %s", t, u8, u4)       // x1^x2
	emit("VPANDN  %s, %s, %s", u4, r, u4)       // one = (x1^x2) &^ (c1|c2)
	emit("VPOR    %s, %s, %s", acc, r, r)       // any
	emit("VPANDN  %s, %s, %s", r, u4, acc)      // acc = two or more = any &^ one
	emit("VPCMPEQQ %s, %s, %s", u8, u8, u8)
	emit("VPANDN  %s, %s, %s", u8, acc, u8) // und = one or none = ^acc
}

// setupEVEX computes the same from the centre c, left l, right rt, up u and
// down d (registers or memory operands; c, l and u must be registers and are
// overwritten, rt and d are only read).
//
//	x1 = l^rt, c1 = (c^l)&(c^rt), x2 = u^d, c2 = (c^u)&(c^d), cc = c1|c2,
//	one = (x1^x2)&^cc, acc = two or more = (x1|x2|cc)&^one, und = ^acc.
func (k *kernel) setupEVEX(x block, c, l, rt, u, d string) {
	// u4 ends as sel (one anti-aligned bond), u8 as und (one or none).
	u4, u8, acc := x.sel, x.und, x.acc
	emit("VPXORQ  %s, %s, %s", rt, l, u4) // x1
	// f(A, B, C) = (A^B)&(B^C), A = l, B = c, C = rt: imm bits 2 and 5.
	emit("VPTERNLOGQ $0x24, %s, %s, %s", rt, c, l) // c1
	emit("VPXORQ  %s, %s, %s", d, u, u8)           // x2
	emit("VPTERNLOGQ $0x24, %s, %s, %s", d, c, u)  // c2
	emit("VPORQ   %s, %s, %s", l, u, l)            // cc
	emit("VPORQ   %s, %s, %s", u4, u8, acc)        // x1|x2
	// one = (A^B)&^C, A = x1, B = x2, C = cc.
	emit("VPTERNLOGQ $0x14, %s, %s, %s", l, u8, u4)
	emit("VPORQ   %s, %s, %s", l, acc, acc)  // any = x1|x2|cc
	emit("VPANDNQ %s, %s, %s", acc, u4, acc) // acc = two or more = any &^ one
	// und = one or none = ^C, C = acc.
	emit("VPTERNLOGQ $0x55, %s, %s, %s", acc, acc, u8)
}

// undecided sets ZF when no lane of x is undecided.
func (k *kernel) undecided(x block) {
	emit("VPTEST  %s, %s", x.und, x.und)
}

func (i isa) mov() string {
	if i.evex {
		return "VMOVDQU64"
	}
	return "VMOVDQU"
}

// two reports whether the kernel runs two blocks (Sweep2's signature).
func (k *kernel) two() bool { return len(k.blocks) == 2 && !k.quad || k.packed }

// stateAddr loads the address of block i's generator state into SI.
func (k *kernel) stateAddr(i int) {
	if !k.two() {
		emit("MOVQ state+16(FP), SI")
		return
	}
	emit("MOVQ state%s+%d(FP), SI", []string{"A", "B"}[i], 24+8*i)
}

// moveStates loads (store false) or stores the generator states of the
// kernel's blocks; in a packed kernel the states of block B (and D) are the
// high halves of the registers.
func (k *kernel) moveStates(store bool) {
	// half moves the low or high 256 bits of register s from or to mem.
	half := func(s string, high bool, mem string) {
		switch {
		case !store && !high:
			emit("VMOVDQU64 %s, %s", mem, ymm(s))
		case !store:
			emit("VINSERTI64X4 $1, %s, %s, %s", mem, s, s)
		case !high:
			emit("VMOVDQU64 %s, %s", ymm(s), mem)
		default:
			emit("VEXTRACTI64X4 $1, %s, %s", s, mem)
		}
	}
	switch {
	case k.quad:
		// Four consecutive states of StateWords words (128 bytes).
		emit("MOVQ states+16(FP), SI")
		for i, x := range k.blocks {
			for j, s := range x.s {
				half(s, false, fmt.Sprintf("%d(SI)", 256*i+32*j))
				half(s, true, fmt.Sprintf("%d(SI)", 256*i+128+32*j))
			}
		}
	case k.packed:
		emit("MOVQ stateA+24(FP), SI")
		emit("MOVQ stateB+32(FP), AX")
		for j, s := range k.blocks[0].s {
			half(s, false, fmt.Sprintf("%d(SI)", 32*j))
			half(s, true, fmt.Sprintf("%d(AX)", 32*j))
		}
	default:
		for i, x := range k.blocks {
			k.stateAddr(i)
			for j, s := range x.s {
				if store {
					emit("%s %s, %d(SI)", k.mov(), s, 32*j)
				} else {
					emit("%s %d(SI), %s", k.mov(), 32*j, s)
				}
			}
		}
	}
}

// ymm names the low 256 bits of a 512-bit register.
func ymm(z string) string { return "Y" + strings.TrimPrefix(z, "Z") }

// Prologue and site loop, shared by every kernel. Register use:
//
//	DI spins of block A, R15 (spins of block B) - DI, R8 L, DX P4 | P8<<32,
//	R14 row stride L*32, R9 end of lattice A, R10 current row, R11 row above,
//	R12 row below, R13 x, AX x*32, BX left offset, CX right offset,
//	SI centre pointer (block A). AX, BX, CX are free during the steps.
func (k *kernel) prologue() {
	if k.two() {
		fmt.Fprintf(&out, "\n// func %s(spinsA, spinsB *uint64, L int, stateA, stateB *[StateWords]uint64, th *Thresholds, sweeps int)\n", k.name)
		fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-56\n", k.name)
		emit("MOVQ spinsA+0(FP), DI")
		emit("MOVQ spinsB+8(FP), R15")
		emit("SUBQ DI, R15")
		emit("MOVQ L+16(FP), R8")
		emit("MOVQ th+40(FP), DX")
	} else if k.quad {
		fmt.Fprintf(&out, "\n// func %s(spins *uint64, L int, states *[4][StateWords]uint64, th *Thresholds, sweeps int)\n", k.name)
		fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-40\n", k.name)
		emit("MOVQ spins+0(FP), DI")
		emit("MOVQ L+8(FP), R8")
		emit("MOVQ th+24(FP), DX")
		// R15 = the distance of consecutive blocks, L*L*32 bytes.
		emit("MOVQ R8, R15")
		emit("IMULQ R8, R15")
		emit("SHLQ $5, R15")
	} else {
		fmt.Fprintf(&out, "\n// func %s(spins *uint64, L int, state *[StateWords]uint64, th *Thresholds, sweeps int)\n", k.name)
		fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-40\n", k.name)
		emit("MOVQ spins+0(FP), DI")
		emit("MOVQ L+8(FP), R8")
		emit("MOVQ th+24(FP), DX")
	}
	emit("MOVQ 1536(DX), DX")
	k.moveStates(false)
	if k.packed || k.quad {
		emit("MOVL $0x0F, AX")
		emit("KMOVW AX, K2")
		emit("MOVL $0xF0, AX")
		emit("KMOVW AX, K3")
	}
	text(fmt.Sprintf(`	MOVQ R8, R14
	SHLQ $5, R14
	MOVQ R8, R9
	IMULQ R14, R9
	ADDQ DI, R9

%[1]s_sweep:
	MOVQ DI, R10
	MOVQ R9, R11
	SUBQ R14, R11
	LEAQ (DI)(R14*1), R12

%[1]s_row:
	XORQ R13, R13

%[1]s_site:
	MOVQ R13, AX
	SHLQ $5, AX
	LEAQ -32(AX), BX
	LEAQ -32(R14), CX
	TESTQ R13, R13
	CMOVQEQ CX, BX
	LEAQ 32(AX), CX
	XORQ SI, SI
	CMPQ CX, R14
	CMOVQEQ SI, CX
	LEAQ (R10)(AX*1), SI
`, k.name))
}

// epilogue flips the accepted lanes, advances the site loop and stores the
// generator states.
func (k *kernel) epilogue() {
	two := k.two()
	label(k.name + "_flip")
	if k.quad {
		// The centre words were kept in Z16 (A, B) and Z19 (C, D).
		p, q := k.blocks[0], k.blocks[1]
		if k.window > 0 {
			// The blocks decided before the last step of the window
			// (not in K5, K6) take their states from C (Z23..Z30).
			for i, x := range k.blocks {
				for j, r := range x.s {
					emit("VPBLENDMQ %s, Z%d, %s, %s", r, 23+4*i+j, []string{"K5", "K6"}[i], r)
				}
			}
		}
		emit("VPXORQ  Z16, %s, %s", p.acc, p.acc)
		emit("VPXORQ  Z19, %s, %s", q.acc, q.acc)
		emit("LEAQ    (SI)(R15*2), AX")
		emit("VMOVDQU64 %s, (SI)", ymm(p.acc))
		emit("VEXTRACTI64X4 $1, %s, (SI)(R15*1)", p.acc)
		emit("VMOVDQU64 %s, (AX)", ymm(q.acc))
		emit("VEXTRACTI64X4 $1, %s, (AX)(R15*1)", q.acc)
	} else if k.packed {
		// The centre words were kept in Z16.
		x := k.blocks[0]
		emit("VPXORQ  Z16, %s, %s", x.acc, x.acc)
		emit("VMOVDQU64 %s, (SI)", ymm(x.acc))
		emit("VEXTRACTI64X4 $1, %s, (SI)(R15*1)", x.acc)
	} else {
		for i, x := range k.blocks {
			idx := ""
			if i == 1 {
				idx = "(R15*1)"
			}
			emit("%-7s (SI)%s, %s, %s", k.op("VPXOR"), idx, x.acc, x.acc)
			emit("%s %s, (SI)%s", k.mov(), x.acc, idx)
		}
	}
	sweepsArg := "sweeps+32(FP)"
	if two {
		sweepsArg = "sweeps+48(FP)"
	}
	text(fmt.Sprintf(`
	ADDQ $2, R13
	CMPQ R13, R8
	JLT %[1]s_site
	TESTQ $1, R13
	JNZ %[1]s_rowdone
	MOVQ $1, R13
	JMP %[1]s_site

%[1]s_rowdone:
	MOVQ R10, R11
	MOVQ R12, R10
	CMPQ R10, DI
	JEQ %[1]s_sweepdone
	ADDQ R14, R12
	CMPQ R12, R9
	JNE %[1]s_row
	MOVQ DI, R12
	JMP %[1]s_row

%[1]s_sweepdone:
	DECQ %[2]s
	JNZ %[1]s_sweep

`, k.name, sweepsArg))
	k.moveStates(true)
	emit("VZEROUPPER")
	emit("RET")
}

// interleaved emits a kernel over one or two blocks in 256-bit registers.
func (k *kernel) interleaved() {
	u := k.unconditional()
	k.prologue()
	for i, x := range k.blocks {
		if i == 1 {
			for _, g := range []string{"R10", "R11", "R12", "SI"} {
				emit("ADDQ    R15, %s", g)
			}
		}
		if k.evex {
			// c = Y14 (r), l = Y15 (t), u = acc; rt, d from memory.
			emit("VMOVDQU64 (SI), %s", k.r)
			emit("VMOVDQU64 (R10)(BX*1), %s", k.t)
			emit("VMOVDQU64 (R11)(AX*1), %s", x.acc)
			k.setupEVEX(x, k.r, k.t, "(R10)(CX*1)", x.acc, "(R12)(AX*1)")
		} else {
			k.setupVEX(x)
		}
		if i == 1 {
			for _, g := range []string{"R10", "R11", "R12", "SI"} {
				emit("SUBQ    R15, %s", g)
			}
		}
	}
	if len(k.blocks) == 1 {
		x := k.blocks[0]
		for s := range 24 {
			if s >= u {
				k.undecided(x)
				emit("JZ      %s_flip", k.name)
			}
			k.step("p", s, x)
		}
		k.epilogue()
		return
	}
	a, b := k.blocks[0], k.blocks[1]
	// Both blocks: steps 0..9 always, later ones while both are undecided.
	for s := range 24 {
		if s >= u {
			k.undecided(a)
			emit("JZ      %s_adone%d", k.name, s)
			k.undecided(b)
			emit("JZ      %s_tailA%d", k.name, s)
		}
		k.step("p", s, a, b)
	}
	emit("JMP     %s_flip", k.name)
	for s := u; s < 24; s++ {
		label(fmt.Sprintf("%s_adone%d", k.name, s))
		k.undecided(b)
		emit("JZ      %s_flip", k.name)
		emit("JMP     %s_tailB%d", k.name, s)
	}
	// One block alone from step s on.
	for _, x := range k.blocks {
		for s := u; s < 24; s++ {
			label(fmt.Sprintf("%s_tail%s%d", k.name, x.name, s))
			k.step("t", s, x)
			if s < 23 {
				k.undecided(x)
				emit("JZ      %s_flip", k.name)
			}
		}
		emit("JMP     %s_flip", k.name)
	}
	k.epilogue()
}

// packedKernel emits a two-block kernel in 512-bit registers: each register
// holds block A's four words (or streams) in its low 256 bits and block B's
// in its high ones, so one operation serves both blocks. Steps 0..9 run on
// both halves. From step 10 on, one test per step (VPTESTMQ und -> K1, its
// two nibbles) chooses: both blocks undecided (the step on both halves), one
// (a tail in which only that half's xoshiro256++ state is written, merged
// under the constant mask K2 = 0x0F for A or K3 = 0xF0 for B), or neither.
// The comparison needs no mask: in a decided half und = 0, which leaves acc
// and und unchanged. A tail stays a tail (a decided block stays decided) and
// tests the whole of und, whose other half is zero.
//
// Site set-up: block A's five words are loaded as 256-bit halves and block
// B's (at offset R15) inserted above them; the centre stays in Z16 for the
// flip, the right and down neighbours in Z17, Z18.
func (k *kernel) packedKernel() {
	uc := k.unconditional()
	k.prologue()
	x := k.blocks[0]
	c, l, rt, u, d := "Z16", k.t, "Z17", x.acc, "Z18"
	loads := [][2]string{{"(SI)", c}, {"(R10)(BX*1)", l}, {"(R10)(CX*1)", rt}, {"(R11)(AX*1)", u}, {"(R12)(AX*1)", d}}
	for _, m := range loads {
		emit("VMOVDQU64 %s, %s", m[0], ymm(m[1]))
	}
	emit("ADDQ    R15, AX")
	emit("ADDQ    R15, BX")
	emit("ADDQ    R15, CX")
	for _, m := range loads {
		mem := m[0]
		if mem == "(SI)" {
			mem = "(SI)(R15*1)"
		}
		emit("VINSERTI64X4 $1, %s, %s, %s", mem, m[1], m[1])
	}
	k.setupEVEX(x, c, l, rt, u, d)
	test := func() { // AX = the qwords of und that are not zero
		emit("VPTESTMQ %s, %s, K1", x.und, x.und)
		emit("KMOVW   K1, AX")
	}
	for s := range 24 {
		if s >= uc {
			test()
			emit("TESTB   $0x0F, AL")
			emit("JZ      %s_adone%d", k.name, s)
			emit("TESTB   $0xF0, AL")
			emit("JZ      %s_tailA%d", k.name, s)
		}
		k.step("p", s, x)
	}
	emit("JMP     %s_flip", k.name)
	for s := uc; s < 24; s++ {
		label(fmt.Sprintf("%s_adone%d", k.name, s))
		emit("TESTB   $0xF0, AL")
		emit("JZ      %s_flip", k.name)
		emit("JMP     %s_tailB%d", k.name, s)
	}
	for _, h := range []struct{ name, mask string }{{"A", "K2"}, {"B", "K3"}} {
		x := x
		x.mask = h.mask
		for s := uc; s < 24; s++ {
			label(fmt.Sprintf("%s_tail%s%d", k.name, h.name, s))
			k.step("t"+h.name, s, x)
			if s < 23 {
				emit("VPTESTMQ %s, %s, K1", x.und, x.und)
				emit("KORTESTW K1, K1")
				emit("JZ      %s_flip", k.name)
			}
		}
		emit("JMP     %s_flip", k.name)
	}
	k.epilogue()
}

// quadKernel emits a kernel over four consecutive blocks A, B, C, D (at
// distance R15 = L*L*32 bytes) as two packed pairs P = (A, B) and Q = (C, D)
// whose steps are interleaved: on Zen 5 one pair's xoshiro256++ step is
// bound by the latency of its state chain (all 24 steps run: one pair 12.9
// flips/ns, two interleaved pairs 20.3), so two chains share the pipes.
//
// Steps 0..9 run on all four blocks. So do the window's steps 10..9+window,
// without a branch: before each, undecidedMasks sets K5 (P) and K6 (Q) to
// the qwords of the blocks still undecided; after each but the last, the
// states are committed to C (Z23..Z30) under those masks, C having been
// copied from the states before step 10. A block undecided before the last
// window step has its state in the state registers (it advanced in that
// step, or will in the steps of its mode); the others take theirs from C at
// the flip (blend under K5, K6, still those of the last window step).
//
// From step 10+window on the kernel is in a mode E, the set of blocks still
// undecided, with its own code: a pair with both blocks in E runs unmasked,
// a pair with one merges its state writes under K2 (A or C) or K3 (B or D),
// a pair with none is left out. Before each step one test computes the set
// of undecided blocks (VPTESTMQ of both und registers, their masks packed
// into one word, a nibble each; CX = the nibbles that are not zero, bit 3 of
// each); when it is not E, a tree of branches on its bits jumps to the same
// step in the mode of the new set (a subset of E), or to the flip. The window
// replaces the mispredicted exits of its steps (21.6 flips/ns without a
// window, 26-27 with three steps) by one wait per site for the last mask.
func (k *kernel) quadKernel() {
	u := k.unconditional()
	k.prologue()
	p, q := k.blocks[0], k.blocks[1]
	// Site set-up: P's words as in packedKernel; then AX, BX, CX advanced
	// by R15 again for C and by R15 once more for D; the centres through
	// (R10)(AX*1), which is SI plus the offset.
	type pairRegs struct{ c, l, rt, d string }
	regs := []pairRegs{{"Z16", k.t, "Z17", "Z18"}, {"Z19", "Z22", "Z20", "Z21"}}
	for i, x := range k.blocks {
		r := regs[i]
		loads := [][2]string{{"(R10)(AX*1)", r.c}, {"(R10)(BX*1)", r.l}, {"(R10)(CX*1)", r.rt}, {"(R11)(AX*1)", x.acc}, {"(R12)(AX*1)", r.d}}
		if i == 1 {
			emit("ADDQ    R15, AX")
			emit("ADDQ    R15, BX")
			emit("ADDQ    R15, CX")
		}
		for _, m := range loads {
			emit("VMOVDQU64 %s, %s", m[0], ymm(m[1]))
		}
		emit("ADDQ    R15, AX")
		emit("ADDQ    R15, BX")
		emit("ADDQ    R15, CX")
		for _, m := range loads {
			emit("VINSERTI64X4 $1, %s, %s, %s", m[0], m[1], m[1])
		}
		k.setupEVEX(x, r.c, r.l, r.rt, x.acc, r.d)
	}
	for s := range u {
		k.step("p", s, p, q)
	}
	// The window: steps run on all four blocks, the states of the blocks
	// undecided before the step committed to C after it.
	cs := [2][4]string{{"Z23", "Z24", "Z25", "Z26"}, {"Z27", "Z28", "Z29", "Z30"}}
	if k.window > 0 {
		for i, x := range k.blocks {
			for j, r := range x.s {
				emit("VMOVDQA64 %s, %s", r, cs[i][j])
			}
		}
	}
	for s := u; s < u+k.window; s++ {
		k.undecidedMasks()
		k.step("w", s, p, q)
		if s == u+k.window-1 {
			// A block undecided before the last step of the window has
			// the state in S (it advanced in this step, or will at the
			// steps of its mode): K5, K6 stay as they are for the flip.
			break
		}
		for i, x := range k.blocks {
			for j, r := range x.s {
				emit("VMOVDQA64 %s, %s, %s", r, []string{"K5", "K6"}[i], cs[i][j])
			}
		}
	}
	first := u + k.window
	const full = 0xF
	pat := func(e int) int { // the nibble bits of the blocks in e
		v := 0
		for i := range 4 {
			if e>>i&1 != 0 {
				v |= 8 << (4 * i)
			}
		}
		return v
	}
	mode := func(e int) string { return fmt.Sprintf("m%x", e) }
	// The pairs of mode e, with their masks.
	pairs := func(e int) []block {
		var xs []block
		for i, x := range k.blocks {
			switch e >> (2 * i) & 3 {
			case 1:
				x.mask = "K2"
			case 2:
				x.mask = "K3"
			case 0:
				continue
			}
			xs = append(xs, x)
		}
		return xs
	}
	var trans []func()
	for e := full; e > 0; e-- {
		for s := first; s < Steps; s++ {
			run := fmt.Sprintf("%s_%s_%d", k.name, mode(e), s)
			k.undecidedSet()
			emit("CMPL    CX, $%#x", pat(e))
			emit("JNE     %s_t", run)
			label(run + "_run")
			k.step(mode(e), s, pairs(e)...)
			e, s := e, s
			trans = append(trans, func() { k.transition(run+"_t", e, s, mode) })
		}
		emit("JMP     %s_flip", k.name)
	}
	for _, f := range trans {
		f()
	}
	k.epilogue()
}

// undecidedSet sets CX to the set of undecided blocks of a quad kernel: bit
// 3 of nibble i set when block i has an undecided lane (AX = the qwords of
// the two und registers that are not zero).
func (k *kernel) undecidedSet() {
	p, q := k.blocks[0], k.blocks[1]
	emit("VPTESTMQ %s, %s, K1", p.und, p.und)
	emit("VPTESTMQ %s, %s, K4", q.und, q.und)
	emit("KUNPCKBW K1, K4, K1")
	emit("KMOVW   K1, AX")
	emit("MOVL    AX, CX")
	emit("ANDL    $0x7777, CX")
	emit("ADDL    $0x7777, CX")
	emit("ORL     AX, CX")
	emit("ANDL    $0x8888, CX")
}

// undecidedMasks is undecidedSet, and K5 (pair P) and K6 (pair Q) the
// qwords of the undecided blocks: nibble i = 0xF = 2*(bit 3) - (bit 3)>>3.
func (k *kernel) undecidedMasks() {
	k.undecidedSet()
	emit("MOVL    CX, BX")
	emit("SHRL    $3, BX")
	emit("LEAL    (CX)(CX*1), AX")
	emit("SUBL    BX, AX")
	emit("KMOVW   AX, K5")
	emit("KSHIFTRW $8, K5, K6")
}

// transition emits, at label l, the branches from mode e before step s to
// the mode of the set of undecided blocks in CX (a subset of e, not e).
func (k *kernel) transition(l string, e, s int, mode func(int) string) {
	label(l)
	var walk func(path string, i, n int)
	walk = func(path string, i, n int) {
		for i < 4 && e>>i&1 == 0 {
			i++
		}
		if i == 4 {
			if n == 0 {
				emit("JMP     %s_flip", k.name)
			} else {
				emit("JMP     %s_%s_%d_run", k.name, mode(n), s)
			}
			return
		}
		emit("TESTL   $%#x, CX", 8<<(4*i))
		emit("JZ      %s%s0", l, path)
		walk(path+"1", i+1, n|1<<i)
		label(l + path + "0")
		walk(path+"0", i+1, n)
	}
	walk("_", 0, 0)
}

const head = `//go:build amd64 && gc && !purego

// Code generated by _gen (go run ./_gen > ising_amd64.s). DO NOT EDIT.

// Metropolis sweeps over 256-replica blocks: the algorithm and the early-exit
// policy of sweepGeneric (generic.go, documented in ising.go), in AVX2 and
// AVX-512. The kernels and their register use are described in _gen/main.go.
//
// In every kernel: Y0..Y3 (and Y7..Y10 for a second interleaved block) hold
// the generator states S0..S3 of the block's four streams, then Y4 (Y11)
// sel, the lanes with one anti-aligned bond (threshold P4; the other
// undecided lanes have none, threshold P8), Y5 (Y12) und, the undecided
// lanes, Y6 (Y13) acc, the accepted lanes (starting as those with two or
// more anti-aligned bonds, which flip regardless). With t a lane's
// threshold bit, a step does acc |= und & t &^ u; und &^= u ^ t, coded for
// each pair of bits (see compare in _gen/main.go).

#include "textflag.h"

`

func main() {
	arch := flag.String("arch", "amd64", "amd64 or arm64")
	kind := flag.String("kernel", "sweep", "sweep (the Metropolis kernels) or counts (the counting kernels, counts.go)")
	flag.Parse()
	if *arch != "amd64" && *arch != "arm64" {
		fmt.Fprintf(os.Stderr, "_gen: -arch %q, want amd64 or arm64\n", *arch)
		os.Exit(2)
	}
	switch {
	case *kind == "counts":
		countsMain(*arch)
	case *kind != "sweep":
		fmt.Fprintf(os.Stderr, "_gen: -kernel %q, want sweep or counts\n", *kind)
		os.Exit(2)
	case *arch == "amd64":
		amd64Main()
	default:
		neonMain()
	}
	os.Stdout.WriteString(out.String())
}

func amd64Main() {
	text(head)
	// SFC64's constants: the counter increment, and the VPSHUFB control
	// that rotates each quadword left by 24 bits (result byte j = source
	// byte j-3 mod 8).
	for i := 0; i < 64; i += 8 {
		text(fmt.Sprintf("DATA sfcOne<>+%d(SB)/8, $1\n", i))
	}
	for i := 0; i < 32; i += 8 {
		text(fmt.Sprintf("DATA sfcRot24<>+%d(SB)/8, $0x%016x\n", i, uint64(0x0403020100070605)+uint64(i/8%2)*0x0808080808080808))
	}
	text("GLOBL sfcOne<>(SB), RODATA|NOPTR, $64\nGLOBL sfcRot24<>(SB), RODATA|NOPTR, $32\n")
	ya := block{"A", [4]string{"Y0", "Y1", "Y2", "Y3"}, "Y4", "Y5", "Y6", ""}
	yb := block{"B", [4]string{"Y7", "Y8", "Y9", "Y10"}, "Y11", "Y12", "Y13", ""}
	vex, evx := isa{false}, isa{true}
	kernels := []kernel{
		{isa: vex, name: "sweepAVX2", blocks: []block{ya}, r: "Y14", t: "Y15"},
		{isa: vex, name: "sweep2AVX2", blocks: []block{ya, yb}, r: "Y14", t: "Y15"},
		{isa: evx, name: "sweepAVX512", blocks: []block{ya}, r: "Y14", t: "Y15"},
		{isa: evx, name: "sweep2AVX512", blocks: []block{ya, yb}, r: "Y14", t: "Y15"},
	}
	zp := block{"AB", [4]string{"Z0", "Z1", "Z2", "Z3"}, "Z4", "Z5", "Z6", ""}
	packed := kernel{isa: evx, name: "sweep2AVX512Z", blocks: []block{zp}, r: "Z14", t: "Z15", packed: true}
	zq := block{"CD", [4]string{"Z7", "Z8", "Z9", "Z10"}, "Z11", "Z12", "Z13", ""}
	quad := kernel{isa: evx, name: "sweep4AVX512Z", blocks: []block{zp, zq}, r: "Z14", t: "Z15", quad: true, window: 3}
	// Every kernel twice: xoshiro256++ streams, then SFC64 ones (name
	// suffix SFC), from the same code but the generator step.
	for _, sfc := range []bool{false, true} {
		suffix := map[bool]string{false: "", true: "SFC"}[sfc]
		for _, k := range kernels {
			k.sfc, k.name = sfc, k.name+suffix
			k.interleaved()
		}
		p, q := packed, quad
		p.sfc, p.name = sfc, p.name+suffix
		p.packedKernel()
		q.sfc, q.name = sfc, q.name+suffix
		if sfc {
			// With SFC64 the first test comes at step 12 anyway
			// (UnconditionalSFC64); a window after it lost: bitlattice's
			// BenchmarkSweep, one thread, K = 0.408, Zen 5, 3 alternated
			// runs, flips per CPU ns: window 0 30.4, 1 28.2, 2 26.0, 3 26.1.
			q.window = 0
		}
		q.quadKernel()
	}
}
