//go:build !purego

#include "textflag.h"

// The float32 element-wise kernels of the AVX-512 and AVX2 paths. Each
// handles the first n elements, n a multiple of its block (64 floats for
// AVX-512, 32 for AVX2); the Go wrappers in cpu32_amd64.go finish the
// rest with the Go loops, which give the same bits.

// func relu32AVX512(dst, x *float32, n int)
//
// dst[i] = x[i] if !(x[i] <= 0) (VCMPPS predicate NLE_UQ, true for NaN),
// else +0, as reluAVX512.
TEXT ·relu32AVX512(SB), NOSPLIT, $0-24
	MOVQ   dst+0(FP), DI
	MOVQ   x+8(FP), SI
	MOVQ   n+16(FP), CX
	VPXORQ Z15, Z15, Z15

loop:
	CMPQ      CX, $32
	JLT       done
	VMOVUPS   (SI), Z0
	VMOVUPS   64(SI), Z1
	VCMPPS    $0x16, Z15, Z0, K2
	VCMPPS    $0x16, Z15, Z1, K3
	VMOVUPS.Z Z0, K2, Z0
	VMOVUPS.Z Z1, K3, Z1
	VMOVUPS   Z0, (DI)
	VMOVUPS   Z1, 64(DI)
	ADDQ      $128, SI
	ADDQ      $128, DI
	SUBQ      $32, CX
	JMP       loop

done:
	VZEROUPPER
	RET

// func reluGrad32AVX512(dst, grad, y *float32, n int)
//
// dst[i] = grad[i] if !(y[i] <= 0) (true for NaN), else +0.
TEXT ·reluGrad32AVX512(SB), NOSPLIT, $0-32
	MOVQ   dst+0(FP), DI
	MOVQ   grad+8(FP), SI
	MOVQ   y+16(FP), BX
	MOVQ   n+24(FP), CX
	VPXORQ Z15, Z15, Z15

loop:
	CMPQ      CX, $32
	JLT       done
	VMOVUPS   (BX), Z1
	VMOVUPS   64(BX), Z3
	VCMPPS    $0x16, Z15, Z1, K1
	VCMPPS    $0x16, Z15, Z3, K2
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z 64(SI), K2, Z2
	VMOVUPS   Z0, (DI)
	VMOVUPS   Z2, 64(DI)
	ADDQ      $128, SI
	ADDQ      $128, DI
	ADDQ      $128, BX
	SUBQ      $32, CX
	JMP       loop

done:
	VZEROUPPER
	RET

// func to32AVX512(dst *float32, src *float64, n int)
//
// dst[i] = float32(src[i]): VCVTPD2PS rounds by MXCSR, which Go leaves at
// round to nearest even without flush to zero, and quiets a NaN keeping
// the top of its payload, as CVTSD2SS (Go's float32 conversion) does.
TEXT ·to32AVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX

loop:
	CMPQ      CX, $32
	JLT       done
	VCVTPD2PS (SI), Y0
	VCVTPD2PS 64(SI), Y1
	VCVTPD2PS 128(SI), Y2
	VCVTPD2PS 192(SI), Y3
	VMOVUPS   Y0, (DI)
	VMOVUPS   Y1, 32(DI)
	VMOVUPS   Y2, 64(DI)
	VMOVUPS   Y3, 96(DI)
	ADDQ      $256, SI
	ADDQ      $128, DI
	SUBQ      $32, CX
	JMP       loop

done:
	VZEROUPPER
	RET

// func to64AVX512(dst *float64, src *float32, n int)
//
// dst[i] = float64(src[i]), exact (VCVTPS2PD; a NaN is quieted, as
// CVTSS2SD does).
TEXT ·to64AVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX

loop:
	CMPQ      CX, $32
	JLT       done
	VCVTPS2PD (SI), Z0
	VCVTPS2PD 32(SI), Z1
	VCVTPS2PD 64(SI), Z2
	VCVTPS2PD 96(SI), Z3
	VMOVUPD   Z0, (DI)
	VMOVUPD   Z1, 64(DI)
	VMOVUPD   Z2, 128(DI)
	VMOVUPD   Z3, 192(DI)
	ADDQ      $128, SI
	ADDQ      $256, DI
	SUBQ      $32, CX
	JMP       loop

done:
	VZEROUPPER
	RET

// func relu32AVX2(dst, x *float32, n int)
TEXT ·relu32AVX2(SB), NOSPLIT, $0-24
	MOVQ   dst+0(FP), DI
	MOVQ   x+8(FP), SI
	MOVQ   n+16(FP), CX
	VXORPS Y15, Y15, Y15

loop:
	CMPQ    CX, $16
	JLT     done
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VCMPPS  $0x16, Y15, Y0, Y2
	VCMPPS  $0x16, Y15, Y1, Y3
	VANDPS  Y0, Y2, Y0
	VANDPS  Y1, Y3, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $16, CX
	JMP     loop

done:
	VZEROUPPER
	RET

// func reluGrad32AVX2(dst, grad, y *float32, n int)
TEXT ·reluGrad32AVX2(SB), NOSPLIT, $0-32
	MOVQ   dst+0(FP), DI
	MOVQ   grad+8(FP), SI
	MOVQ   y+16(FP), BX
	MOVQ   n+24(FP), CX
	VXORPS Y15, Y15, Y15

loop:
	CMPQ    CX, $16
	JLT     done
	VMOVUPS (BX), Y0
	VMOVUPS 32(BX), Y1
	VCMPPS  $0x16, Y15, Y0, Y2
	VCMPPS  $0x16, Y15, Y1, Y3
	VANDPS  (SI), Y2, Y2
	VANDPS  32(SI), Y3, Y3
	VMOVUPS Y2, (DI)
	VMOVUPS Y3, 32(DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	ADDQ    $64, BX
	SUBQ    $16, CX
	JMP     loop

done:
	VZEROUPPER
	RET

// func to32AVX2(dst *float32, src *float64, n int)
TEXT ·to32AVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX

loop:
	CMPQ       CX, $16
	JLT        done
	VCVTPD2PSY (SI), X0
	VCVTPD2PSY 32(SI), X1
	VCVTPD2PSY 64(SI), X2
	VCVTPD2PSY 96(SI), X3
	VMOVUPS    X0, (DI)
	VMOVUPS    X1, 16(DI)
	VMOVUPS    X2, 32(DI)
	VMOVUPS    X3, 48(DI)
	ADDQ       $128, SI
	ADDQ       $64, DI
	SUBQ       $16, CX
	JMP        loop

done:
	VZEROUPPER
	RET

// func to64AVX2(dst *float64, src *float32, n int)
TEXT ·to64AVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX

loop:
	CMPQ      CX, $16
	JLT       done
	VCVTPS2PD (SI), Y0
	VCVTPS2PD 16(SI), Y1
	VCVTPS2PD 32(SI), Y2
	VCVTPS2PD 48(SI), Y3
	VMOVUPD   Y0, (DI)
	VMOVUPD   Y1, 32(DI)
	VMOVUPD   Y2, 64(DI)
	VMOVUPD   Y3, 96(DI)
	ADDQ      $64, SI
	ADDQ      $128, DI
	SUBQ      $16, CX
	JMP       loop

done:
	VZEROUPPER
	RET
