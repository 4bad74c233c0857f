//go:build !purego

#include "textflag.h"

// func finiteAVX2(x *float64, n int) bool
//
// Reports whether no element of x[0:n] has an all-ones exponent (Inf or
// NaN): adding 1<<52 to the exponent field carries into the sign bit only
// for those, and the sign bits of the OR of all sums are tested at the end.
TEXT ·finiteAVX2(SB), NOSPLIT, $0-17
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	MOVQ         $0x7ff0000000000000, AX
	MOVQ         AX, X15
	VPBROADCASTQ X15, Y15
	MOVQ         $0x0010000000000000, AX
	MOVQ         AX, X14
	VPBROADCASTQ X14, Y14
	VPXOR        Y0, Y0, Y0
	VPXOR        Y1, Y1, Y1

loop8:
	CMPQ   CX, $8
	JLT    loop1
	VPAND  (SI), Y15, Y2
	VPAND  32(SI), Y15, Y3
	VPADDQ Y14, Y2, Y2
	VPADDQ Y14, Y3, Y3
	VPOR   Y2, Y0, Y0
	VPOR   Y3, Y1, Y1
	ADDQ   $64, SI
	SUBQ   $8, CX
	JMP    loop8

loop1:
	TESTQ  CX, CX
	JLE    reduce
	VMOVSD (SI), X2
	VPAND  X15, X2, X2
	VPADDQ X14, X2, X2
	VPOR   Y2, Y0, Y0
	ADDQ   $8, SI
	DECQ   CX
	JMP    loop1

reduce:
	VPOR      Y1, Y0, Y0
	VMOVMSKPD Y0, AX
	TESTL     AX, AX
	SETEQ     ret+16(FP)
	VZEROUPPER
	RET

// func reluAVX2(dst, x *float64, n int)
//
// dst[i] = x[i] if x[i] > 0 or x[i] is NaN, else +0: the comparison
// !(x <= 0) (predicate NLE_UQ, true for NaN) gives an all-ones or all-zeros
// mask for the AND. (VMAXPD would return its second source for NaN.)
TEXT ·reluAVX2(SB), NOSPLIT, $0-24
	MOVQ   dst+0(FP), DI
	MOVQ   x+8(FP), SI
	MOVQ   n+16(FP), CX
	VXORPD Y15, Y15, Y15

loop8:
	CMPQ    CX, $8
	JLT     loop1
	VMOVUPD (SI), Y0
	VMOVUPD 32(SI), Y1
	VCMPPD  $0x16, Y15, Y0, Y2
	VCMPPD  $0x16, Y15, Y1, Y3
	VANDPD  Y0, Y2, Y0
	VANDPD  Y1, Y3, Y1
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $8, CX
	JMP     loop8

loop1:
	TESTQ  CX, CX
	JLE    done
	VMOVSD (SI), X0
	VCMPSD $0x16, X15, X0, X1
	VANDPD X0, X1, X0
	VMOVSD X0, (DI)
	ADDQ   $8, SI
	ADDQ   $8, DI
	DECQ   CX
	JMP    loop1

done:
	VZEROUPPER
	RET

// func reluGradAVX2(dst, grad, y *float64, n int)
//
// dst[i] = grad[i] if y[i] > 0 or y[i] is NaN, else +0: the comparison
// !(y <= 0) (predicate NLE_UQ, true for NaN) gives an all-ones or all-zeros
// mask for the AND, as PyTorch's threshold_backward passes the gradient at
// NaN.
TEXT ·reluGradAVX2(SB), NOSPLIT, $0-32
	MOVQ   dst+0(FP), DI
	MOVQ   grad+8(FP), SI
	MOVQ   y+16(FP), BX
	MOVQ   n+24(FP), CX
	VXORPD Y15, Y15, Y15

loop8:
	CMPQ    CX, $8
	JLT     loop1
	VMOVUPD (BX), Y1
	VMOVUPD 32(BX), Y3
	VCMPPD  $0x16, Y15, Y1, Y1
	VCMPPD  $0x16, Y15, Y3, Y3
	VANDPD  (SI), Y1, Y0
	VANDPD  32(SI), Y3, Y2
	VMOVUPD Y0, (DI)
	VMOVUPD Y2, 32(DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	ADDQ    $64, BX
	SUBQ    $8, CX
	JMP     loop8

loop1:
	TESTQ  CX, CX
	JLE    done
	VMOVSD (BX), X1
	VCMPSD $0x16, X15, X1, X1
	VMOVSD (SI), X0
	VANDPD X0, X1, X0
	VMOVSD X0, (DI)
	ADDQ   $8, SI
	ADDQ   $8, DI
	ADDQ   $8, BX
	DECQ   CX
	JMP    loop1

done:
	VZEROUPPER
	RET

// func sgdAVX2(w, grad *float64, n int, lr, wd float64)
//
// w[i] -= lr*(grad[i] + wd*w[i]) for i < n, with the roundings of that Go
// expression (no fused multiply-add).
TEXT ·sgdAVX2(SB), NOSPLIT, $0-40
	MOVQ         w+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSD lr+24(FP), Y14
	VBROADCASTSD wd+32(FP), Y15

loop4:
	CMPQ    CX, $4
	JLT     loop1
	VMOVUPD (DI), Y0
	VMULPD  Y15, Y0, Y1
	VADDPD  (SI), Y1, Y1
	VMULPD  Y14, Y1, Y1
	VSUBPD  Y1, Y0, Y0
	VMOVUPD Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	SUBQ    $4, CX
	JMP     loop4

loop1:
	TESTQ  CX, CX
	JLE    done
	VMOVSD (DI), X0
	VMULSD X15, X0, X1
	VMOVSD (SI), X2
	VADDSD X2, X1, X1
	VMULSD X14, X1, X1
	VSUBSD X1, X0, X0
	VMOVSD X0, (DI)
	ADDQ   $8, DI
	ADDQ   $8, SI
	DECQ   CX
	JMP    loop1

done:
	VZEROUPPER
	RET
