//go:build amd64 && gc && !purego

#include "textflag.h"

// countsAVX512 (counts_amd64.go; the algorithm in counts.go). Requires
// AVX-512 F and VL: VPTERNLOGQ on ymm registers Y0-Y31, KMOVW and masked
// VPADDD on zmm.
//
// A site's four lane words are one ymm register. Registers:
//	Y0-Y3	bond tree: ones, twos, fours, eights
//	Y4-Y6	spin tree: ones, twos, fours
//	Y7-Y10	4-bit counter of the bond carries (weight 16)
//	Y11-Y14	4-bit counter of the spin carries (weight 8)
//	Y15-Y31	temporaries
//	SI spins, BX tab, CX groups left, DI planes, R11 groups to the next flush

// CSA(acc, x, y, carry): carry = majority(acc, x, y), acc = acc^x^y.
#define CSA(acc, x, y, carry) \
	VMOVDQA64 x, carry \
	VPTERNLOGQ $0xE8, y, acc, carry \
	VPTERNLOGQ $0x96, y, x, acc

// SITE(off, S, A, D): the site of table entry off(BX): S its spins, A and D
// whether its right and down bonds are anti-aligned.
#define SITE(off, S, A, D) \
	MOVL off(BX), R8 \
	MOVL off+4(BX), R9 \
	MOVL off+8(BX), R10 \
	VMOVDQU64 (SI)(R8*8), S \
	VPXORQ (SI)(R9*8), S, A \
	VPXORQ (SI)(R10*8), S, D

// PAIR(off, F, U): two sites into the trees; F gets the bonds' carry of
// weight 4, U the spins' carry of weight 2.
#define PAIR(off, F, U) \
	SITE(off, Y15, Y16, Y17) \
	SITE(off+12, Y18, Y19, Y20) \
	CSA(Y0, Y16, Y17, Y21) \
	CSA(Y0, Y19, Y20, Y22) \
	CSA(Y1, Y21, Y22, F) \
	CSA(Y4, Y15, Y18, U)

// ADD4(C0, C1, C2, C3, X, T): the 4-bit counter C += X (X and T clobbered).
#define ADD4(C0, C1, C2, C3, X, T) \
	VPANDQ X, C0, T \
	VPXORQ X, C0, C0 \
	VPANDQ T, C1, X \
	VPXORQ T, C1, C1 \
	VPANDQ X, C2, T \
	VPXORQ X, C2, C2 \
	VPXORQ T, C3, C3

// FA(off, C): plane off(DI) += C + carry Y29 (a full adder, carry out in Y29).
#define FA(off, C) \
	VMOVDQU64 off(DI), Y30 \
	VMOVDQA64 Y30, Y31 \
	VPTERNLOGQ $0xE8, Y29, C, Y31 \
	VPTERNLOGQ $0x96, Y29, C, Y30 \
	VMOVDQU64 Y30, off(DI) \
	VMOVDQA64 Y31, Y29

// FLUSH(off, C0, C1, C2, C3, levels): adds the 4-bit counter C to the wide
// counter whose plane of C0's weight is at off(DI), through the plane at
// off+32*(levels-1), and clears C. After four full adders, a loop of half
// adders ripples the carry (JNZ -7(PC): back to its first instruction).
#define FLUSH(off, C0, C1, C2, C3, levels) \
	VPXORQ Y29, Y29, Y29 \
	FA(off, C0) \
	FA(off+32, C1) \
	FA(off+64, C2) \
	FA(off+96, C3) \
	LEAQ off+128(DI), R12 \
	MOVQ $(levels-4), R13 \
	VMOVDQU64 (R12), Y30 \
	VPANDQ Y29, Y30, Y31 \
	VPXORQ Y29, Y30, Y30 \
	VMOVDQU64 Y30, (R12) \
	VMOVDQA64 Y31, Y29 \
	ADDQ $32, R12 \
	DECQ R13 \
	JNZ -7(PC) \
	VPXORQ C0, C0, C0 \
	VPXORQ C1, C1, C1 \
	VPXORQ C2, C2, C2 \
	VPXORQ C3, C3, C3

