//go:build amd64 && !purego

#include "textflag.h"

// func cpuHasAESNI() bool
TEXT ·cpuHasAESNI(SB), NOSPLIT, $0-1
	MOVL $1, AX
	XORL CX, CX
	CPUID
	SHRL $25, CX
	ANDL $1, CX
	MOVB CX, ret+0(FP)
	RET

// EXPAND_EVEN makes the next even round key in X0 from X0 (the one two
// rounds back) and X2 = AESKEYGENASSIST(previous odd key, rcon): word 3 of X2
// is RotWord(SubWord(w[i-1]))^rcon, and X0's words become the running XOR
// w[i-8], w[i-8]^w[i-7], ... with it. X3 is scratch.
#define EXPAND_EVEN \
	PSHUFD $0xff, X2, X2 \
	MOVO   X0, X3        \
	PSLLO  $4, X3        \
	PXOR   X3, X0        \
	PSLLO  $4, X3        \
	PXOR   X3, X0        \
	PSLLO  $4, X3        \
	PXOR   X3, X0        \
	PXOR   X2, X0

// EXPAND_ODD is the same for the odd round key in X1, where AES-256 applies
// SubWord alone: word 2 of AESKEYGENASSIST(new even key, 0).
#define EXPAND_ODD \
	PSHUFD $0xaa, X2, X2 \
	MOVO   X1, X3        \
	PSLLO  $4, X3        \
	PXOR   X3, X1        \
	PSLLO  $4, X3        \
	PXOR   X3, X1        \
	PSLLO  $4, X3        \
	PXOR   X3, X1        \
	PXOR   X2, X1

#define ROUND_PAIR(rcon, off) \
	AESKEYGENASSIST $rcon, X1, X2 \
	EXPAND_EVEN                   \
	MOVUPS X0, off(AX)            \
	AESKEYGENASSIST $0x00, X0, X2 \
	EXPAND_ODD                    \
	MOVUPS X1, (off+16)(AX)

// func aesniCrypt(key *[32]byte, rk *[240]byte, b *byte, n int, dec bool)
TEXT ·aesniCrypt(SB), NOSPLIT, $0-33
	MOVQ key+0(FP), SI
	MOVQ rk+8(FP), AX
	MOVQ b+16(FP), BX
	MOVQ n+24(FP), CX
	MOVB dec+32(FP), DX

	// Expand the key into the 15 round keys at rk.
	MOVUPS 0(SI), X0
	MOVUPS 16(SI), X1
	MOVUPS X0, 0(AX)
	MOVUPS X1, 16(AX)
	ROUND_PAIR(0x01, 32)
	ROUND_PAIR(0x02, 64)
	ROUND_PAIR(0x04, 96)
	ROUND_PAIR(0x08, 128)
	ROUND_PAIR(0x10, 160)
	ROUND_PAIR(0x20, 192)
	AESKEYGENASSIST $0x40, X1, X2
	EXPAND_EVEN
	MOVUPS X0, 224(AX)
	PXOR X0, X0
	PXOR X1, X1
	PXOR X2, X2
	PXOR X3, X3

	TESTQ CX, CX
	JZ done
	TESTB DL, DL
	JNZ decrypt

encrypt:
	MOVUPS 0(BX), X0
	MOVUPS 0(AX), X1
	PXOR X1, X0
	MOVUPS 16(AX), X1
	AESENC X1, X0
	MOVUPS 32(AX), X1
	AESENC X1, X0
	MOVUPS 48(AX), X1
	AESENC X1, X0
	MOVUPS 64(AX), X1
	AESENC X1, X0
	MOVUPS 80(AX), X1
	AESENC X1, X0
	MOVUPS 96(AX), X1
	AESENC X1, X0
	MOVUPS 112(AX), X1
	AESENC X1, X0
	MOVUPS 128(AX), X1
	AESENC X1, X0
	MOVUPS 144(AX), X1
	AESENC X1, X0
	MOVUPS 160(AX), X1
	AESENC X1, X0
	MOVUPS 176(AX), X1
	AESENC X1, X0
	MOVUPS 192(AX), X1
	AESENC X1, X0
	MOVUPS 208(AX), X1
	AESENC X1, X0
	MOVUPS 224(AX), X1
	AESENCLAST X1, X0
	MOVUPS X0, 0(BX)
	ADDQ $16, BX
	DECQ CX
	JNZ encrypt
	PXOR X1, X1
	RET

decrypt:
	// The inverse cipher's middle round keys, InvMixColumns of rounds 13..1,
	// are the same for every block: derive them once into X2..X14.
	MOVUPS 208(AX), X2
	AESIMC X2, X2
	MOVUPS 192(AX), X3
	AESIMC X3, X3
	MOVUPS 176(AX), X4
	AESIMC X4, X4
	MOVUPS 160(AX), X5
	AESIMC X5, X5
	MOVUPS 144(AX), X6
	AESIMC X6, X6
	MOVUPS 128(AX), X7
	AESIMC X7, X7
	MOVUPS 112(AX), X8
	AESIMC X8, X8
	MOVUPS 96(AX), X9
	AESIMC X9, X9
	MOVUPS 80(AX), X10
	AESIMC X10, X10
	MOVUPS 64(AX), X11
	AESIMC X11, X11
	MOVUPS 48(AX), X12
	AESIMC X12, X12
	MOVUPS 32(AX), X13
	AESIMC X13, X13
	MOVUPS 16(AX), X14
	AESIMC X14, X14

decloop:
	MOVUPS 0(BX), X0
	MOVUPS 224(AX), X1
	PXOR X1, X0
	AESDEC X2, X0
	AESDEC X3, X0
	AESDEC X4, X0
	AESDEC X5, X0
	AESDEC X6, X0
	AESDEC X7, X0
	AESDEC X8, X0
	AESDEC X9, X0
	AESDEC X10, X0
	AESDEC X11, X0
	AESDEC X12, X0
	AESDEC X13, X0
	AESDEC X14, X0
	MOVUPS 0(AX), X1
	AESDECLAST X1, X0
	MOVUPS X0, 0(BX)
	ADDQ $16, BX
	DECQ CX
	JNZ decloop

	// Round keys are key material: leave none in registers.
	PXOR X1, X1
	PXOR X2, X2
	PXOR X3, X3
	PXOR X4, X4
	PXOR X5, X5
	PXOR X6, X6
	PXOR X7, X7
	PXOR X8, X8
	PXOR X9, X9
	PXOR X10, X10
	PXOR X11, X11
	PXOR X12, X12
	PXOR X13, X13
	PXOR X14, X14

done:
	RET
