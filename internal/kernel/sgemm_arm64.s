//go:build !purego

#include "textflag.h"

// The float32 kernels of the NEON path: those of gemm_arm64.s with 4
// float32 lanes per register (S4) instead of 2 float64 (D2), the same
// registers, byte offsets and chain order (FMLA .4S rounds each fused
// multiply-add once to float32, as fmath.FMA32 does), and a loop over the
// last 1 to 3 columns where the float64 kernels have one.

// func sgemm4NEON(k, n int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int)
//
// C[0:4, 0:n] += A(0:4, 0:k)·B[0:k, 0:n], where A(i, l) = a[i*ars + l*acs],
// B has row stride ldb and C row stride ldc, in tiles of 4×16, then 4×4,
// then 4×1. Each element of C is updated by one chain of float32 fused
// multiply-adds (FMLA) over l = 0, 1, ..., k-1. k must be > 0.
TEXT ·sgemm4NEON(SB), NOSPLIT, $0-72
	MOVD k+0(FP), R0
	MOVD n+8(FP), R1
	MOVD a+16(FP), R2
	MOVD ars+24(FP), R15
	LSL  $2, R15
	ADD  R15, R2, R3
	ADD  R15, R3, R4
	ADD  R15, R4, R5
	MOVD acs+32(FP), R6
	LSL  $2, R6
	MOVD b+40(FP), R7
	MOVD ldb+48(FP), R8
	LSL  $2, R8
	MOVD c+56(FP), R9
	MOVD ldc+64(FP), R15
	LSL  $2, R15
	ADD  R15, R9, R10
	ADD  R15, R10, R11
	ADD  R15, R11, R12

cols16:
	CMP  $16, R1
	BLT  cols4
	VLD1 (R9), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1 (R10), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1 (R11), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1 (R12), [V12.S4, V13.S4, V14.S4, V15.S4]
	MOVD R2, R16
	MOVD R3, R17
	MOVD R4, R19
	MOVD R5, R20
	MOVD R7, R14
	MOVD R0, R13

loop16:
	VLD1.P  (R14)(R8), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1R.P (R16)(R6), [V20.S4]
	VLD1R.P (R17)(R6), [V21.S4]
	VLD1R.P (R19)(R6), [V22.S4]
	VLD1R.P (R20)(R6), [V23.S4]
	VFMLA   V20.S4, V16.S4, V0.S4
	VFMLA   V20.S4, V17.S4, V1.S4
	VFMLA   V20.S4, V18.S4, V2.S4
	VFMLA   V20.S4, V19.S4, V3.S4
	VFMLA   V21.S4, V16.S4, V4.S4
	VFMLA   V21.S4, V17.S4, V5.S4
	VFMLA   V21.S4, V18.S4, V6.S4
	VFMLA   V21.S4, V19.S4, V7.S4
	VFMLA   V22.S4, V16.S4, V8.S4
	VFMLA   V22.S4, V17.S4, V9.S4
	VFMLA   V22.S4, V18.S4, V10.S4
	VFMLA   V22.S4, V19.S4, V11.S4
	VFMLA   V23.S4, V16.S4, V12.S4
	VFMLA   V23.S4, V17.S4, V13.S4
	VFMLA   V23.S4, V18.S4, V14.S4
	VFMLA   V23.S4, V19.S4, V15.S4
	SUBS    $1, R13, R13
	BNE     loop16

	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R9)
	VST1 [V4.S4, V5.S4, V6.S4, V7.S4], (R10)
	VST1 [V8.S4, V9.S4, V10.S4, V11.S4], (R11)
	VST1 [V12.S4, V13.S4, V14.S4, V15.S4], (R12)
	ADD  $64, R9
	ADD  $64, R10
	ADD  $64, R11
	ADD  $64, R12
	ADD  $64, R7
	SUB  $16, R1
	B    cols16

cols4:
	CMP  $4, R1
	BLT  col1
	VLD1 (R9), [V0.S4]
	VLD1 (R10), [V1.S4]
	VLD1 (R11), [V2.S4]
	VLD1 (R12), [V3.S4]
	MOVD R2, R16
	MOVD R3, R17
	MOVD R4, R19
	MOVD R5, R20
	MOVD R7, R14
	MOVD R0, R13

