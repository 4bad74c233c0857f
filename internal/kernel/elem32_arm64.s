//go:build !purego

#include "textflag.h"

// The float32 element-wise kernels of the NEON path. Each handles the
// first n elements, n a multiple of 8; the Go wrappers in cpu32_arm64.go
// finish the rest with the Go loops, which give the same bits. As in
// elem_arm64.s, the vector floating-point instructions the Go assembler
// lacks are WORDs with the instruction in the comment.

// func relu32NEON(dst, x *float32, n int)
//
// dst[i] = x[i] if x[i] > 0 or x[i] is NaN, else +0: FCMLE's mask of
// x <= 0 (never for NaN), cleared by BIC, as reluNEON.
TEXT ·relu32NEON(SB), NOSPLIT, $0-24
	MOVD dst+0(FP), R0
	MOVD x+8(FP), R1
	MOVD n+16(FP), R2

loop:
	CMP    $8, R2
	BLT    done
	VLD1.P 32(R1), [V0.S4, V1.S4]
	WORD   $0x6ea0d802                    // FCMLE V2.4S, V0.4S, #0.0
	WORD   $0x6ea0d823                    // FCMLE V3.4S, V1.4S, #0.0
	WORD   $0x4e621c00                    // BIC V0.16B, V0.16B, V2.16B
	WORD   $0x4e631c21                    // BIC V1.16B, V1.16B, V3.16B
	VST1.P [V0.S4, V1.S4], 32(R0)
	SUB    $8, R2
	B      loop

done:
	RET

// func reluGrad32NEON(dst, grad, y *float32, n int)
//
// dst[i] = grad[i] if y[i] > 0 or y[i] is NaN, else +0.
TEXT ·reluGrad32NEON(SB), NOSPLIT, $0-32
	MOVD dst+0(FP), R0
	MOVD grad+8(FP), R1
	MOVD y+16(FP), R2
	MOVD n+24(FP), R3

loop:
	CMP    $8, R3
	BLT    done
	VLD1.P 32(R2), [V0.S4, V1.S4]
	VLD1.P 32(R1), [V4.S4, V5.S4]
	WORD   $0x6ea0d802                    // FCMLE V2.4S, V0.4S, #0.0
	WORD   $0x6ea0d823                    // FCMLE V3.4S, V1.4S, #0.0
	WORD   $0x4e621c84                    // BIC V4.16B, V4.16B, V2.16B
	WORD   $0x4e631ca5                    // BIC V5.16B, V5.16B, V3.16B
	VST1.P [V4.S4, V5.S4], 32(R0)
	SUB    $8, R3
	B      loop

done:
	RET

// func to32NEON(dst *float32, src *float64, n int)
//
// dst[i] = float32(src[i]): FCVTN rounds by FPCR (round to nearest even,
// no flush to zero, as Go leaves it) and quiets NaNs as the scalar FCVT of
// Go's conversion does.
TEXT ·to32NEON(SB), NOSPLIT, $0-24
	MOVD dst+0(FP), R0
	MOVD src+8(FP), R1
	MOVD n+16(FP), R2

loop:
	CMP    $8, R2
	BLT    done
	VLD1.P 64(R1), [V0.D2, V1.D2, V2.D2, V3.D2]
	WORD   $0x0e616804                           // FCVTN V4.2S, V0.2D
	WORD   $0x4e616824                           // FCVTN2 V4.4S, V1.2D
	WORD   $0x0e616845                           // FCVTN V5.2S, V2.2D
	WORD   $0x4e616865                           // FCVTN2 V5.4S, V3.2D
	VST1.P [V4.S4, V5.S4], 32(R0)
	SUB    $8, R2
	B      loop

done:
	RET

// func to64NEON(dst *float64, src *float32, n int)
//
// dst[i] = float64(src[i]), exact (FCVTL; NaNs quieted as by FCVT).
TEXT ·to64NEON(SB), NOSPLIT, $0-24
	MOVD dst+0(FP), R0
	MOVD src+8(FP), R1
	MOVD n+16(FP), R2

loop:
	CMP    $8, R2
	BLT    done
	VLD1.P 32(R1), [V0.S4, V1.S4]
	WORD   $0x0e617802                           // FCVTL V2.2D, V0.2S
	WORD   $0x4e617803                           // FCVTL2 V3.2D, V0.4S
	WORD   $0x0e617824                           // FCVTL V4.2D, V1.2S
	WORD   $0x4e617825                           // FCVTL2 V5.2D, V1.4S
	VST1.P [V2.D2, V3.D2, V4.D2, V5.D2], 64(R0)
	SUB    $8, R2
	B      loop

done:
	RET
