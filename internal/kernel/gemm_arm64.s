//go:build !purego

#include "textflag.h"

// Register use in gemm4NEON: R0 k, R1 n, R2-R5 the four rows of A, R6 acs
// in bytes, R7 B, R8 ldb in bytes, R9-R12 the four rows of C, R13 loop
// counter, R14 B in the loop, R15-R16 scratch. V0-V15 hold a 4×8 tile of C,
// V16-V19 a row of B, V20-V23 the four elements of A, broadcast.

// func gemm4NEON(k, n int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int)
//
// C[0:4, 0:n] += A(0:4, 0:k)·B[0:k, 0:n], where A(i, l) = a[i*ars + l*acs],
// B has row stride ldb and C row stride ldc, in tiles of 4×8, then 4×2,
// then 4×1. Each element of C is updated by one chain of fused
// multiply-adds (FMLA) over l = 0, 1, ..., k-1. k must be > 0.
TEXT ·gemm4NEON(SB), NOSPLIT, $0-72
	MOVD k+0(FP), R0
	MOVD n+8(FP), R1
	MOVD a+16(FP), R2
	MOVD ars+24(FP), R15
	LSL  $3, R15
	ADD  R15, R2, R3
	ADD  R15, R3, R4
	ADD  R15, R4, R5
	MOVD acs+32(FP), R6
	LSL  $3, R6
	MOVD b+40(FP), R7
	MOVD ldb+48(FP), R8
	LSL  $3, R8
	MOVD c+56(FP), R9
	MOVD ldc+64(FP), R15
	LSL  $3, R15
	ADD  R15, R9, R10
	ADD  R15, R10, R11
	ADD  R15, R11, R12

cols8:
	CMP  $8, R1
	BLT  cols2
	VLD1 (R9), [V0.D2, V1.D2, V2.D2, V3.D2]
	VLD1 (R10), [V4.D2, V5.D2, V6.D2, V7.D2]
	VLD1 (R11), [V8.D2, V9.D2, V10.D2, V11.D2]
	VLD1 (R12), [V12.D2, V13.D2, V14.D2, V15.D2]
	MOVD R2, R16
	MOVD R3, R17
	MOVD R4, R19
	MOVD R5, R20
	MOVD R7, R14
	MOVD R0, R13

loop8:
	VLD1.P  (R14)(R8), [V16.D2, V17.D2, V18.D2, V19.D2]
	VLD1R.P (R16)(R6), [V20.D2]
	VLD1R.P (R17)(R6), [V21.D2]
	VLD1R.P (R19)(R6), [V22.D2]
	VLD1R.P (R20)(R6), [V23.D2]
	VFMLA   V20.D2, V16.D2, V0.D2
	VFMLA   V20.D2, V17.D2, V1.D2
	VFMLA   V20.D2, V18.D2, V2.D2
	VFMLA   V20.D2, V19.D2, V3.D2
	VFMLA   V21.D2, V16.D2, V4.D2
	VFMLA   V21.D2, V17.D2, V5.D2
	VFMLA   V21.D2, V18.D2, V6.D2
	VFMLA   V21.D2, V19.D2, V7.D2
	VFMLA   V22.D2, V16.D2, V8.D2
	VFMLA   V22.D2, V17.D2, V9.D2
	VFMLA   V22.D2, V18.D2, V10.D2
	VFMLA   V22.D2, V19.D2, V11.D2
	VFMLA   V23.D2, V16.D2, V12.D2
	VFMLA   V23.D2, V17.D2, V13.D2
	VFMLA   V23.D2, V18.D2, V14.D2
	VFMLA   V23.D2, V19.D2, V15.D2
	SUBS    $1, R13, R13
	BNE     loop8

	VST1 [V0.D2, V1.D2, V2.D2, V3.D2], (R9)
	VST1 [V4.D2, V5.D2, V6.D2, V7.D2], (R10)
	VST1 [V8.D2, V9.D2, V10.D2, V11.D2], (R11)
	VST1 [V12.D2, V13.D2, V14.D2, V15.D2], (R12)
	ADD  $64, R9
	ADD  $64, R10
	ADD  $64, R11
	ADD  $64, R12
	ADD  $64, R7
	SUB  $8, R1
	B    cols8