loop4:
	VLD1.P  (R14)(R8), [V16.S4]
	VLD1R.P (R16)(R6), [V20.S4]
	VLD1R.P (R17)(R6), [V21.S4]
	VLD1R.P (R19)(R6), [V22.S4]
	VLD1R.P (R20)(R6), [V23.S4]
	VFMLA   V20.S4, V16.S4, V0.S4
	VFMLA   V21.S4, V16.S4, V1.S4
	VFMLA   V22.S4, V16.S4, V2.S4
	VFMLA   V23.S4, V16.S4, V3.S4
	SUBS    $1, R13, R13
	BNE     loop4

	VST1 [V0.S4], (R9)
	VST1 [V1.S4], (R10)
	VST1 [V2.S4], (R11)
	VST1 [V3.S4], (R12)
	ADD  $16, R9
	ADD  $16, R10
	ADD  $16, R11
	ADD  $16, R12
	ADD  $16, R7
	SUB  $4, R1
	B    cols4

// The last column: scalar loads clear the upper lanes, which the vector
// multiply-adds then fill with values nobody stores.
col1:
	CBZ   R1, done
	FMOVS (R9), F0
	FMOVS (R10), F1
	FMOVS (R11), F2
	FMOVS (R12), F3
	MOVD  R2, R16
	MOVD  R3, R17
	MOVD  R4, R19
	MOVD  R5, R20
	MOVD  R7, R14
	MOVD  R0, R13

loop1:
	FMOVS   (R14), F16
	ADD     R8, R14
	VLD1R.P (R16)(R6), [V20.S4]
	VLD1R.P (R17)(R6), [V21.S4]
	VLD1R.P (R19)(R6), [V22.S4]
	VLD1R.P (R20)(R6), [V23.S4]
	VFMLA   V20.S4, V16.S4, V0.S4
	VFMLA   V21.S4, V16.S4, V1.S4
	VFMLA   V22.S4, V16.S4, V2.S4
	VFMLA   V23.S4, V16.S4, V3.S4
	SUBS    $1, R13, R13
	BNE     loop1

	FMOVS F0, (R9)
	FMOVS F1, (R10)
	FMOVS F2, (R11)
	FMOVS F3, (R12)
	ADD   $4, R9
	ADD   $4, R10
	ADD   $4, R11
	ADD   $4, R12
	ADD   $4, R7
	SUB   $1, R1
	B     col1

done:
	RET

// func sgemm1NEON(k, n int, a *float32, acs int, b *float32, ldb int, c *float32)
//
// C[0, 0:n] += A(0, 0:k)·B[0:k, 0:n] with A(0, l) = a[l*acs], as sgemm4NEON
// does for one row, in tiles of 32, then 4, then 1 column. V0-V7 hold C,
// V16-V19 and V24-V27 a row of B, V20 the element of A.
TEXT ·sgemm1NEON(SB), NOSPLIT, $0-56
	MOVD k+0(FP), R0
	MOVD n+8(FP), R1
	MOVD a+16(FP), R2
	MOVD acs+24(FP), R6
	LSL  $2, R6
	MOVD b+32(FP), R7
	MOVD ldb+40(FP), R8
	LSL  $2, R8
	MOVD c+48(FP), R9

cols32:
	CMP  $32, R1
	BLT  cols4
	ADD  $64, R9, R10
	VLD1 (R9), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1 (R10), [V4.S4, V5.S4, V6.S4, V7.S4]
	MOVD R2, R16
	MOVD R7, R14
	ADD  $64, R7, R15
	MOVD R0, R13

loop32:
	VLD1.P  (R14)(R8), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1.P  (R15)(R8), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1R.P (R16)(R6), [V20.S4]
	VFMLA   V20.S4, V16.S4, V0.S4
	VFMLA   V20.S4, V17.S4, V1.S4
	VFMLA   V20.S4, V18.S4, V2.S4
	VFMLA   V20.S4, V19.S4, V3.S4
	VFMLA   V20.S4, V24.S4, V4.S4
	VFMLA   V20.S4, V25.S4, V5.S4
	VFMLA   V20.S4, V26.S4, V6.S4
	VFMLA   V20.S4, V27.S4, V7.S4
	SUBS    $1, R13, R13
	BNE     loop32

	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R9)
	VST1 [V4.S4, V5.S4, V6.S4, V7.S4], (R10)
	ADD  $128, R9
	ADD  $128, R7
	SUB  $32, R1
	B    cols32

