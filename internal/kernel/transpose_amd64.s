//go:build !purego

#include "textflag.h"

// The transposes of the AVX-512 and AVX2 paths (AVX2 instructions, which
// both run): whole blocks of 8×8 float32 or 4×4 float64, the Go wrappers
// in transpose.go doing the rest. They move numbers only.

// func transpose32AVX2(dst, src *float32, r, c, rb, cb int)
//
// For the rb×cb blocks of 8×8 at the top left of the r×c row-major src,
// block (bi, bj) goes to block (bj, bi) of the c×r row-major dst,
// transposed, a row of blocks of dst at a time (so that the stores run
// along its rows and fill whole cache lines, while the loads of src stay
// in the L2 cache until the next row of blocks reads the rest of their
// lines): rows loaded into Y0-Y7, interleaved in pairs (VUNPCKLPS,
// VUNPCKHPS), in fours (VSHUFPS) and across the 128-bit halves
// (VPERM2F128), stored from Y8-Y15.
TEXT ·transpose32AVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ r+16(FP), R9
	MOVQ c+24(FP), R8
	MOVQ rb+32(FP), R10
	MOVQ cb+40(FP), R11
	SHLQ $2, R8           // a row of src, in bytes
	SHLQ $2, R9           // a row of dst, in bytes
	LEAQ (R8)(R8*2), R12  // three rows of src
	LEAQ (R9)(R9*2), R13  // three rows of dst

cols32:
	TESTQ R11, R11
	JZ    done32
	MOVQ  SI, AX
	MOVQ  DI, BX
	MOVQ  R10, CX

rows32:
	TESTQ      CX, CX
	JZ         next32
	LEAQ       (AX)(R8*4), DX
	VMOVUPS    (AX), Y0
	VMOVUPS    (AX)(R8*1), Y1
	VMOVUPS    (AX)(R8*2), Y2
	VMOVUPS    (AX)(R12*1), Y3
	VMOVUPS    (DX), Y4
	VMOVUPS    (DX)(R8*1), Y5
	VMOVUPS    (DX)(R8*2), Y6
	VMOVUPS    (DX)(R12*1), Y7
	VUNPCKLPS  Y1, Y0, Y8         // a0 b0 a1 b1 | a4 b4 a5 b5
	VUNPCKHPS  Y1, Y0, Y9         // a2 b2 a3 b3 | a6 b6 a7 b7
	VUNPCKLPS  Y3, Y2, Y10        // c0 d0 c1 d1 | c4 d4 c5 d5
	VUNPCKHPS  Y3, Y2, Y11
	VUNPCKLPS  Y5, Y4, Y12        // e, f
	VUNPCKHPS  Y5, Y4, Y13
	VUNPCKLPS  Y7, Y6, Y14        // g, h
	VUNPCKHPS  Y7, Y6, Y15
	VSHUFPS    $0x44, Y10, Y8, Y0 // a0 b0 c0 d0 | a4 b4 c4 d4
	VSHUFPS    $0xEE, Y10, Y8, Y1 // a1 b1 c1 d1 | a5 b5 c5 d5
	VSHUFPS    $0x44, Y11, Y9, Y2 // a2 .. | a6 ..
	VSHUFPS    $0xEE, Y11, Y9, Y3 // a3 .. | a7 ..
	VSHUFPS    $0x44, Y14, Y12, Y4 // e0 f0 g0 h0 | e4 f4 g4 h4
	VSHUFPS    $0xEE, Y14, Y12, Y5
	VSHUFPS    $0x44, Y15, Y13, Y6
	VSHUFPS    $0xEE, Y15, Y13, Y7
	VPERM2F128 $0x20, Y4, Y0, Y8  // a0 b0 c0 d0 e0 f0 g0 h0
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12 // a4 b4 c4 d4 e4 f4 g4 h4
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15
	LEAQ       (BX)(R9*4), DX
	VMOVUPS    Y8, (BX)
	VMOVUPS    Y9, (BX)(R9*1)
	VMOVUPS    Y10, (BX)(R9*2)
	VMOVUPS    Y11, (BX)(R13*1)
	VMOVUPS    Y12, (DX)
	VMOVUPS    Y13, (DX)(R9*1)
	VMOVUPS    Y14, (DX)(R9*2)
	VMOVUPS    Y15, (DX)(R13*1)
	LEAQ       (AX)(R8*8), AX
	ADDQ       $32, BX
	DECQ       CX
	JMP        rows32

next32:
	ADDQ $32, SI
	LEAQ (DI)(R9*8), DI
	DECQ R11
	JMP  cols32

done32:
	VZEROUPPER
	RET

// func transpose64AVX2(dst, src *float64, r, c, rb, cb int)
//
// transpose32AVX2 for float64, in blocks of 4×4: rows in Y0-Y3,
// interleaved in pairs (VUNPCKLPD, VUNPCKHPD) and across the 128-bit
// halves (VPERM2F128).
TEXT ·transpose64AVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ r+16(FP), R9
	MOVQ c+24(FP), R8
	MOVQ rb+32(FP), R10
	MOVQ cb+40(FP), R11
	SHLQ $3, R8
	SHLQ $3, R9
	LEAQ (R8)(R8*2), R12
	LEAQ (R9)(R9*2), R13

cols64:
	TESTQ R11, R11
	JZ    done64
	MOVQ  SI, AX
	MOVQ  DI, BX
	MOVQ  R10, CX

rows64:
	TESTQ      CX, CX
	JZ         next64
	VMOVUPD    (AX), Y0
	VMOVUPD    (AX)(R8*1), Y1
	VMOVUPD    (AX)(R8*2), Y2
	VMOVUPD    (AX)(R12*1), Y3
	VUNPCKLPD  Y1, Y0, Y4        // a0 b0 | a2 b2
	VUNPCKHPD  Y1, Y0, Y5        // a1 b1 | a3 b3
	VUNPCKLPD  Y3, Y2, Y6        // c0 d0 | c2 d2
	VUNPCKHPD  Y3, Y2, Y7        // c1 d1 | c3 d3
	VPERM2F128 $0x20, Y6, Y4, Y0 // a0 b0 c0 d0
	VPERM2F128 $0x20, Y7, Y5, Y1 // a1 b1 c1 d1
	VPERM2F128 $0x31, Y6, Y4, Y2 // a2 b2 c2 d2
	VPERM2F128 $0x31, Y7, Y5, Y3 // a3 b3 c3 d3
	VMOVUPD    Y0, (BX)
	VMOVUPD    Y1, (BX)(R9*1)
	VMOVUPD    Y2, (BX)(R9*2)
	VMOVUPD    Y3, (BX)(R13*1)
	LEAQ       (AX)(R8*4), AX
	ADDQ       $32, BX
	DECQ       CX
	JMP        rows64

next64:
	ADDQ $32, SI
	LEAQ (DI)(R9*4), DI
	DECQ R11
	JMP  cols64

done64:
	VZEROUPPER
	RET