cols2:
	CMP  $2, R1
	BLT  col1
	VLD1 (R9), [V0.D2]
	VLD1 (R10), [V1.D2]
	VLD1 (R11), [V2.D2]
	VLD1 (R12), [V3.D2]
	MOVD R2, R16
	MOVD R3, R17
	MOVD R4, R19
	MOVD R5, R20
	MOVD R7, R14
	MOVD R0, R13

loop2:
	VLD1.P  (R14)(R8), [V16.D2]
	VLD1R.P (R16)(R6), [V20.D2]
	VLD1R.P (R17)(R6), [V21.D2]
	VLD1R.P (R19)(R6), [V22.D2]
	VLD1R.P (R20)(R6), [V23.D2]
	VFMLA   V20.D2, V16.D2, V0.D2
	VFMLA   V21.D2, V16.D2, V1.D2
	VFMLA   V22.D2, V16.D2, V2.D2
	VFMLA   V23.D2, V16.D2, V3.D2
	SUBS    $1, R13, R13
	BNE     loop2

	VST1 [V0.D2], (R9)
	VST1 [V1.D2], (R10)
	VST1 [V2.D2], (R11)
	VST1 [V3.D2], (R12)
	ADD  $16, R9
	ADD  $16, R10
	ADD  $16, R11
	ADD  $16, R12
	ADD  $16, R7
	SUB  $2, R1
	B    cols2

// The last column: scalar loads clear the upper lanes, which the vector
// multiply-adds then fill with values nobody stores.
col1:
	CBZ   R1, done
	FMOVD (R9), F0
	FMOVD (R10), F1
	FMOVD (R11), F2
	FMOVD (R12), F3
	MOVD  R2, R16
	MOVD  R3, R17
	MOVD  R4, R19
	MOVD  R5, R20
	MOVD  R7, R14
	MOVD  R0, R13

loop1:
	FMOVD   (R14), F16
	ADD     R8, R14
	VLD1R.P (R16)(R6), [V20.D2]
	VLD1R.P (R17)(R6), [V21.D2]
	VLD1R.P (R19)(R6), [V22.D2]
	VLD1R.P (R20)(R6), [V23.D2]
	VFMLA   V20.D2, V16.D2, V0.D2
	VFMLA   V21.D2, V16.D2, V1.D2
	VFMLA   V22.D2, V16.D2, V2.D2
	VFMLA   V23.D2, V16.D2, V3.D2
	SUBS    $1, R13, R13
	BNE     loop1

	FMOVD F0, (R9)
	FMOVD F1, (R10)
	FMOVD F2, (R11)
	FMOVD F3, (R12)

done:
	RET

// func gemm1NEON(k, n int, a *float64, acs int, b *float64, ldb int, c *float64)
//
// C[0, 0:n] += A(0, 0:k)·B[0:k, 0:n] with A(0, l) = a[l*acs], as gemm4NEON
// does for one row, in tiles of 16, then 2, then 1 column. V0-V7 hold C,
// V16-V19 and V24-V27 a row of B, V20 the element of A.
TEXT ·gemm1NEON(SB), NOSPLIT, $0-56
	MOVD k+0(FP), R0
	MOVD n+8(FP), R1
	MOVD a+16(FP), R2
	MOVD acs+24(FP), R6
	LSL  $3, R6
	MOVD b+32(FP), R7
	MOVD ldb+40(FP), R8
	LSL  $3, R8
	MOVD c+48(FP), R9

cols16:
	CMP  $16, R1
	BLT  cols2
	ADD  $64, R9, R10
	VLD1 (R9), [V0.D2, V1.D2, V2.D2, V3.D2]
	VLD1 (R10), [V4.D2, V5.D2, V6.D2, V7.D2]
	MOVD R2, R16
	MOVD R7, R14
	ADD  $64, R7, R15
	MOVD R0, R13

loop16:
	VLD1.P  (R14)(R8), [V16.D2, V17.D2, V18.D2, V19.D2]
	VLD1.P  (R15)(R8), [V24.D2, V25.D2, V26.D2, V27.D2]
	VLD1R.P (R16)(R6), [V20.D2]
	VFMLA   V20.D2, V16.D2, V0.D2
	VFMLA   V20.D2, V17.D2, V1.D2
	VFMLA   V20.D2, V18.D2, V2.D2
	VFMLA   V20.D2, V19.D2, V3.D2
	VFMLA   V20.D2, V24.D2, V4.D2
	VFMLA   V20.D2, V25.D2, V5.D2
	VFMLA   V20.D2, V26.D2, V6.D2
	VFMLA   V20.D2, V27.D2, V7.D2
	SUBS    $1, R13, R13
	BNE     loop16

	VST1 [V0.D2, V1.D2, V2.D2, V3.D2], (R9)
	VST1 [V4.D2, V5.D2, V6.D2, V7.D2], (R10)
	ADD  $128, R9
	ADD  $128, R7
	SUB  $16, R1
	B    cols16

