//go:build !purego

#include "textflag.h"

// The Go assembler has no vector floating-point compare, multiply, add or
// subtract, so those are written as WORDs, each with its instruction in
// the comment. Single elements at the ends are loaded with FMOVD, which
// clears the upper lane, and go through the same vector instructions.

// func finiteNEON(x *float64, n int) bool
//
// Reports whether no element of x[0:n] has an all-ones exponent (Inf or
// NaN): adding 1<<52 to the exponent field carries into the sign bit only
// for those, and the sign bit of the OR of all sums is tested at the end.
TEXT ·finiteNEON(SB), NOSPLIT, $0-17
	MOVD x+0(FP), R0
	MOVD n+8(FP), R1
	MOVD $0x7ff0000000000000, R2
	VDUP R2, V30.D2
	MOVD $0x0010000000000000, R2
	VDUP R2, V31.D2
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16

loop4:
	CMP    $4, R1
	BLT    loop1
	VLD1.P 32(R0), [V2.D2, V3.D2]
	VAND   V30.B16, V2.B16, V2.B16
	VAND   V30.B16, V3.B16, V3.B16
	VADD   V31.D2, V2.D2, V2.D2
	VADD   V31.D2, V3.D2, V3.D2
	VORR   V2.B16, V0.B16, V0.B16
	VORR   V3.B16, V1.B16, V1.B16
	SUB    $4, R1
	B      loop4

loop1:
	CBZ   R1, reduce
	FMOVD (R0), F2
	ADD   $8, R0
	VAND  V30.B16, V2.B16, V2.B16
	VADD  V31.D2, V2.D2, V2.D2
	VORR  V2.B16, V0.B16, V0.B16
	SUB   $1, R1
	B     loop1

reduce:
	VORR V1.B16, V0.B16, V0.B16
	VMOV V0.D[0], R2
	VMOV V0.D[1], R3
	ORR  R3, R2, R2
	LSR  $63, R2, R2
	EOR  $1, R2, R2
	MOVB R2, ret+16(FP)
	RET

// func reluNEON(dst, x *float64, n int)
//
// dst[i] = x[i] if x[i] > 0 or x[i] is NaN, else +0: FCMLE gives an
// all-ones mask where x <= 0 (never for NaN), which BIC clears.
TEXT ·reluNEON(SB), NOSPLIT, $0-24
	MOVD dst+0(FP), R0
	MOVD x+8(FP), R1
	MOVD n+16(FP), R2

loop4:
	CMP    $4, R2
	BLT    loop1
	VLD1.P 32(R1), [V0.D2, V1.D2]
	WORD   $0x6ee0d802                    // FCMLE V2.2D, V0.2D, #0.0
	WORD   $0x6ee0d823                    // FCMLE V3.2D, V1.2D, #0.0
	WORD   $0x4e621c00                    // BIC V0.16B, V0.16B, V2.16B
	WORD   $0x4e631c21                    // BIC V1.16B, V1.16B, V3.16B
	VST1.P [V0.D2, V1.D2], 32(R0)
	SUB    $4, R2
	B      loop4

loop1:
	CBZ   R2, done
	FMOVD (R1), F0
	ADD   $8, R1
	WORD  $0x6ee0d802                     // FCMLE V2.2D, V0.2D, #0.0
	WORD  $0x4e621c00                     // BIC V0.16B, V0.16B, V2.16B
	FMOVD F0, (R0)
	ADD   $8, R0
	SUB   $1, R2
	B     loop1

done:
	RET

// func reluGradNEON(dst, grad, y *float64, n int)
//
// dst[i] = grad[i] if y[i] > 0 or y[i] is NaN, else +0 (FCMLE's mask of
// y <= 0, cleared by BIC), as PyTorch's threshold_backward passes the
// gradient at NaN.
TEXT ·reluGradNEON(SB), NOSPLIT, $0-32
	MOVD dst+0(FP), R0
	MOVD grad+8(FP), R1
	MOVD y+16(FP), R2
	MOVD n+24(FP), R3

loop4:
	CMP    $4, R3
	BLT    loop1
	VLD1.P 32(R2), [V0.D2, V1.D2]
	VLD1.P 32(R1), [V4.D2, V5.D2]
	WORD   $0x6ee0d802                    // FCMLE V2.2D, V0.2D, #0.0
	WORD   $0x6ee0d823                    // FCMLE V3.2D, V1.2D, #0.0
	WORD   $0x4e621c84                    // BIC V4.16B, V4.16B, V2.16B
	WORD   $0x4e631ca5                    // BIC V5.16B, V5.16B, V3.16B
	VST1.P [V4.D2, V5.D2], 32(R0)
	SUB    $4, R3
	B      loop4

loop1:
	CBZ   R3, done
	FMOVD (R2), F0
	FMOVD (R1), F4
	ADD   $8, R2
	ADD   $8, R1
	WORD  $0x6ee0d802                     // FCMLE V2.2D, V0.2D, #0.0
	WORD  $0x4e621c84                     // BIC V4.16B, V4.16B, V2.16B
	FMOVD F4, (R0)
	ADD   $8, R0
	SUB   $1, R3
	B     loop1

done:
	RET

// func sgdNEON(w, grad *float64, n int, lr, wd float64)
//
// w[i] -= lr*(grad[i] + wd*w[i]) for i < n, with the roundings of that Go
// expression (separate multiplies, adds and subtracts; no FMLA).
TEXT ·sgdNEON(SB), NOSPLIT, $0-40
	MOVD w+0(FP), R0
	MOVD grad+8(FP), R1
	MOVD n+16(FP), R2
	MOVD lr+24(FP), R3
	VDUP R3, V30.D2
	MOVD wd+32(FP), R3
	VDUP R3, V31.D2

loop4:
	CMP    $4, R2
	BLT    loop1
	VLD1   (R0), [V0.D2, V1.D2]
	VLD1.P 32(R1), [V4.D2, V5.D2]
	WORD   $0x6e7fdc02                    // FMUL V2.2D, V0.2D, V31.2D
	WORD   $0x6e7fdc23                    // FMUL V3.2D, V1.2D, V31.2D
	WORD   $0x4e64d442                    // FADD V2.2D, V2.2D, V4.2D
	WORD   $0x4e65d463                    // FADD V3.2D, V3.2D, V5.2D
	WORD   $0x6e7edc42                    // FMUL V2.2D, V2.2D, V30.2D
	WORD   $0x6e7edc63                    // FMUL V3.2D, V3.2D, V30.2D
	WORD   $0x4ee2d400                    // FSUB V0.2D, V0.2D, V2.2D
	WORD   $0x4ee3d421                    // FSUB V1.2D, V1.2D, V3.2D
	VST1.P [V0.D2, V1.D2], 32(R0)
	SUB    $4, R2
	B      loop4

loop1:
	CBZ   R2, done
	FMOVD (R0), F0
	FMOVD (R1), F4
	ADD   $8, R1
	WORD  $0x6e7fdc02                     // FMUL V2.2D, V0.2D, V31.2D
	WORD  $0x4e64d442                     // FADD V2.2D, V2.2D, V4.2D
	WORD  $0x6e7edc42                     // FMUL V2.2D, V2.2D, V30.2D
	WORD  $0x4ee2d400                     // FSUB V0.2D, V0.2D, V2.2D
	FMOVD F0, (R0)
	ADD   $8, R0
	SUB   $1, R2
	B     loop1

done:
	RET