cols4:
	CMP  $4, R1
	BLT  col1
	VLD1 (R9), [V0.S4]
	MOVD R2, R16
	MOVD R7, R14
	MOVD R0, R13

loop4:
	VLD1.P  (R14)(R8), [V16.S4]
	VLD1R.P (R16)(R6), [V20.S4]
	VFMLA   V20.S4, V16.S4, V0.S4
	SUBS    $1, R13, R13
	BNE     loop4

	VST1 [V0.S4], (R9)
	ADD  $16, R9
	ADD  $16, R7
	SUB  $4, R1
	B    cols4

col1:
	CBZ   R1, done
	FMOVS (R9), F0
	MOVD  R2, R16
	MOVD  R7, R14
	MOVD  R0, R13

loop1:
	FMOVS   (R14), F16
	ADD     R8, R14
	VLD1R.P (R16)(R6), [V20.S4]
	VFMLA   V20.S4, V16.S4, V0.S4
	SUBS    $1, R13, R13
	BNE     loop1

	FMOVS F0, (R9)
	ADD   $4, R9
	ADD   $4, R7
	SUB   $1, R1
	B     col1

done:
	RET

// func stilesNEON(rows, k, nt int, a *float32, ars, acs int, b *float32, c *float32, ldc int)
//
// C[0:rows, 0:16*nt] += A(0:rows, 0:k)·B for nt tiles of rows×16 elements of C
// side by side, where A(i, l) = a[i*ars + l*acs], C has row stride ldc and
// B is packed: the k×16 panel of tile t, row-major, at b[t*16*k]. Each element
// of C is updated by one chain of float32 fused multiply-adds (FMLA) over
// l = 0, 1, ..., k-1. rows must be 1 to 6, k and nt > 0.
TEXT ·stilesNEON(SB), NOSPLIT, $0-72
	MOVD rows+0(FP), R4
	MOVD k+8(FP), R0
	MOVD nt+16(FP), R1
	MOVD a+24(FP), R2
	MOVD ars+32(FP), R3
	LSL  $2, R3
	MOVD acs+40(FP), R6
	LSL  $2, R6
	MOVD b+48(FP), R7
	MOVD c+56(FP), R9
	MOVD ldc+64(FP), R15
	LSL  $2, R15
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
	VLD1 (R10), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1 (R11), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1 (R12), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1 (R23), [V12.S4, V13.S4, V14.S4, V15.S4]
	VLD1 (R24), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1 (R25), [V20.S4, V21.S4, V22.S4, V23.S4]
	MOVD R0, R26