cols2:
	CMP  $2, R1
	BLT  col1
	VLD1 (R9), [V0.D2]
	MOVD R2, R16
	MOVD R7, R14
	MOVD R0, R13

loop2:
	VLD1.P  (R14)(R8), [V16.D2]
	VLD1R.P (R16)(R6), [V20.D2]
	VFMLA   V20.D2, V16.D2, V0.D2
	SUBS    $1, R13, R13
	BNE     loop2

	VST1 [V0.D2], (R9)
	ADD  $16, R9
	ADD  $16, R7
	SUB  $2, R1
	B    cols2

col1:
	CBZ   R1, done
	FMOVD (R9), F0
	MOVD  R2, R16
	MOVD  R7, R14
	MOVD  R0, R13

loop1:
	FMOVD   (R14), F16
	ADD     R8, R14
	VLD1R.P (R16)(R6), [V20.D2]
	VFMLA   V20.D2, V16.D2, V0.D2
	SUBS    $1, R13, R13
	BNE     loop1

	FMOVD F0, (R9)

done:
	RET

// Register use in tilesNEON and tilePackNEON: R0 k, R2 A, R3 ars in bytes,
// R6 acs in bytes, R7 B, R15 ldc in bytes, R16-R17 and R19-R22 the six rows
// of A, R10-R12 and R23-R25 the six rows of C, R26 loop counter. V0-V23
// hold a 6×8 tile of C, V24-V27 a row of B, V28-V31 elements of A,
// broadcast.

// func tilesNEON(rows, k, nt int, a *float64, ars, acs int, b *float64, c *float64, ldc int)
//
// C[0:rows, 0:8*nt] += A(0:rows, 0:k)·B for nt tiles of rows×8 elements of C
// side by side, where A(i, l) = a[i*ars + l*acs], C has row stride ldc and
// B is packed: the k×8 panel of tile t, row-major, at b[t*8*k]. Each element
// of C is updated by one chain of fused multiply-adds (FMLA) over
// l = 0, 1, ..., k-1. rows must be 1 to 6, k and nt > 0.
TEXT ·tilesNEON(SB), NOSPLIT, $0-72
	MOVD rows+0(FP), R4
	MOVD k+8(FP), R0
	MOVD nt+16(FP), R1
	MOVD a+24(FP), R2
	MOVD ars+32(FP), R3
	LSL  $3, R3
	MOVD acs+40(FP), R6
	LSL  $3, R6
	MOVD b+48(FP), R7
	MOVD c+56(FP), R9
	MOVD ldc+64(FP), R15
	LSL  $3, R15
	CMP  $6, R4
	BEQ  tile6
	CMP  $5, R4
	BEQ  tile5
	CMP  $4, R4
	BEQ  tile4
	CMP  $3, R4
	BEQ  tile3
	CMP  $2, R4
	BEQ  tile2
	B    tile1

tile6:
	MOVD R2, R16
	ADD  R3, R16, R17
	ADD  R3, R17, R19
	ADD  R3, R19, R20
	ADD  R3, R20, R21
	ADD  R3, R21, R22
	MOVD R9, R10
	ADD  R15, R10, R11
	ADD  R15, R11, R12
	ADD  R15, R12, R23
	ADD  R15, R23, R24
	ADD  R15, R24, R25
	VLD1 (R10), [V0.D2, V1.D2, V2.D2, V3.D2]
	VLD1 (R11), [V4.D2, V5.D2, V6.D2, V7.D2]
	VLD1 (R12), [V8.D2, V9.D2, V10.D2, V11.D2]
	VLD1 (R23), [V12.D2, V13.D2, V14.D2, V15.D2]
	VLD1 (R24), [V16.D2, V17.D2, V18.D2, V19.D2]
	VLD1 (R25), [V20.D2, V21.D2, V22.D2, V23.D2]
	MOVD R0, R26

