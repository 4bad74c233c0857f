//go:build !purego

#include "textflag.h"

// lanemasks holds the AVX-512 lane masks (1<<i)-1 for i = 0..8, as 16-bit
// words.
DATA ·lanemasks+0(SB)/2, $0x0000
DATA ·lanemasks+2(SB)/2, $0x0001
DATA ·lanemasks+4(SB)/2, $0x0003
DATA ·lanemasks+6(SB)/2, $0x0007
DATA ·lanemasks+8(SB)/2, $0x000f
DATA ·lanemasks+10(SB)/2, $0x001f
DATA ·lanemasks+12(SB)/2, $0x003f
DATA ·lanemasks+14(SB)/2, $0x007f
DATA ·lanemasks+16(SB)/2, $0x00ff
GLOBL ·lanemasks(SB), RODATA|NOPTR, $18

// func gemm4AVX512(k, n int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int)
//
// C[0:4, 0:n] += A(0:4, 0:k)·B[0:k, 0:n], where A(i, l) = a[i*ars + l*acs],
// B has row stride ldb and C row stride ldc. Each element of C is updated by
// one chain of fused multiply-adds over l = 0, 1, ..., k-1. k must be > 0.
TEXT ·gemm4AVX512(SB), NOSPLIT, $0-72
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

cols16:
	CMPQ DX, $16
	JLT  tail
	VMOVUPD (DI), Z0
	VMOVUPD 64(DI), Z1
	VMOVUPD (DI)(R11*1), Z2
	VMOVUPD 64(DI)(R11*1), Z3
	VMOVUPD (DI)(R11*2), Z4
	VMOVUPD 64(DI)(R11*2), Z5
	VMOVUPD (DI)(R12*1), Z6
	VMOVUPD 64(DI)(R12*1), Z7
	MOVQ    SI, AX
	MOVQ    BX, R14
	MOVQ    CX, R15

loop16:
	VMOVUPD      (R14), Z8
	VMOVUPD      64(R14), Z9
	VBROADCASTSD (AX), Z10
	VBROADCASTSD (AX)(R8*1), Z11
	VBROADCASTSD (AX)(R8*2), Z12
	VBROADCASTSD (AX)(R13*1), Z13
	VFMADD231PD  Z8, Z10, Z0
	VFMADD231PD  Z9, Z10, Z1
	VFMADD231PD  Z8, Z11, Z2
	VFMADD231PD  Z9, Z11, Z3
	VFMADD231PD  Z8, Z12, Z4
	VFMADD231PD  Z9, Z12, Z5
	VFMADD231PD  Z8, Z13, Z6
	VFMADD231PD  Z9, Z13, Z7
	ADDQ         R9, AX
	ADDQ         R10, R14
	DECQ         R15
	JNZ          loop16

	VMOVUPD Z0, (DI)
	VMOVUPD Z1, 64(DI)
	VMOVUPD Z2, (DI)(R11*1)
	VMOVUPD Z3, 64(DI)(R11*1)
	VMOVUPD Z4, (DI)(R11*2)
	VMOVUPD Z5, 64(DI)(R11*2)
	VMOVUPD Z6, (DI)(R12*1)
	VMOVUPD Z7, 64(DI)(R12*1)
	ADDQ    $128, DI
	ADDQ    $128, BX
	SUBQ    $16, DX
	JMP     cols16

tail:
	TESTQ DX, DX
	JLE   done
	MOVQ  DX, R15
	CMPQ  R15, $8
	JLE   mask
	MOVQ  $8, R15

mask:
	LEAQ  ·lanemasks(SB), AX
	KMOVW (AX)(R15*2), K1
	VMOVUPD.Z (DI), K1, Z0
	VMOVUPD.Z (DI)(R11*1), K1, Z2
	VMOVUPD.Z (DI)(R11*2), K1, Z4
	VMOVUPD.Z (DI)(R12*1), K1, Z6
	MOVQ      SI, AX
	MOVQ      BX, R14
	MOVQ      CX, R15

loop8:
	VMOVUPD.Z    (R14), K1, Z8
	VBROADCASTSD (AX), Z10
	VBROADCASTSD (AX)(R8*1), Z11
	VBROADCASTSD (AX)(R8*2), Z12
	VBROADCASTSD (AX)(R13*1), Z13
	VFMADD231PD  Z8, Z10, Z0
	VFMADD231PD  Z8, Z11, Z2
	VFMADD231PD  Z8, Z12, Z4
	VFMADD231PD  Z8, Z13, Z6
	ADDQ         R9, AX
	ADDQ         R10, R14
	DECQ         R15
	JNZ          loop8

	VMOVUPD Z0, K1, (DI)
	VMOVUPD Z2, K1, (DI)(R11*1)
	VMOVUPD Z4, K1, (DI)(R11*2)
	VMOVUPD Z6, K1, (DI)(R12*1)
	ADDQ    $64, DI
	ADDQ    $64, BX
	SUBQ    $8, DX
	JMP     tail

done:
	VZEROUPPER
	RET

// func gemm1AVX512(k, n int, a *float64, acs int, b *float64, ldb int, c *float64)
//
// C[0, 0:n] += A(0, 0:k)·B[0:k, 0:n] with A(0, l) = a[l*acs], as
// gemm4AVX512 does for one row.
TEXT ·gemm1AVX512(SB), NOSPLIT, $0-56
	MOVQ k+0(FP), CX
	MOVQ n+8(FP), DX
	MOVQ a+16(FP), SI
	MOVQ acs+24(FP), R9
	SHLQ $3, R9
	MOVQ b+32(FP), BX
	MOVQ ldb+40(FP), R10
	SHLQ $3, R10
	MOVQ c+48(FP), DI

cols32:
	CMPQ    DX, $32
	JLT     tail
	VMOVUPD (DI), Z0
	VMOVUPD 64(DI), Z1
	VMOVUPD 128(DI), Z2
	VMOVUPD 192(DI), Z3
	MOVQ    SI, AX
	MOVQ    BX, R14
	MOVQ    CX, R15

loop32:
	VBROADCASTSD (AX), Z10
	VFMADD231PD  (R14), Z10, Z0
	VFMADD231PD  64(R14), Z10, Z1
	VFMADD231PD  128(R14), Z10, Z2
	VFMADD231PD  192(R14), Z10, Z3
	ADDQ         R9, AX
	ADDQ         R10, R14
	DECQ         R15
	JNZ          loop32

	VMOVUPD Z0, (DI)
	VMOVUPD Z1, 64(DI)
	VMOVUPD Z2, 128(DI)
	VMOVUPD Z3, 192(DI)
	ADDQ    $256, DI
	ADDQ    $256, BX
	SUBQ    $32, DX
	JMP     cols32

tail:
	TESTQ DX, DX
	JLE   done
	MOVQ  DX, R15
	CMPQ  R15, $8
	JLE   mask
	MOVQ  $8, R15

mask:
	LEAQ      ·lanemasks(SB), AX
	KMOVW     (AX)(R15*2), K1
	VMOVUPD.Z (DI), K1, Z0
	MOVQ      SI, AX
	MOVQ      BX, R14
	MOVQ      CX, R15

loop8:
	VMOVUPD.Z    (R14), K1, Z8
	VBROADCASTSD (AX), Z10
	VFMADD231PD  Z8, Z10, Z0
	ADDQ         R9, AX
	ADDQ         R10, R14
	DECQ         R15
	JNZ          loop8

	VMOVUPD Z0, K1, (DI)
	ADDQ    $64, DI
	ADDQ    $64, BX
	SUBQ    $8, DX
	JMP     tail

done:
	VZEROUPPER
	RET

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET
