//go:build !purego

#include "textflag.h"

// avx2masks holds the VMASKMOVPD lane masks for the first i lanes of a YMM
// register, i = 0..3, as four quadwords each.
DATA ·avx2masks+0(SB)/8, $0
DATA ·avx2masks+8(SB)/8, $0
DATA ·avx2masks+16(SB)/8, $0
DATA ·avx2masks+24(SB)/8, $0
DATA ·avx2masks+32(SB)/8, $-1
DATA ·avx2masks+40(SB)/8, $0
DATA ·avx2masks+48(SB)/8, $0
DATA ·avx2masks+56(SB)/8, $0
DATA ·avx2masks+64(SB)/8, $-1
DATA ·avx2masks+72(SB)/8, $-1
DATA ·avx2masks+80(SB)/8, $0
DATA ·avx2masks+88(SB)/8, $0
DATA ·avx2masks+96(SB)/8, $-1
DATA ·avx2masks+104(SB)/8, $-1
DATA ·avx2masks+112(SB)/8, $-1
DATA ·avx2masks+120(SB)/8, $0
GLOBL ·avx2masks(SB), RODATA|NOPTR, $128

// func gemm4AVX2(k, n int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int)
//
// C[0:4, 0:n] += A(0:4, 0:k)·B[0:k, 0:n], where A(i, l) = a[i*ars + l*acs],
// B has row stride ldb and C row stride ldc, in tiles of 4×12, then 4×4,
// then 4×(n mod 4) with masked loads and stores. Each element of C is
// updated by one chain of fused multiply-adds over l = 0, 1, ..., k-1.
// k must be > 0.
TEXT ·gemm4AVX2(SB), NOSPLIT, $0-72
	MOVQ k+0(FP), CX
	MOVQ n+8(FP), DX
	MOVQ a+16(FP), SI
	MOVQ ars+24(FP), R8
	SHLQ $3, R8
	LEAQ (R8)(R8*2), R13
	MOVQ acs+32(FP), R9
	SHLQ $3, R9
	MOVQ b+40(FP), BX
	MOVQ ldb+48(FP), R10
	SHLQ $3, R10
	MOVQ c+56(FP), DI
	MOVQ ldc+64(FP), R11
	SHLQ $3, R11
	LEAQ (R11)(R11*2), R12

cols12:
	CMPQ    DX, $12
	JLT     cols4
	VMOVUPD (DI), Y0
	VMOVUPD 32(DI), Y1
	VMOVUPD 64(DI), Y2
	VMOVUPD (DI)(R11*1), Y3
	VMOVUPD 32(DI)(R11*1), Y4
	VMOVUPD 64(DI)(R11*1), Y5
	VMOVUPD (DI)(R11*2), Y6
	VMOVUPD 32(DI)(R11*2), Y7
	VMOVUPD 64(DI)(R11*2), Y8
	VMOVUPD (DI)(R12*1), Y9
	VMOVUPD 32(DI)(R12*1), Y10
	VMOVUPD 64(DI)(R12*1), Y11
	MOVQ    SI, AX
	MOVQ    BX, R14
	MOVQ    CX, R15

loop12:
	VMOVUPD      (R14), Y12
	VMOVUPD      32(R14), Y13
	VMOVUPD      64(R14), Y14
	VBROADCASTSD (AX), Y15
	VFMADD231PD  Y12, Y15, Y0
	VFMADD231PD  Y13, Y15, Y1
	VFMADD231PD  Y14, Y15, Y2
	VBROADCASTSD (AX)(R8*1), Y15
	VFMADD231PD  Y12, Y15, Y3
	VFMADD231PD  Y13, Y15, Y4
	VFMADD231PD  Y14, Y15, Y5
	VBROADCASTSD (AX)(R8*2), Y15
	VFMADD231PD  Y12, Y15, Y6
	VFMADD231PD  Y13, Y15, Y7
	VFMADD231PD  Y14, Y15, Y8
	VBROADCASTSD (AX)(R13*1), Y15
	VFMADD231PD  Y12, Y15, Y9
	VFMADD231PD  Y13, Y15, Y10
	VFMADD231PD  Y14, Y15, Y11
	ADDQ         R9, AX
	ADDQ         R10, R14
	DECQ         R15
	JNZ          loop12

	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, (DI)(R11*1)
	VMOVUPD Y4, 32(DI)(R11*1)
	VMOVUPD Y5, 64(DI)(R11*1)
	VMOVUPD Y6, (DI)(R11*2)
	VMOVUPD Y7, 32(DI)(R11*2)
	VMOVUPD Y8, 64(DI)(R11*2)
	VMOVUPD Y9, (DI)(R12*1)
	VMOVUPD Y10, 32(DI)(R12*1)
	VMOVUPD Y11, 64(DI)(R12*1)
	ADDQ    $96, DI
	ADDQ    $96, BX
	SUBQ    $12, DX
	JMP     cols12

cols4:
	CMPQ    DX, $4
	JLT     tail
	VMOVUPD (DI), Y0
	VMOVUPD (DI)(R11*1), Y1
	VMOVUPD (DI)(R11*2), Y2
	VMOVUPD (DI)(R12*1), Y3
	MOVQ    SI, AX
	MOVQ    BX, R14
	MOVQ    CX, R15