loop6:
	VLD1.P 64(R7), [V24.D2, V25.D2, V26.D2, V27.D2]
	VLD1R.P (R16)(R6), [V28.D2]
	VFMLA   V28.D2, V24.D2, V0.D2
	VFMLA   V28.D2, V25.D2, V1.D2
	VFMLA   V28.D2, V26.D2, V2.D2
	VFMLA   V28.D2, V27.D2, V3.D2
	VLD1R.P (R17)(R6), [V29.D2]
	VFMLA   V29.D2, V24.D2, V4.D2
	VFMLA   V29.D2, V25.D2, V5.D2
	VFMLA   V29.D2, V26.D2, V6.D2
	VFMLA   V29.D2, V27.D2, V7.D2
	VLD1R.P (R19)(R6), [V30.D2]
	VFMLA   V30.D2, V24.D2, V8.D2
	VFMLA   V30.D2, V25.D2, V9.D2
	VFMLA   V30.D2, V26.D2, V10.D2
	VFMLA   V30.D2, V27.D2, V11.D2
	VLD1R.P (R20)(R6), [V31.D2]
	VFMLA   V31.D2, V24.D2, V12.D2
	VFMLA   V31.D2, V25.D2, V13.D2
	VFMLA   V31.D2, V26.D2, V14.D2
	VFMLA   V31.D2, V27.D2, V15.D2
	VLD1R.P (R21)(R6), [V28.D2]
	VFMLA   V28.D2, V24.D2, V16.D2
	VFMLA   V28.D2, V25.D2, V17.D2
	VFMLA   V28.D2, V26.D2, V18.D2
	VFMLA   V28.D2, V27.D2, V19.D2
	VLD1R.P (R22)(R6), [V29.D2]
	VFMLA   V29.D2, V24.D2, V20.D2
	VFMLA   V29.D2, V25.D2, V21.D2
	VFMLA   V29.D2, V26.D2, V22.D2
	VFMLA   V29.D2, V27.D2, V23.D2
	SUBS    $1, R26, R26
	BNE     loop6

	VST1 [V0.D2, V1.D2, V2.D2, V3.D2], (R10)
	VST1 [V4.D2, V5.D2, V6.D2, V7.D2], (R11)
	VST1 [V8.D2, V9.D2, V10.D2, V11.D2], (R12)
	VST1 [V12.D2, V13.D2, V14.D2, V15.D2], (R23)
	VST1 [V16.D2, V17.D2, V18.D2, V19.D2], (R24)
	VST1 [V20.D2, V21.D2, V22.D2, V23.D2], (R25)
	ADD  $64, R9
	SUBS $1, R1, R1
	BNE  tile6
	RET

tile5:
	MOVD R2, R16
	ADD  R3, R16, R17
	ADD  R3, R17, R19
	ADD  R3, R19, R20
	ADD  R3, R20, R21
	MOVD R9, R10
	ADD  R15, R10, R11
	ADD  R15, R11, R12
	ADD  R15, R12, R23
	ADD  R15, R23, R24
	VLD1 (R10), [V0.D2, V1.D2, V2.D2, V3.D2]
	VLD1 (R11), [V4.D2, V5.D2, V6.D2, V7.D2]
	VLD1 (R12), [V8.D2, V9.D2, V10.D2, V11.D2]
	VLD1 (R23), [V12.D2, V13.D2, V14.D2, V15.D2]
	VLD1 (R24), [V16.D2, V17.D2, V18.D2, V19.D2]
	MOVD R0, R26