loop6:
	VLD1.P 64(R7), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1R.P (R16)(R6), [V28.S4]
	VFMLA   V28.S4, V24.S4, V0.S4
	VFMLA   V28.S4, V25.S4, V1.S4
	VFMLA   V28.S4, V26.S4, V2.S4
	VFMLA   V28.S4, V27.S4, V3.S4
	VLD1R.P (R17)(R6), [V29.S4]
	VFMLA   V29.S4, V24.S4, V4.S4
	VFMLA   V29.S4, V25.S4, V5.S4
	VFMLA   V29.S4, V26.S4, V6.S4
	VFMLA   V29.S4, V27.S4, V7.S4
	VLD1R.P (R19)(R6), [V30.S4]
	VFMLA   V30.S4, V24.S4, V8.S4
	VFMLA   V30.S4, V25.S4, V9.S4
	VFMLA   V30.S4, V26.S4, V10.S4
	VFMLA   V30.S4, V27.S4, V11.S4
	VLD1R.P (R20)(R6), [V31.S4]
	VFMLA   V31.S4, V24.S4, V12.S4
	VFMLA   V31.S4, V25.S4, V13.S4
	VFMLA   V31.S4, V26.S4, V14.S4
	VFMLA   V31.S4, V27.S4, V15.S4
	VLD1R.P (R21)(R6), [V28.S4]
	VFMLA   V28.S4, V24.S4, V16.S4
	VFMLA   V28.S4, V25.S4, V17.S4
	VFMLA   V28.S4, V26.S4, V18.S4
	VFMLA   V28.S4, V27.S4, V19.S4
	VLD1R.P (R22)(R6), [V29.S4]
	VFMLA   V29.S4, V24.S4, V20.S4
	VFMLA   V29.S4, V25.S4, V21.S4
	VFMLA   V29.S4, V26.S4, V22.S4
	VFMLA   V29.S4, V27.S4, V23.S4
	SUBS    $1, R26, R26
	BNE     loop6

	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R10)
	VST1 [V4.S4, V5.S4, V6.S4, V7.S4], (R11)
	VST1 [V8.S4, V9.S4, V10.S4, V11.S4], (R12)
	VST1 [V12.S4, V13.S4, V14.S4, V15.S4], (R23)
	VST1 [V16.S4, V17.S4, V18.S4, V19.S4], (R24)
	VST1 [V20.S4, V21.S4, V22.S4, V23.S4], (R25)
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
	VLD1 (R10), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1 (R11), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1 (R12), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1 (R23), [V12.S4, V13.S4, V14.S4, V15.S4]
	VLD1 (R24), [V16.S4, V17.S4, V18.S4, V19.S4]
	MOVD R0, R26

loop5:
	VLD1.P 64(R7), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1R.P (R16)(R6), [V28.S4]
	VFMLA   V28.S4, V24.S4, V0.S4
	VFMLA   V28.S4, V25.S4, V1.S4
	VFMLA   V28.S4, V26.S4, V2.S4
	VFMLA   V28.S4, V27.S4, V3.S4
	VLD1R.P (R17)(R6), [V29.S4]
	VFMLA   V29.S4, V24.S4, V4.S4
	VFMLA   V29.S4, V25.S4, V5.S4
	VFMLA   V29.S4, V26.S4, V6.S4
	VFMLA   V29.S4, V27.S4, V7.S4
	VLD1R.P (R19)(R6), [V30.S4]
	VFMLA   V30.S4, V24.S4, V8.S4
	VFMLA   V30.S4, V25.S4, V9.S4
	VFMLA   V30.S4, V26.S4, V10.S4
	VFMLA   V30.S4, V27.S4, V11.S4
	VLD1R.P (R20)(R6), [V31.S4]
	VFMLA   V31.S4, V24.S4, V12.S4
	VFMLA   V31.S4, V25.S4, V13.S4
	VFMLA   V31.S4, V26.S4, V14.S4
	VFMLA   V31.S4, V27.S4, V15.S4
	VLD1R.P (R21)(R6), [V28.S4]
	VFMLA   V28.S4, V24.S4, V16.S4
	VFMLA   V28.S4, V25.S4, V17.S4
	VFMLA   V28.S4, V26.S4, V18.S4
	VFMLA   V28.S4, V27.S4, V19.S4
	SUBS    $1, R26, R26
	BNE     loop5

	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R10)
	VST1 [V4.S4, V5.S4, V6.S4, V7.S4], (R11)
	VST1 [V8.S4, V9.S4, V10.S4, V11.S4], (R12)
	VST1 [V12.S4, V13.S4, V14.S4, V15.S4], (R23)
	VST1 [V16.S4, V17.S4, V18.S4, V19.S4], (R24)
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
	VLD1 (R10), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1 (R11), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1 (R12), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1 (R23), [V12.S4, V13.S4, V14.S4, V15.S4]
	MOVD R0, R26

