//go:build !purego

#include "textflag.h"

// func finiteAVX512(x *float64, n int) bool
//
// Reports whether no element of x[0:n] has an all-ones exponent (Inf or
// NaN): the largest exponent field seen is compared with 0x7ff at the end.
TEXT ·finiteAVX512(SB), NOSPLIT, $0-17
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	MOVQ         $0x7ff0000000000000, AX
	VPBROADCASTQ AX, Z15
	VPXORQ       Z0, Z0, Z0
	VPXORQ       Z1, Z1, Z1

loop16:
	CMPQ    CX, $16
	JLT     tail
	VPANDQ  (SI), Z15, Z2
	VPANDQ  64(SI), Z15, Z3
	VPMAXUQ Z2, Z0, Z0
	VPMAXUQ Z3, Z1, Z1
	ADDQ    $128, SI
	SUBQ    $16, CX
	JMP     loop16

tail:
	TESTQ CX, CX
	JLE   reduce
	MOVQ  CX, DX
	CMPQ  DX, $8
	JLE   mask
	MOVQ  $8, DX

mask:
	LEAQ      ·lanemasks(SB), AX
	KMOVW     (AX)(DX*2), K1
	VMOVDQU64.Z (SI), K1, Z2
	VPANDQ    Z2, Z15, Z2
	VPMAXUQ   Z2, Z0, Z0
	ADDQ      $64, SI
	SUBQ      DX, CX
	JMP       tail

reduce:
	VPMAXUQ  Z1, Z0, Z0
	VPCMPEQQ Z15, Z0, K2
	KORTESTW K2, K2
	SETEQ    ret+16(FP)
	VZEROUPPER
	RET

// func reluAVX512(dst, x *float64, n int)
//
// dst[i] = x[i] if x[i] > 0 or x[i] is NaN, else +0: the lanes where
// !(x <= 0) (VCMPPD predicate NLE_UQ, true for NaN) keep x, the others are
// zeroed. (VMAXPD would return its second source for NaN, losing it.)
TEXT ·reluAVX512(SB), NOSPLIT, $0-24
	MOVQ   dst+0(FP), DI
	MOVQ   x+8(FP), SI
	MOVQ   n+16(FP), CX
	VPXORQ Z15, Z15, Z15

loop16:
	CMPQ    CX, $16
	JLT     tail
	VMOVUPD (SI), Z0
	VMOVUPD 64(SI), Z1
	VCMPPD    $0x16, Z15, Z0, K2
	VCMPPD    $0x16, Z15, Z1, K3
	VMOVUPD.Z Z0, K2, Z0
	VMOVUPD.Z Z1, K3, Z1
	VMOVUPD Z0, (DI)
	VMOVUPD Z1, 64(DI)
	ADDQ    $128, SI
	ADDQ    $128, DI
	SUBQ    $16, CX
	JMP     loop16

tail:
	TESTQ CX, CX
	JLE   done
	MOVQ  CX, DX
	CMPQ  DX, $8
	JLE   mask
	MOVQ  $8, DX

mask:
	LEAQ      ·lanemasks(SB), AX
	KMOVW     (AX)(DX*2), K1
	VMOVUPD.Z (SI), K1, Z0
	VCMPPD    $0x16, Z15, Z0, K2
	VMOVUPD.Z Z0, K2, Z0
	VMOVUPD   Z0, K1, (DI)
	ADDQ      $64, SI
	ADDQ      $64, DI
	SUBQ      DX, CX
	JMP       tail

done:
	VZEROUPPER
	RET

// func reluGradAVX512(dst, grad, y *float64, n int)
//
// dst[i] = grad[i] if y[i] > 0 or y[i] is NaN, else +0 (predicate NLE_UQ,
// !(y <= 0), as PyTorch's threshold_backward passes the gradient at NaN).
TEXT ·reluGradAVX512(SB), NOSPLIT, $0-32
	MOVQ   dst+0(FP), DI
	MOVQ   grad+8(FP), SI
	MOVQ   y+16(FP), BX
	MOVQ   n+24(FP), CX
	VPXORQ Z15, Z15, Z15

loop8:
	CMPQ      CX, $8
	JLT       tail
	VMOVUPD   (BX), Z1
	VCMPPD    $0x16, Z15, Z1, K1
	VMOVUPD.Z (SI), K1, Z0
	VMOVUPD   Z0, (DI)
	ADDQ      $64, SI
	ADDQ      $64, DI
	ADDQ      $64, BX
	SUBQ      $8, CX
	JMP       loop8

tail:
	TESTQ     CX, CX
	JLE       done
	LEAQ      ·lanemasks(SB), AX
	KMOVW     (AX)(CX*2), K2
	VMOVUPD.Z (BX), K2, Z1
	VCMPPD    $0x16, Z15, Z1, K2, K1
	VMOVUPD.Z (SI), K1, Z0
	VMOVUPD   Z0, K2, (DI)

done:
	VZEROUPPER
	RET

// func sgdAVX512(w, grad *float64, n int, lr, wd float64)
//
// w[i] -= lr*(grad[i] + wd*w[i]) for i < n, with the roundings of that Go
// expression (no fused multiply-add).
TEXT ·sgdAVX512(SB), NOSPLIT, $0-40
	MOVQ         w+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSD lr+24(FP), Z14
	VBROADCASTSD wd+32(FP), Z15

loop8:
	CMPQ    CX, $8
	JLT     tail
	VMOVUPD (DI), Z0
	VMULPD  Z15, Z0, Z1
	VADDPD  (SI), Z1, Z1
	VMULPD  Z14, Z1, Z1
	VSUBPD  Z1, Z0, Z0
	VMOVUPD Z0, (DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	SUBQ    $8, CX
	JMP     loop8

tail:
	TESTQ     CX, CX
	JLE       done
	LEAQ      ·lanemasks(SB), AX
	KMOVW     (AX)(CX*2), K1
	VMOVUPD.Z (DI), K1, Z0
	VMOVUPD.Z (SI), K1, Z2
	VMULPD    Z15, Z0, Z1
	VADDPD    Z2, Z1, Z1
	VMULPD    Z14, Z1, Z1
	VSUBPD    Z1, Z0, Z0
	VMOVUPD   Z0, K1, (DI)

done:
	VZEROUPPER
	RET