loop5:
	VLD1.P 64(R7), [V24.D2, V25.D2, V26.D2, V27.D2]
	VLD1R.P (R16)(R6), [V28.D2]
	VFMLA   V28.D2, V24.D2, V0.D2
	VFMLA   V28.D2, V25.D2, V1.D2
	VFMLA   V28.D2, V26.D2, V2.D2
	VFMLA   V28.D2, V27.D2, V3.D2
	VLD1R.P (R17)(R6), [V29.D2]
	VFMLA   V29.D2, V24.D2, V4.D2
	VFMLA   V29.D2, V25.D2, V5.D2
	VFMLA   V29.D2, V26.D2, V6.D2
	VFMLA   V29.D2, V27.D2, V7.D2
	VLD1R.P (R19)(R6), [V30.D2]
	VFMLA   V30.D2, V24.D2, V8.D2
	VFMLA   V30.D2, V25.D2, V9.D2
	VFMLA   V30.D2, V26.D2, V10.D2
	VFMLA   V30.D2, V27.D2, V11.D2
	VLD1R.P (R20)(R6), [V31.D2]
	VFMLA   V31.D2, V24.D2, V12.D2
	VFMLA   V31.D2, V25.D2, V13.D2
	VFMLA   V31.D2, V26.D2, V14.D2
	VFMLA   V31.D2, V27.D2, V15.D2
	VLD1R.P (R21)(R6), [V28.D2]
	VFMLA   V28.D2, V24.D2, V16.D2
	VFMLA   V28.D2, V25.D2, V17.D2
	VFMLA   V28.D2, V26.D2, V18.D2
	VFMLA   V28.D2, V27.D2, V19.D2
	SUBS    $1, R26, R26
	BNE     loop5

	VST1 [V0.D2, V1.D2, V2.D2, V3.D2], (R10)
	VST1 [V4.D2, V5.D2, V6.D2, V7.D2], (R11)
	VST1 [V8.D2, V9.D2, V10.D2, V11.D2], (R12)
	VST1 [V12.D2, V13.D2, V14.D2, V15.D2], (R23)
	VST1 [V16.D2, V17.D2, V18.D2, V19.D2], (R24)
	ADD  $64, R9
	SUBS $1, R1, R1
	BNE  tile5
	RET

tile4:
	MOVD R2, R16
	ADD  R3, R16, R17
	ADD  R3, R17, R19
	ADD  R3, R19, R20
	MOVD R9, R10
	ADD  R15, R10, R11
	ADD  R15, R11, R12
	ADD  R15, R12, R23
	VLD1 (R10), [V0.D2, V1.D2, V2.D2, V3.D2]
	VLD1 (R11), [V4.D2, V5.D2, V6.D2, V7.D2]
	VLD1 (R12), [V8.D2, V9.D2, V10.D2, V11.D2]
	VLD1 (R23), [V12.D2, V13.D2, V14.D2, V15.D2]
	MOVD R0, R26

loop4:
	VLD1.P 64(R7), [V24.D2, V25.D2, V26.D2, V27.D2]
	VLD1R.P (R16)(R6), [V28.D2]
	VFMLA   V28.D2, V24.D2, V0.D2
	VFMLA   V28.D2, V25.D2, V1.D2
	VFMLA   V28.D2, V26.D2, V2.D2
	VFMLA   V28.D2, V27.D2, V3.D2
	VLD1R.P (R17)(R6), [V29.D2]
	VFMLA   V29.D2, V24.D2, V4.D2
	VFMLA   V29.D2, V25.D2, V5.D2
	VFMLA   V29.D2, V26.D2, V6.D2
	VFMLA   V29.D2, V27.D2, V7.D2
	VLD1R.P (R19)(R6), [V30.D2]
	VFMLA   V30.D2, V24.D2, V8.D2
	VFMLA   V30.D2, V25.D2, V9.D2
	VFMLA   V30.D2, V26.D2, V10.D2
	VFMLA   V30.D2, V27.D2, V11.D2
	VLD1R.P (R20)(R6), [V31.D2]
	VFMLA   V31.D2, V24.D2, V12.D2
	VFMLA   V31.D2, V25.D2, V13.D2
	VFMLA   V31.D2, V26.D2, V14.D2
	VFMLA   V31.D2, V27.D2, V15.D2
	SUBS    $1, R26, R26
	BNE     loop4

	VST1 [V0.D2, V1.D2, V2.D2, V3.D2], (R10)
	VST1 [V4.D2, V5.D2, V6.D2, V7.D2], (R11)
	VST1 [V8.D2, V9.D2, V10.D2, V11.D2], (R12)
	VST1 [V12.D2, V13.D2, V14.D2, V15.D2], (R23)
	ADD  $64, R9
	SUBS $1, R1, R1
	BNE  tile4
	RET

tile3:
	MOVD R2, R16
	ADD  R3, R16, R17
	ADD  R3, R17, R19
	MOVD R9, R10
	ADD  R15, R10, R11
	ADD  R15, R11, R12
	VLD1 (R10), [V0.D2, V1.D2, V2.D2, V3.D2]
	VLD1 (R11), [V4.D2, V5.D2, V6.D2, V7.D2]
	VLD1 (R12), [V8.D2, V9.D2, V10.D2, V11.D2]
	MOVD R0, R26