// func countsAVX512(spins *uint64, tab *int32, groups int, planes *[2][countPlanes][BlockWords]uint64, nbits int, anti, up *[BlockReplicas]int32)
TEXT ·countsAVX512(SB), NOSPLIT, $0-56
	MOVQ spins+0(FP), SI
	MOVQ tab+8(FP), BX
	MOVQ groups+16(FP), CX
	MOVQ planes+24(FP), DI

	// Clear the planes (2 * 32 * 32 bytes) and the trees.
	VPXORD Z29, Z29, Z29
	MOVQ DI, R12
	MOVQ $32, R13
clear:
	VMOVDQU64 Z29, (R12)
	ADDQ $64, R12
	DECQ R13
	JNZ clear
	VPXORQ Y0, Y0, Y0
	VPXORQ Y1, Y1, Y1
	VPXORQ Y2, Y2, Y2
	VPXORQ Y3, Y3, Y3
	VPXORQ Y4, Y4, Y4
	VPXORQ Y5, Y5, Y5
	VPXORQ Y6, Y6, Y6
	VPXORQ Y7, Y7, Y7
	VPXORQ Y8, Y8, Y8
	VPXORQ Y9, Y9, Y9
	VPXORQ Y10, Y10, Y10
	VPXORQ Y11, Y11, Y11
	VPXORQ Y12, Y12, Y12
	VPXORQ Y13, Y13, Y13
	VPXORQ Y14, Y14, Y14
	MOVQ $15, R11

group:
	// Eight sites: four pairs, the bonds' weight-4 carries into the fours
	// after each two pairs, the spins' weight-2 carries into the twos.
	PAIR(0, Y24, Y27)
	PAIR(24, Y23, Y26)
	CSA(Y2, Y24, Y23, Y25)
	CSA(Y5, Y27, Y26, Y28)
	PAIR(48, Y24, Y27)
	PAIR(72, Y23, Y26)
	CSA(Y2, Y24, Y23, Y30)
	CSA(Y5, Y27, Y26, Y31)
	CSA(Y3, Y25, Y30, Y29)
	ADD4(Y7, Y8, Y9, Y10, Y29, Y21)
	CSA(Y6, Y28, Y31, Y29)
	ADD4(Y11, Y12, Y13, Y14, Y29, Y21)
	ADDQ $96, BX
	DECQ R11
	JNZ next
	FLUSH(128, Y7, Y8, Y9, Y10, 28)
	FLUSH(1024+96, Y11, Y12, Y13, Y14, 29)
	MOVQ $15, R11
next:
	DECQ CX
	JNZ group

	FLUSH(128, Y7, Y8, Y9, Y10, 28)
	FLUSH(1024+96, Y11, Y12, Y13, Y14, 29)
	// Nothing was added below the carries' weights: the trees are the
	// low planes.
	VMOVDQU64 Y0, 0(DI)
	VMOVDQU64 Y1, 32(DI)
	VMOVDQU64 Y2, 64(DI)
	VMOVDQU64 Y3, 96(DI)
	VMOVDQU64 Y4, 1024(DI)
	VMOVDQU64 Y5, 1056(DI)
	VMOVDQU64 Y6, 1088(DI)

	// The transposition: out[q] = sum_{j < nbits} bit q of plane j << j,
	// 16 lanes (two bytes of each plane) at a time, for the bonds (anti)
	// and then the spins (up).
	MOVQ nbits+32(FP), AX
	MOVL $1, R9
	VPBROADCASTD R9, Z31
	MOVQ DI, R12
	MOVQ anti+40(FP), R8
	MOVQ $2, R11
pass:
	MOVQ $16, R13
lanes:
	VMOVDQU64 Z31, Z30
	VPXORD Z29, Z29, Z29
	MOVQ R12, R9
	MOVQ AX, R10
planes:
	KMOVW (R9), K1
	VPADDD Z30, Z29, K1, Z29
	VPADDD Z30, Z30, Z30
	ADDQ $32, R9
	DECQ R10
	JNZ planes
	VMOVDQU32 Z29, (R8)
	ADDQ $64, R8
	ADDQ $2, R12
	DECQ R13
	JNZ lanes
	LEAQ 1024(DI), R12
	MOVQ up+48(FP), R8
	DECQ R11
	JNZ pass
	VZEROUPPER
	RET

