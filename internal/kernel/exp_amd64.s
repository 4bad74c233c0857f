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

// The constants of expAVX2, each four times (a YMM register's worth):
// ln2Hi, ln2Lo, log2e, overflow, underflow, 2⁻²⁸, p1-p5, 0.5, 1, 2,
// -1021, 1023, all bits but the sign, +Inf and the exponent bias 1023.
DATA expc<>+0(SB)/8, $0x3fe62e42fee00000 // ln2Hi
DATA expc<>+8(SB)/8, $0x3fe62e42fee00000
DATA expc<>+16(SB)/8, $0x3fe62e42fee00000
DATA expc<>+24(SB)/8, $0x3fe62e42fee00000
DATA expc<>+32(SB)/8, $0x3dea39ef35793c76 // ln2Lo
DATA expc<>+40(SB)/8, $0x3dea39ef35793c76
DATA expc<>+48(SB)/8, $0x3dea39ef35793c76
DATA expc<>+56(SB)/8, $0x3dea39ef35793c76
DATA expc<>+64(SB)/8, $0x3ff71547652b82fe // log2e
DATA expc<>+72(SB)/8, $0x3ff71547652b82fe
DATA expc<>+80(SB)/8, $0x3ff71547652b82fe
DATA expc<>+88(SB)/8, $0x3ff71547652b82fe
DATA expc<>+96(SB)/8, $0x40862e42fefa39ef // overflow
DATA expc<>+104(SB)/8, $0x40862e42fefa39ef
DATA expc<>+112(SB)/8, $0x40862e42fefa39ef
DATA expc<>+120(SB)/8, $0x40862e42fefa39ef
DATA expc<>+128(SB)/8, $0xc0874910d52d3051 // underflow
DATA expc<>+136(SB)/8, $0xc0874910d52d3051
DATA expc<>+144(SB)/8, $0xc0874910d52d3051
DATA expc<>+152(SB)/8, $0xc0874910d52d3051
DATA expc<>+160(SB)/8, $0x3e30000000000000 // nearZero
DATA expc<>+168(SB)/8, $0x3e30000000000000
DATA expc<>+176(SB)/8, $0x3e30000000000000
DATA expc<>+184(SB)/8, $0x3e30000000000000
DATA expc<>+192(SB)/8, $0x3fc5555555555555 // p1
DATA expc<>+200(SB)/8, $0x3fc5555555555555
DATA expc<>+208(SB)/8, $0x3fc5555555555555
DATA expc<>+216(SB)/8, $0x3fc5555555555555
DATA expc<>+224(SB)/8, $0xbf66c16c16bebd93 // p2
DATA expc<>+232(SB)/8, $0xbf66c16c16bebd93
DATA expc<>+240(SB)/8, $0xbf66c16c16bebd93
DATA expc<>+248(SB)/8, $0xbf66c16c16bebd93
DATA expc<>+256(SB)/8, $0x3f11566aaf25de2c // p3
DATA expc<>+264(SB)/8, $0x3f11566aaf25de2c
DATA expc<>+272(SB)/8, $0x3f11566aaf25de2c
DATA expc<>+280(SB)/8, $0x3f11566aaf25de2c
DATA expc<>+288(SB)/8, $0xbebbbd41c5d26bf1 // p4
DATA expc<>+296(SB)/8, $0xbebbbd41c5d26bf1
DATA expc<>+304(SB)/8, $0xbebbbd41c5d26bf1
DATA expc<>+312(SB)/8, $0xbebbbd41c5d26bf1
DATA expc<>+320(SB)/8, $0x3e66376972bea4d0 // p5
DATA expc<>+328(SB)/8, $0x3e66376972bea4d0
DATA expc<>+336(SB)/8, $0x3e66376972bea4d0
DATA expc<>+344(SB)/8, $0x3e66376972bea4d0
DATA expc<>+352(SB)/8, $0x3fe0000000000000 // half
DATA expc<>+360(SB)/8, $0x3fe0000000000000
DATA expc<>+368(SB)/8, $0x3fe0000000000000
DATA expc<>+376(SB)/8, $0x3fe0000000000000
DATA expc<>+384(SB)/8, $0x3ff0000000000000 // one
DATA expc<>+392(SB)/8, $0x3ff0000000000000
DATA expc<>+400(SB)/8, $0x3ff0000000000000
DATA expc<>+408(SB)/8, $0x3ff0000000000000
DATA expc<>+416(SB)/8, $0x4000000000000000 // two
DATA expc<>+424(SB)/8, $0x4000000000000000
DATA expc<>+432(SB)/8, $0x4000000000000000
DATA expc<>+440(SB)/8, $0x4000000000000000
DATA expc<>+448(SB)/8, $0xc08fe80000000000 // kmin
DATA expc<>+456(SB)/8, $0xc08fe80000000000
DATA expc<>+464(SB)/8, $0xc08fe80000000000
DATA expc<>+472(SB)/8, $0xc08fe80000000000
DATA expc<>+480(SB)/8, $0x408ff80000000000 // kmax
DATA expc<>+488(SB)/8, $0x408ff80000000000
DATA expc<>+496(SB)/8, $0x408ff80000000000
DATA expc<>+504(SB)/8, $0x408ff80000000000
DATA expc<>+512(SB)/8, $0x7fffffffffffffff // abs
DATA expc<>+520(SB)/8, $0x7fffffffffffffff
DATA expc<>+528(SB)/8, $0x7fffffffffffffff
DATA expc<>+536(SB)/8, $0x7fffffffffffffff
DATA expc<>+544(SB)/8, $0x7ff0000000000000 // inf
DATA expc<>+552(SB)/8, $0x7ff0000000000000
DATA expc<>+560(SB)/8, $0x7ff0000000000000
DATA expc<>+568(SB)/8, $0x7ff0000000000000
DATA expc<>+576(SB)/8, $0x00000000000003ff // bias
DATA expc<>+584(SB)/8, $0x00000000000003ff
DATA expc<>+592(SB)/8, $0x00000000000003ff
DATA expc<>+600(SB)/8, $0x00000000000003ff
GLOBL expc<>(SB), RODATA|NOPTR, $608