loop3:
	VLD1.P 64(R7), [V24.D2, V25.D2, V26.D2, V27.D2]
	VLD1R.P (R16)(R6), [V28.D2]
	VFMLA   V28.D2, V24.D2, V0.D2
	VFMLA   V28.D2, V25.D2, V1.D2
	VFMLA   V28.D2, V26.D2, V2.D2
	VFMLA   V28.D2, V27.D2, V3.D2
	VLD1R.P (R17)(R6), [V29.D2]
	VFMLA   V29.D2, V24.D2, V4.D2
	VFMLA   V29.D2, V25.D2, V5.D2
	VFMLA   V29.D2, V26.D2, V6.D2
	VFMLA   V29.D2, V27.D2, V7.D2
	VLD1R.P (R19)(R6), [V30.D2]
	VFMLA   V30.D2, V24.D2, V8.D2
	VFMLA   V30.D2, V25.D2, V9.D2
	VFMLA   V30.D2, V26.D2, V10.D2
	VFMLA   V30.D2, V27.D2, V11.D2
	SUBS    $1, R26, R26
	BNE     loop3

	VST1 [V0.D2, V1.D2, V2.D2, V3.D2], (R10)
	VST1 [V4.D2, V5.D2, V6.D2, V7.D2], (R11)
	VST1 [V8.D2, V9.D2, V10.D2, V11.D2], (R12)
	ADD  $64, R9
	SUBS $1, R1, R1
	BNE  tile3
	RET

tile2:
	MOVD R2, R16
	ADD  R3, R16, R17
	MOVD R9, R10
	ADD  R15, R10, R11
	VLD1 (R10), [V0.D2, V1.D2, V2.D2, V3.D2]
	VLD1 (R11), [V4.D2, V5.D2, V6.D2, V7.D2]
	MOVD R0, R26

loop2:
	VLD1.P 64(R7), [V24.D2, V25.D2, V26.D2, V27.D2]
	VLD1R.P (R16)(R6), [V28.D2]
	VFMLA   V28.D2, V24.D2, V0.D2
	VFMLA   V28.D2, V25.D2, V1.D2
	VFMLA   V28.D2, V26.D2, V2.D2
	VFMLA   V28.D2, V27.D2, V3.D2
	VLD1R.P (R17)(R6), [V29.D2]
	VFMLA   V29.D2, V24.D2, V4.D2
	VFMLA   V29.D2, V25.D2, V5.D2
	VFMLA   V29.D2, V26.D2, V6.D2
	VFMLA   V29.D2, V27.D2, V7.D2
	SUBS    $1, R26, R26
	BNE     loop2

	VST1 [V0.D2, V1.D2, V2.D2, V3.D2], (R10)
	VST1 [V4.D2, V5.D2, V6.D2, V7.D2], (R11)
	ADD  $64, R9
	SUBS $1, R1, R1
	BNE  tile2
	RET

tile1:
	MOVD R2, R16
	MOVD R9, R10
	VLD1 (R10), [V0.D2, V1.D2, V2.D2, V3.D2]
	MOVD R0, R26

loop1:
	VLD1.P 64(R7), [V24.D2, V25.D2, V26.D2, V27.D2]
	VLD1R.P (R16)(R6), [V28.D2]
	VFMLA   V28.D2, V24.D2, V0.D2
	VFMLA   V28.D2, V25.D2, V1.D2
	VFMLA   V28.D2, V26.D2, V2.D2
	VFMLA   V28.D2, V27.D2, V3.D2
	SUBS    $1, R26, R26
	BNE     loop1

	VST1 [V0.D2, V1.D2, V2.D2, V3.D2], (R10)
	ADD  $64, R9
	SUBS $1, R1, R1
	BNE  tile1
	RET