loop4:
	VMOVUPD      (R14), Y12
	VBROADCASTSD (AX), Y4
	VBROADCASTSD (AX)(R8*1), Y5
	VBROADCASTSD (AX)(R8*2), Y6
	VBROADCASTSD (AX)(R13*1), Y7
	VFMADD231PD  Y12, Y4, Y0
	VFMADD231PD  Y12, Y5, Y1
	VFMADD231PD  Y12, Y6, Y2
	VFMADD231PD  Y12, Y7, Y3
	ADDQ         R9, AX
	ADDQ         R10, R14
	DECQ         R15
	JNZ          loop4

	VMOVUPD Y0, (DI)
	VMOVUPD Y1, (DI)(R11*1)
	VMOVUPD Y2, (DI)(R11*2)
	VMOVUPD Y3, (DI)(R12*1)
	ADDQ    $32, DI
	ADDQ    $32, BX
	SUBQ    $4, DX
	JMP     cols4

tail:
	TESTQ      DX, DX
	JLE        done
	LEAQ       ·avx2masks(SB), AX
	SHLQ       $5, DX
	VMOVDQU    (AX)(DX*1), Y14
	VMASKMOVPD (DI), Y14, Y0
	VMASKMOVPD (DI)(R11*1), Y14, Y1
	VMASKMOVPD (DI)(R11*2), Y14, Y2
	VMASKMOVPD (DI)(R12*1), Y14, Y3
	MOVQ       SI, AX
	MOVQ       BX, R14
	MOVQ       CX, R15

looptail:
	VMASKMOVPD   (R14), Y14, Y12
	VBROADCASTSD (AX), Y4
	VBROADCASTSD (AX)(R8*1), Y5
	VBROADCASTSD (AX)(R8*2), Y6
	VBROADCASTSD (AX)(R13*1), Y7
	VFMADD231PD  Y12, Y4, Y0
	VFMADD231PD  Y12, Y5, Y1
	VFMADD231PD  Y12, Y6, Y2
	VFMADD231PD  Y12, Y7, Y3
	ADDQ         R9, AX
	ADDQ         R10, R14
	DECQ         R15
	JNZ          looptail

	VMASKMOVPD Y0, Y14, (DI)
	VMASKMOVPD Y1, Y14, (DI)(R11*1)
	VMASKMOVPD Y2, Y14, (DI)(R11*2)
	VMASKMOVPD Y3, Y14, (DI)(R12*1)

done:
	VZEROUPPER
	RET

// func gemm1AVX2(k, n int, a *float64, acs int, b *float64, ldb int, c *float64)
//
// C[0, 0:n] += A(0, 0:k)·B[0:k, 0:n] with A(0, l) = a[l*acs], as gemm4AVX2
// does for one row, in tiles of 16, then 4, then n mod 4 columns.
TEXT ·gemm1AVX2(SB), NOSPLIT, $0-56
	MOVQ k+0(FP), CX
	MOVQ n+8(FP), DX
	MOVQ a+16(FP), SI
	MOVQ acs+24(FP), R9
	SHLQ $3, R9
	MOVQ b+32(FP), BX
	MOVQ ldb+40(FP), R10
	SHLQ $3, R10
	MOVQ c+48(FP), DI

cols16:
	CMPQ    DX, $16
	JLT     cols4
	VMOVUPD (DI), Y0
	VMOVUPD 32(DI), Y1
	VMOVUPD 64(DI), Y2
	VMOVUPD 96(DI), Y3
	MOVQ    SI, AX
	MOVQ    BX, R14
	MOVQ    CX, R15

loop16:
	VBROADCASTSD (AX), Y15
	VFMADD231PD  (R14), Y15, Y0
	VFMADD231PD  32(R14), Y15, Y1
	VFMADD231PD  64(R14), Y15, Y2
	VFMADD231PD  96(R14), Y15, Y3
	ADDQ         R9, AX
	ADDQ         R10, R14
	DECQ         R15
	JNZ          loop16

	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	ADDQ    $128, DI
	ADDQ    $128, BX
	SUBQ    $16, DX
	JMP     cols16

cols4:
	CMPQ    DX, $4
	JLT     tail
	VMOVUPD (DI), Y0
	MOVQ    SI, AX
	MOVQ    BX, R14
	MOVQ    CX, R15

loop4:
	VBROADCASTSD (AX), Y15
	VFMADD231PD  (R14), Y15, Y0
	ADDQ         R9, AX
	ADDQ         R10, R14
	DECQ         R15
	JNZ          loop4

	VMOVUPD Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, BX
	SUBQ    $4, DX
	JMP     cols4

tail:
	TESTQ      DX, DX
	JLE        done
	LEAQ       ·avx2masks(SB), AX
	SHLQ       $5, DX
	VMOVDQU    (AX)(DX*1), Y14
	VMASKMOVPD (DI), Y14, Y0
	MOVQ       SI, AX
	MOVQ       BX, R14
	MOVQ       CX, R15

looptail:
	VMASKMOVPD   (R14), Y14, Y12
	VBROADCASTSD (AX), Y15
	VFMADD231PD  Y12, Y15, Y0
	ADDQ         R9, AX
	ADDQ         R10, R14
	DECQ         R15
	JNZ          looptail

	VMASKMOVPD Y0, Y14, (DI)

done:
	VZEROUPPER
	RET