// countsAVX2 (counts_amd64.go). Requires AVX2. With 16 registers the bonds
// and the spins take one pass each over the table; the carry-save adders
// are five instructions. Registers, each pass:
//	Y0-Y3	the tree: ones, twos, fours, eights (the spins: ones to fours)
//	Y4-Y7	the 4-bit counter of the carries (weight 16, the spins 8)
//	Y8-Y15	temporaries
//	SI spins, BX tab, CX groups left, DI planes, R11 groups to the next flush

// CSA2(acc, x, y, carry): carry = majority(acc, x, y), acc = acc^x^y; x
// clobbered.
#define CSA2(acc, x, y, carry) \
	VPAND x, acc, carry \
	VPXOR x, acc, x \
	VPXOR y, x, acc \
	VPAND y, x, x \
	VPOR x, carry, carry

// SITE2(off, S, A, D) is SITE with VEX instructions.
#define SITE2(off, S, A, D) \
	MOVL off(BX), R8 \
	MOVL off+4(BX), R9 \
	MOVL off+8(BX), R10 \
	VMOVDQU (SI)(R8*8), S \
	VPXOR (SI)(R9*8), S, A \
	VPXOR (SI)(R10*8), S, D

// BONDS2(off, F): two sites' bonds into the tree, F their carry of weight 4.
#define BONDS2(off, F) \
	SITE2(off, Y8, Y9, Y10) \
	CSA2(Y0, Y9, Y10, Y11) \
	SITE2(off+12, Y8, Y9, Y10) \
	CSA2(Y0, Y9, Y10, Y12) \
	CSA2(Y1, Y11, Y12, F)

// SPINS2(off, U): two sites' spins into the tree, U their carry of weight 2.
#define SPINS2(off, U) \
	MOVL off(BX), R8 \
	MOVL off+12(BX), R9 \
	VMOVDQU (SI)(R8*8), Y8 \
	VMOVDQU (SI)(R9*8), Y9 \
	CSA2(Y0, Y8, Y9, U)

// ADD4V(X, T): the 4-bit counter Y4-Y7 += X (X and T clobbered).
#define ADD4V(X, T) \
	VPAND X, Y4, T \
	VPXOR X, Y4, Y4 \
	VPAND T, Y5, X \
	VPXOR T, Y5, Y5 \
	VPAND X, Y6, T \
	VPXOR X, Y6, Y6 \
	VPXOR T, Y7, Y7

// FA2(off, C): plane off(DI) += C + carry Y13 (carry out in Y13; C clobbered).
#define FA2(off, C) \
	VMOVDQU off(DI), Y14 \
	VPXOR C, Y14, Y15 \
	VPAND C, Y14, Y14 \
	VPAND Y13, Y15, C \
	VPXOR Y13, Y15, Y15 \
	VPOR C, Y14, Y13 \
	VMOVDQU Y15, off(DI)

// FLUSH2(off, levels) is FLUSH for the counter Y4-Y7.
#define FLUSH2(off, levels) \
	VPXOR Y13, Y13, Y13 \
	FA2(off, Y4) \
	FA2(off+32, Y5) \
	FA2(off+64, Y6) \
	FA2(off+96, Y7) \
	LEAQ off+128(DI), R12 \
	MOVQ $(levels-4), R13 \
	VMOVDQU (R12), Y14 \
	VPAND Y13, Y14, Y15 \
	VPXOR Y13, Y14, Y14 \
	VMOVDQU Y14, (R12) \
	VMOVDQA Y15, Y13 \
	ADDQ $32, R12 \
	DECQ R13 \
	JNZ -7(PC) \
	VPXOR Y4, Y4, Y4 \
	VPXOR Y5, Y5, Y5 \
	VPXOR Y6, Y6, Y6 \
	VPXOR Y7, Y7, Y7

// ZERO2 clears the tree and the 4-bit counter.
#define ZERO2 \
	VPXOR Y0, Y0, Y0 \
	VPXOR Y1, Y1, Y1 \
	VPXOR Y2, Y2, Y2 \
	VPXOR Y3, Y3, Y3 \
	VPXOR Y4, Y4, Y4 \
	VPXOR Y5, Y5, Y5 \
	VPXOR Y6, Y6, Y6 \
	VPXOR Y7, Y7, Y7