// func tilePackNEON(k int, a *float64, ars, acs int, b *float64, ldb int, p *float64, c *float64, ldc int)
//
// C[0:6, 0:8] += A(0:6, 0:k)·B[0:k, 0:8], where A(i, l) = a[i*ars + l*acs],
// B has row stride ldb and C row stride ldc, as one tile of tilesNEON, and
// packs B on the way: p[l*8 + j] = B[l, j]. Each element of C is updated by
// one chain of fused multiply-adds over l = 0, 1, ..., k-1. k must be > 0.
TEXT ·tilePackNEON(SB), NOSPLIT, $0-72
	MOVD k+0(FP), R0
	MOVD a+8(FP), R2
	MOVD ars+16(FP), R3
	LSL  $3, R3
	MOVD acs+24(FP), R6
	LSL  $3, R6
	MOVD b+32(FP), R7
	MOVD ldb+40(FP), R8
	LSL  $3, R8
	MOVD p+48(FP), R5
	MOVD c+56(FP), R9
	MOVD ldc+64(FP), R15
	LSL  $3, R15

	MOVD R2, R16
	ADD  R3, R16, R17
	ADD  R3, R17, R19
	ADD  R3, R19, R20
	ADD  R3, R20, R21
	ADD  R3, R21, R22
	MOVD R9, R10
	ADD  R15, R10, R11
	ADD  R15, R11, R12
	ADD  R15, R12, R23
	ADD  R15, R23, R24
	ADD  R15, R24, R25
	VLD1 (R10), [V0.D2, V1.D2, V2.D2, V3.D2]
	VLD1 (R11), [V4.D2, V5.D2, V6.D2, V7.D2]
	VLD1 (R12), [V8.D2, V9.D2, V10.D2, V11.D2]
	VLD1 (R23), [V12.D2, V13.D2, V14.D2, V15.D2]
	VLD1 (R24), [V16.D2, V17.D2, V18.D2, V19.D2]
	VLD1 (R25), [V20.D2, V21.D2, V22.D2, V23.D2]
	MOVD R0, R26

looppack:
	VLD1.P (R7)(R8), [V24.D2, V25.D2, V26.D2, V27.D2]
	VST1.P [V24.D2, V25.D2, V26.D2, V27.D2], 64(R5)
	VLD1R.P (R16)(R6), [V28.D2]
	VFMLA   V28.D2, V24.D2, V0.D2
	VFMLA   V28.D2, V25.D2, V1.D2
	VFMLA   V28.D2, V26.D2, V2.D2
	VFMLA   V28.D2, V27.D2, V3.D2
	VLD1R.P (R17)(R6), [V29.D2]
	VFMLA   V29.D2, V24.D2, V4.D2
	VFMLA   V29.D2, V25.D2, V5.D2
	VFMLA   V29.D2, V26.D2, V6.D2
	VFMLA   V29.D2, V27.D2, V7.D2
	VLD1R.P (R19)(R6), [V30.D2]
	VFMLA   V30.D2, V24.D2, V8.D2
	VFMLA   V30.D2, V25.D2, V9.D2
	VFMLA   V30.D2, V26.D2, V10.D2
	VFMLA   V30.D2, V27.D2, V11.D2
	VLD1R.P (R20)(R6), [V31.D2]
	VFMLA   V31.D2, V24.D2, V12.D2
	VFMLA   V31.D2, V25.D2, V13.D2
	VFMLA   V31.D2, V26.D2, V14.D2
	VFMLA   V31.D2, V27.D2, V15.D2
	VLD1R.P (R21)(R6), [V28.D2]
	VFMLA   V28.D2, V24.D2, V16.D2
	VFMLA   V28.D2, V25.D2, V17.D2
	VFMLA   V28.D2, V26.D2, V18.D2
	VFMLA   V28.D2, V27.D2, V19.D2
	VLD1R.P (R22)(R6), [V29.D2]
	VFMLA   V29.D2, V24.D2, V20.D2
	VFMLA   V29.D2, V25.D2, V21.D2
	VFMLA   V29.D2, V26.D2, V22.D2
	VFMLA   V29.D2, V27.D2, V23.D2
	SUBS    $1, R26, R26
	BNE     looppack

	VST1 [V0.D2, V1.D2, V2.D2, V3.D2], (R10)
	VST1 [V4.D2, V5.D2, V6.D2, V7.D2], (R11)
	VST1 [V8.D2, V9.D2, V10.D2, V11.D2], (R12)
	VST1 [V12.D2, V13.D2, V14.D2, V15.D2], (R23)
	VST1 [V16.D2, V17.D2, V18.D2, V19.D2], (R24)
	VST1 [V20.D2, V21.D2, V22.D2, V23.D2], (R25)
	RET