loop4:
	VLD1.P 64(R7), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1R.P (R16)(R6), [V28.S4]
	VFMLA   V28.S4, V24.S4, V0.S4
	VFMLA   V28.S4, V25.S4, V1.S4
	VFMLA   V28.S4, V26.S4, V2.S4
	VFMLA   V28.S4, V27.S4, V3.S4
	VLD1R.P (R17)(R6), [V29.S4]
	VFMLA   V29.S4, V24.S4, V4.S4
	VFMLA   V29.S4, V25.S4, V5.S4
	VFMLA   V29.S4, V26.S4, V6.S4
	VFMLA   V29.S4, V27.S4, V7.S4
	VLD1R.P (R19)(R6), [V30.S4]
	VFMLA   V30.S4, V24.S4, V8.S4
	VFMLA   V30.S4, V25.S4, V9.S4
	VFMLA   V30.S4, V26.S4, V10.S4
	VFMLA   V30.S4, V27.S4, V11.S4
	VLD1R.P (R20)(R6), [V31.S4]
	VFMLA   V31.S4, V24.S4, V12.S4
	VFMLA   V31.S4, V25.S4, V13.S4
	VFMLA   V31.S4, V26.S4, V14.S4
	VFMLA   V31.S4, V27.S4, V15.S4
	SUBS    $1, R26, R26
	BNE     loop4

	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R10)
	VST1 [V4.S4, V5.S4, V6.S4, V7.S4], (R11)
	VST1 [V8.S4, V9.S4, V10.S4, V11.S4], (R12)
	VST1 [V12.S4, V13.S4, V14.S4, V15.S4], (R23)
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
	VLD1 (R10), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1 (R11), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1 (R12), [V8.S4, V9.S4, V10.S4, V11.S4]
	MOVD R0, R26

loop3:
	VLD1.P 64(R7), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1R.P (R16)(R6), [V28.S4]
	VFMLA   V28.S4, V24.S4, V0.S4
	VFMLA   V28.S4, V25.S4, V1.S4
	VFMLA   V28.S4, V26.S4, V2.S4
	VFMLA   V28.S4, V27.S4, V3.S4
	VLD1R.P (R17)(R6), [V29.S4]
	VFMLA   V29.S4, V24.S4, V4.S4
	VFMLA   V29.S4, V25.S4, V5.S4
	VFMLA   V29.S4, V26.S4, V6.S4
	VFMLA   V29.S4, V27.S4, V7.S4
	VLD1R.P (R19)(R6), [V30.S4]
	VFMLA   V30.S4, V24.S4, V8.S4
	VFMLA   V30.S4, V25.S4, V9.S4
	VFMLA   V30.S4, V26.S4, V10.S4
	VFMLA   V30.S4, V27.S4, V11.S4
	SUBS    $1, R26, R26
	BNE     loop3

	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R10)
	VST1 [V4.S4, V5.S4, V6.S4, V7.S4], (R11)
	VST1 [V8.S4, V9.S4, V10.S4, V11.S4], (R12)
	ADD  $64, R9
	SUBS $1, R1, R1
	BNE  tile3
	RET

tile2:
	MOVD R2, R16
	ADD  R3, R16, R17
	MOVD R9, R10
	ADD  R15, R10, R11
	VLD1 (R10), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1 (R11), [V4.S4, V5.S4, V6.S4, V7.S4]
	MOVD R0, R26

loop2:
	VLD1.P 64(R7), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1R.P (R16)(R6), [V28.S4]
	VFMLA   V28.S4, V24.S4, V0.S4
	VFMLA   V28.S4, V25.S4, V1.S4
	VFMLA   V28.S4, V26.S4, V2.S4
	VFMLA   V28.S4, V27.S4, V3.S4
	VLD1R.P (R17)(R6), [V29.S4]
	VFMLA   V29.S4, V24.S4, V4.S4
	VFMLA   V29.S4, V25.S4, V5.S4
	VFMLA   V29.S4, V26.S4, V6.S4
	VFMLA   V29.S4, V27.S4, V7.S4
	SUBS    $1, R26, R26
	BNE     loop2

	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R10)
	VST1 [V4.S4, V5.S4, V6.S4, V7.S4], (R11)
	ADD  $64, R9
	SUBS $1, R1, R1
	BNE  tile2
	RET

tile1:
	MOVD R2, R16
	MOVD R9, R10
	VLD1 (R10), [V0.S4, V1.S4, V2.S4, V3.S4]
	MOVD R0, R26

loop1:
	VLD1.P 64(R7), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1R.P (R16)(R6), [V28.S4]
	VFMLA   V28.S4, V24.S4, V0.S4
	VFMLA   V28.S4, V25.S4, V1.S4
	VFMLA   V28.S4, V26.S4, V2.S4
	VFMLA   V28.S4, V27.S4, V3.S4
	SUBS    $1, R26, R26
	BNE     loop1

	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R10)
	ADD  $64, R9
	SUBS $1, R1, R1
	BNE  tile1
	RET

