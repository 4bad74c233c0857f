//go:build !purego

#include "textflag.h"

// func expAVX512(dst, x *float64, n int) int
//
// dst[i] = fmath.Exp(x[i]) for the blocks of eight of the first n
// elements (n a multiple of 8), with fmath.Exp's operations in its order,
// until a block with an element whose k (x = k·ln2 + r) is outside
// [-1021, 1023] while x is neither NaN nor beyond the overflow and
// underflow thresholds (there fmath.Exp scales through math.Ldexp); it
// returns the number of elements done, n or the start of that block.
TEXT ·expAVX512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX

	MOVQ         $0x3fe62e42fee00000, R8 // ln2Hi
	VPBROADCASTQ R8, Z16
	MOVQ         $0x3dea39ef35793c76, R8 // ln2Lo
	VPBROADCASTQ R8, Z17
	MOVQ         $0x3ff71547652b82fe, R8 // log2e
	VPBROADCASTQ R8, Z18
	MOVQ         $0x40862e42fefa39ef, R8 // overflow
	VPBROADCASTQ R8, Z19
	MOVQ         $0xc0874910d52d3051, R8 // underflow
	VPBROADCASTQ R8, Z20
	MOVQ         $0x3e30000000000000, R8 // nearZero, 2⁻²⁸
	VPBROADCASTQ R8, Z21
	MOVQ         $0x3fc5555555555555, R8 // p1
	VPBROADCASTQ R8, Z22
	MOVQ         $0xbf66c16c16bebd93, R8 // p2
	VPBROADCASTQ R8, Z23
	MOVQ         $0x3f11566aaf25de2c, R8 // p3
	VPBROADCASTQ R8, Z24
	MOVQ         $0xbebbbd41c5d26bf1, R8 // p4
	VPBROADCASTQ R8, Z25
	MOVQ         $0x3e66376972bea4d0, R8 // p5
	VPBROADCASTQ R8, Z26
	MOVQ         $0x3fe0000000000000, R8 // 0.5
	VPBROADCASTQ R8, Z27
	MOVQ         $0x3ff0000000000000, R8 // 1
	VPBROADCASTQ R8, Z28
	MOVQ         $0x4000000000000000, R8 // 2
	VPBROADCASTQ R8, Z29
	MOVQ         $0xc08fe80000000000, R8 // -1021
	VPBROADCASTQ R8, Z30
	MOVQ         $0x408ff80000000000, R8 // 1023
	VPBROADCASTQ R8, Z31
	MOVQ         $0x7fffffffffffffff, R8 // all but the sign
	VPBROADCASTQ R8, Z13
	MOVQ         $0x7ff0000000000000, R8 // +Inf
	VPBROADCASTQ R8, Z14
	MOVQ         $1023, R8               // the exponent bias
	VPBROADCASTQ R8, Z15

loop:
	CMPQ    CX, $8
	JLT     done
	VMOVUPD (SI), Z0

	// k = int(log2e·x ± 0.5), the sign of x's; kf = float64(k).
	VPANDNQ    Z0, Z13, Z1 // the sign of x
	VPORQ      Z27, Z1, Z1 // ±0.5
	VMULPD     Z18, Z0, Z2
	VADDPD     Z1, Z2, Z2
	VCVTTPD2DQ Z2, Y3
	VCVTDQ2PD  Y3, Z4

	// hi = x - kf·ln2Hi, lo = kf·ln2Lo, r = hi - lo, t = r·r.
	VMULPD Z16, Z4, Z5
	VSUBPD Z5, Z0, Z5
	VMULPD Z17, Z4, Z6
	VSUBPD Z6, Z5, Z7
	VMULPD Z7, Z7, Z8

	// p = t·(p1 + t·(p2 + t·(p3 + t·(p4 + t·p5)))), c = r - p.
	VMULPD Z26, Z8, Z9
	VADDPD Z9, Z25, Z9
	VMULPD Z9, Z8, Z9
	VADDPD Z9, Z24, Z9
	VMULPD Z9, Z8, Z9
	VADDPD Z9, Z23, Z9
	VMULPD Z9, Z8, Z9
	VADDPD Z9, Z22, Z9
	VMULPD Z9, Z8, Z9
	VSUBPD Z9, Z7, Z10

	// y = 1 - ((lo - r·c/(2-c)) - hi).
	VMULPD Z10, Z7, Z11
	VSUBPD Z10, Z29, Z12
	VDIVPD Z12, Z11, Z11
	VSUBPD Z11, Z6, Z11
	VSUBPD Z5, Z11, Z11
	VSUBPD Z11, Z28, Z11

	// y·2^k, with 2^k built from k + 1023 in the exponent field.
	VPMOVSXDQ Y3, Z12
	VPADDQ    Z15, Z12, Z12
	VPSLLQ    $52, Z12, Z12
	VMULPD    Z12, Z11, Z11

	// The special cases: K1 x > overflow, K2 x < underflow, K3 |x| <
	// 2⁻²⁸, K4 NaN; K5 the other elements whose k is outside
	// [-1021, 1023], which end the run.
	VCMPPD   $0x1e, Z19, Z0, K1
	VCMPPD   $0x11, Z20, Z0, K2
	VPANDQ   Z13, Z0, Z1
	VCMPPD   $0x11, Z21, Z1, K3
	VCMPPD   $0x03, Z0, Z0, K4
	VCMPPD   $0x11, Z30, Z4, K5
	VCMPPD   $0x1e, Z31, Z4, K6
	KORW     K5, K6, K5
	KORW     K1, K2, K6
	KORW     K3, K6, K6
	KORW     K4, K6, K6
	KNOTW    K6, K6
	KANDW    K5, K6, K5
	KORTESTW K5, K5
	JNZ      done

	VADDPD  Z0, Z28, Z2 // 1 + x
	VMOVAPD Z2, K3, Z11
	VMOVAPD Z14, K1, Z11
	VPXORQ  Z2, Z2, Z2
	VMOVAPD Z2, K2, Z11
	VMOVAPD Z0, K4, Z11
	VMOVUPD Z11, (DI)

	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $8, AX
	SUBQ $8, CX
	JMP  loop

done:
	MOVQ AX, ret+24(FP)
	VZEROUPPER
	RET