// bitOf holds 1 << i in dword i: a byte broadcast to the eight dwords, ANDed
// with it and compared, gives its bits as eight masks.
DATA bitOf<>+0(SB)/4, $1
DATA bitOf<>+4(SB)/4, $2
DATA bitOf<>+8(SB)/4, $4
DATA bitOf<>+12(SB)/4, $8
DATA bitOf<>+16(SB)/4, $16
DATA bitOf<>+20(SB)/4, $32
DATA bitOf<>+24(SB)/4, $64
DATA bitOf<>+28(SB)/4, $128
GLOBL bitOf<>(SB), RODATA|NOPTR, $32

// func countsAVX2(spins *uint64, tab *int32, groups int, planes *[2][countPlanes][BlockWords]uint64, nbits int, anti, up *[BlockReplicas]int32)
TEXT ·countsAVX2(SB), NOSPLIT, $0-56
	MOVQ spins+0(FP), SI
	MOVQ tab+8(FP), BX
	MOVQ groups+16(FP), CX
	MOVQ planes+24(FP), DI

	// Clear the planes (2 * 32 * 32 bytes).
	VPXOR Y8, Y8, Y8
	MOVQ DI, R12
	MOVQ $64, R13
clear2:
	VMOVDQU Y8, (R12)
	ADDQ $32, R12
	DECQ R13
	JNZ clear2

	// The bonds: eight sites a group, the weight-4 carries of two pairs
	// into the fours, the weight-8 ones into the eights.
	ZERO2
	MOVQ $15, R11
bonds:
	BONDS2(0, Y13)
	BONDS2(24, Y14)
	CSA2(Y2, Y13, Y14, Y15)
	BONDS2(48, Y13)
	BONDS2(72, Y14)
	CSA2(Y2, Y13, Y14, Y8)
	CSA2(Y3, Y15, Y8, Y9)
	ADD4V(Y9, Y10)
	ADDQ $96, BX
	DECQ R11
	JNZ bondsNext
	FLUSH2(128, 32-4)
	MOVQ $15, R11
bondsNext:
	DECQ CX
	JNZ bonds
	FLUSH2(128, 32-4)
	VMOVDQU Y0, 0(DI)
	VMOVDQU Y1, 32(DI)
	VMOVDQU Y2, 64(DI)
	VMOVDQU Y3, 96(DI)

	// The spins, the same way.
	MOVQ tab+8(FP), BX
	MOVQ groups+16(FP), CX
	ZERO2
	MOVQ $15, R11
spins:
	SPINS2(0, Y10)
	SPINS2(24, Y11)
	CSA2(Y1, Y10, Y11, Y12)
	SPINS2(48, Y10)
	SPINS2(72, Y11)
	CSA2(Y1, Y10, Y11, Y13)
	CSA2(Y2, Y12, Y13, Y14)
	ADD4V(Y14, Y15)
	ADDQ $96, BX
	DECQ R11
	JNZ spinsNext
	FLUSH2(1024+96, 32-3)
	MOVQ $15, R11
spinsNext:
	DECQ CX
	JNZ spins
	FLUSH2(1024+96, 32-3)
	VMOVDQU Y0, 1024(DI)
	VMOVDQU Y1, 1056(DI)
	VMOVDQU Y2, 1088(DI)

	// The transposition, eight lanes (one byte of each plane) at a time,
	// from the highest plane down: acc = 2 acc + bit.
	VMOVDQU bitOf<>(SB), Y15
	MOVQ nbits+32(FP), AX
	MOVQ AX, R12
	DECQ R12
	SHLQ $5, R12
	ADDQ DI, R12
	MOVQ anti+40(FP), R8
	MOVQ $2, R11
pass2:
	MOVQ $32, R13
lanes2:
	VPXOR Y0, Y0, Y0
	MOVQ R12, R9
	MOVQ AX, R10
planes2:
	VPBROADCASTB (R9), Y8
	VPAND Y15, Y8, Y8
	VPCMPEQD Y15, Y8, Y8
	VPADDD Y0, Y0, Y0
	VPSUBD Y8, Y0, Y0
	SUBQ $32, R9
	DECQ R10
	JNZ planes2
	VMOVDQU Y0, (R8)
	ADDQ $32, R8
	INCQ R12
	DECQ R13
	JNZ lanes2
	ADDQ $1024-32, R12
	MOVQ up+48(FP), R8
	DECQ R11
	JNZ pass2
	VZEROUPPER
	RET