// func stilePackNEON(k int, a *float32, ars, acs int, b *float32, ldb int, p *float32, c *float32, ldc int)
//
// C[0:6, 0:16] += A(0:6, 0:k)·B[0:k, 0:16], where A(i, l) = a[i*ars + l*acs],
// B has row stride ldb and C row stride ldc, as one tile of stilesNEON, and
// packs B on the way: p[l*16 + j] = B[l, j]. Each element of C is updated by
// one chain of float32 fused multiply-adds over l = 0, 1, ..., k-1. k must be > 0.
TEXT ·stilePackNEON(SB), NOSPLIT, $0-72
	MOVD k+0(FP), R0
	MOVD a+8(FP), R2
	MOVD ars+16(FP), R3
	LSL  $2, R3
	MOVD acs+24(FP), R6
	LSL  $2, R6
	MOVD b+32(FP), R7
	MOVD ldb+40(FP), R8
	LSL  $2, R8
	MOVD p+48(FP), R5
	MOVD c+56(FP), R9
	MOVD ldc+64(FP), R15
	LSL  $2, R15

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
	VLD1 (R10), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1 (R11), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1 (R12), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1 (R23), [V12.S4, V13.S4, V14.S4, V15.S4]
	VLD1 (R24), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1 (R25), [V20.S4, V21.S4, V22.S4, V23.S4]
	MOVD R0, R26

looppack:
	VLD1.P (R7)(R8), [V24.S4, V25.S4, V26.S4, V27.S4]
	VST1.P [V24.S4, V25.S4, V26.S4, V27.S4], 64(R5)
	VLD1R.P (R16)(R6), [V28.S4]
	VFMLA   V28.S4, V24.S4, V0.S4
	VFMLA   V28.S4, V25.S4, V1.S4
	VFMLA   V28.S4, V26.S4, V2.S4
	VFMLA   V28.S4, V27.S4, V3.S4
	VLD1R.P (R17)(R6), [V29.S4]
	VFMLA   V29.S4, V24.S4, V4.S4
	VFMLA   V29.S4, V25.S4, V5.S4
	VFMLA   V29.S4, V26.S4, V6.S4
	VFMLA   V29.S4, V27.S4, V7.S4
	VLD1R.P (R19)(R6), [V30.S4]
	VFMLA   V30.S4, V24.S4, V8.S4
	VFMLA   V30.S4, V25.S4, V9.S4
	VFMLA   V30.S4, V26.S4, V10.S4
	VFMLA   V30.S4, V27.S4, V11.S4
	VLD1R.P (R20)(R6), [V31.S4]
	VFMLA   V31.S4, V24.S4, V12.S4
	VFMLA   V31.S4, V25.S4, V13.S4
	VFMLA   V31.S4, V26.S4, V14.S4
	VFMLA   V31.S4, V27.S4, V15.S4
	VLD1R.P (R21)(R6), [V28.S4]
	VFMLA   V28.S4, V24.S4, V16.S4
	VFMLA   V28.S4, V25.S4, V17.S4
	VFMLA   V28.S4, V26.S4, V18.S4
	VFMLA   V28.S4, V27.S4, V19.S4
	VLD1R.P (R22)(R6), [V29.S4]
	VFMLA   V29.S4, V24.S4, V20.S4
	VFMLA   V29.S4, V25.S4, V21.S4
	VFMLA   V29.S4, V26.S4, V22.S4
	VFMLA   V29.S4, V27.S4, V23.S4
	SUBS    $1, R26, R26
	BNE     looppack

	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R10)
	VST1 [V4.S4, V5.S4, V6.S4, V7.S4], (R11)
	VST1 [V8.S4, V9.S4, V10.S4, V11.S4], (R12)
	VST1 [V12.S4, V13.S4, V14.S4, V15.S4], (R23)
	VST1 [V16.S4, V17.S4, V18.S4, V19.S4], (R24)
	VST1 [V20.S4, V21.S4, V22.S4, V23.S4], (R25)
	RET