// func expAVX2(dst, x *float64, n int) int
//
// expAVX512 for AVX2, four elements at a time, with the constants read
// from memory (AVX2 has 16 YMM registers) and the special cases blended
// with VBLENDVPD.
TEXT ·expAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX

loop2:
	CMPQ    CX, $4
	JLT     done2
	VMOVUPD (SI), Y0

	// k = int(log2e·x ± 0.5), the sign of x's; kf = float64(k).
	VMOVUPD    expc<>+512(SB), Y13
	VANDNPD    Y0, Y13, Y1
	VORPD      expc<>+352(SB), Y1, Y1
	VMULPD     expc<>+64(SB), Y0, Y2
	VADDPD     Y1, Y2, Y2
	VCVTTPD2DQY Y2, X3
	VCVTDQ2PD  X3, Y4

	// hi = x - kf·ln2Hi, lo = kf·ln2Lo, r = hi - lo, t = r·r.
	VMULPD expc<>+0(SB), Y4, Y5
	VSUBPD Y5, Y0, Y5
	VMULPD expc<>+32(SB), Y4, Y6
	VSUBPD Y6, Y5, Y7
	VMULPD Y7, Y7, Y8

	// p = t·(p1 + t·(p2 + t·(p3 + t·(p4 + t·p5)))), c = r - p.
	VMULPD expc<>+320(SB), Y8, Y9
	VADDPD expc<>+288(SB), Y9, Y9
	VMULPD Y9, Y8, Y9
	VADDPD expc<>+256(SB), Y9, Y9
	VMULPD Y9, Y8, Y9
	VADDPD expc<>+224(SB), Y9, Y9
	VMULPD Y9, Y8, Y9
	VADDPD expc<>+192(SB), Y9, Y9
	VMULPD Y9, Y8, Y9
	VSUBPD Y9, Y7, Y10

	// y = 1 - ((lo - r·c/(2-c)) - hi).
	VMULPD  Y10, Y7, Y11
	VMOVUPD expc<>+416(SB), Y12
	VSUBPD  Y10, Y12, Y12
	VDIVPD  Y12, Y11, Y11
	VSUBPD  Y11, Y6, Y11
	VSUBPD  Y5, Y11, Y11
	VMOVUPD expc<>+384(SB), Y12
	VSUBPD  Y11, Y12, Y11

	// y·2^k, with 2^k built from k + 1023 in the exponent field.
	VPMOVSXDQ X3, Y12
	VPADDQ    expc<>+576(SB), Y12, Y12
	VPSLLQ    $52, Y12, Y12
	VMULPD    Y12, Y11, Y11

	// The special cases: Y1 x > overflow, Y2 x < underflow, Y3 |x| <
	// 2⁻²⁸, Y5 NaN, Y6 any of them; Y7 the other elements whose k is
	// outside [-1021, 1023], which end the run.
	VCMPPD    $0x1e, expc<>+96(SB), Y0, Y1
	VCMPPD    $0x11, expc<>+128(SB), Y0, Y2
	VANDPD    Y13, Y0, Y3
	VCMPPD    $0x11, expc<>+160(SB), Y3, Y3
	VCMPPD    $0x03, Y0, Y0, Y5
	VORPD     Y1, Y2, Y6
	VORPD     Y3, Y6, Y6
	VORPD     Y5, Y6, Y6
	VCMPPD    $0x11, expc<>+448(SB), Y4, Y7
	VCMPPD    $0x1e, expc<>+480(SB), Y4, Y8
	VORPD     Y8, Y7, Y7
	VANDNPD   Y7, Y6, Y7
	VMOVMSKPD Y7, DX
	TESTQ     DX, DX
	JNZ       done2

	VADDPD    expc<>+384(SB), Y0, Y8 // 1 + x
	VBLENDVPD Y3, Y8, Y11, Y11
	VBLENDVPD Y1, expc<>+544(SB), Y11, Y11
	VANDNPD   Y11, Y2, Y11
	VBLENDVPD Y5, Y0, Y11, Y11
	VMOVUPD   Y11, (DI)

	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $4, AX
	SUBQ $4, CX
	JMP  loop2

done2:
	MOVQ AX, ret+24(FP)
	VZEROUPPER
	RET
