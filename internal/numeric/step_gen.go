//go:build ignore

// step_gen writes the amd64 kernels of MomentumStep and MomentumStep32 (step_amd64.s). Run it
// with go generate (see step_amd64.go).
//
// Each kernel is momentumStepGo over 8 (AVX-512) or 4 (AVX2) lanes: per lane the same
// float64 operations in the same order, each rounded on its own (VMULPD, VSUBPD, VADDPD; no
// fused multiply-add), so every lane gets the bits of the Go loop. The operands also take the
// order the Go compiler gives them (first source first), so that when two NaNs meet, the
// result carries the same one as in the Go loop. A function picks one of its loops at entry:
// with or without the decay term (l2 ≠ 0), and for a float32 gradient with or without the
// float32 copy of w. Each loop takes two vectors per iteration, then one, then (AVX-512) the
// last 1…7 elements under a mask; the AVX2 kernels leave fewer than 4 elements to the caller.
package main

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"strings"
)

// isa is one instruction set: its vector registers and lanes of float64.
type isa struct {
	name  string // suffix of the function names
	reg   string // vector register prefix: Z or Y
	half  string // register prefix of a half-width vector (float32 lanes): Y or X
	lanes int    // float64 lanes per vector
	mask  bool   // the last partial vector runs under an opmask (AVX-512)
}

var isas = []isa{
	{name: "AVX512", reg: "Z", half: "Y", lanes: 8, mask: true},
	{name: "AVX2", reg: "Y", half: "X", lanes: 4},
}

// Registers: per vector k of an iteration, r(5k+0) … r(5k+4) are scratch; the constants
// stay in the top six of the sixteen that both VEX and EVEX encode at every width.
const (
	regMom  = 10
	regLR   = 11
	regL2   = 12
	regExp  = 13 // 0x7ff0000000000000 in every lane: the exponent field
	regOne  = 14 // 1<<52 in every lane: one unit of the exponent field
	regBad  = 15 // OR of the nonFinite words
	perVec  = 5
	unroll  = 2
	w32Size = 4
)

// loop is one variant of the element loop.
type loop struct {
	g32   bool // the gradient is float32 (converted exactly with VCVTPS2PD)
	w32   bool // also store float32(w) (VCVTPD2PS, round to nearest)
	decay bool // v = mom·u + lr·(g − l2·x), else mom·u + lr·g
}

func (l loop) label() string {
	s := "plain"
	if l.decay {
		s = "decay"
	}
	if l.w32 {
		s += "w32"
	}
	return s
}

type gen struct {
	bytes.Buffer
	isa
}

func (g *gen) op(format string, args ...any) { fmt.Fprintf(g, "\t"+format+"\n", args...) }

func (g *gen) r(i int) string { return fmt.Sprintf("%s%d", g.reg, i) }
func (g *gen) h(i int) string { return fmt.Sprintf("%s%d", g.half, i) }

// masked returns the suffix of a masked operation: the opmask for AVX-512's last vector.
func masked(m bool) string {
	if m {
		return "K1, "
	}
	return ""
}

// vector writes the update of one vector of lanes whose first element is k vectors past the
// pointers. With m set, only the lanes in K1 are read and written: the others read as zero
// and leave the stored words and the OR alone.
func (g *gen) vector(l loop, k int, m bool) {
	off := k * g.lanes * 8
	goff := off
	if l.g32 {
		goff = k * g.lanes * 4
	}
	woff := k * g.lanes * w32Size
	u, gr, x, t, nf := g.r(perVec*k), g.r(perVec*k+1), g.r(perVec*k+2), g.r(perVec*k+3), g.r(perVec*k+4)
	z, km := "", masked(m)
	if m {
		z = ".Z"
	}
	g.op("VMOVUPD%s %d(SI), %s%s", z, off, km, u)
	g.op("VMULPD %s, %s, %s", g.r(regMom), u, u) // mom·u
	if l.g32 {
		if m {
			// A masked 512-bit load of the float32 lanes: a masked 256-bit one needs AVX512VL.
			g.op("VMOVUPS.Z %d(DX), %s%s", goff, km, g.r(perVec*k+1))
			g.op("VCVTPS2PD %s, %s", g.h(perVec*k+1), gr)
		} else {
			g.op("VCVTPS2PD %d(DX), %s", goff, gr)
		}
	} else {
		g.op("VMOVUPD%s %d(DX), %s%s", z, goff, km, gr)
	}
	if l.decay || m {
		g.op("VMOVUPD%s %d(DI), %s%s", z, off, km, x)
	}
	if l.decay {
		g.op("VMULPD %s, %s, %s", x, g.r(regL2), t) // l2·x
		g.op("VSUBPD %s, %s, %s", t, gr, gr)        // g − l2·x
	}
	g.op("VMULPD %s, %s, %s", g.r(regLR), gr, gr) // lr·(…)
	g.op("VADDPD %s, %s, %s", u, gr, gr)          // v = lr·(…) + mom·u
	g.op("VMOVUPD %s, %s%d(SI)", gr, km, off)
	if l.decay || m {
		g.op("VADDPD %s, %s, %s", x, gr, x) // x + v
	} else {
		g.op("VADDPD %d(DI), %s, %s", off, gr, x)
	}
	g.op("VMOVUPD %s, %s%d(DI)", x, km, off)
	if l.w32 {
		cvt := "VCVTPD2PS" // Go's assembler spells the Y → X form VCVTPD2PSY
		if g.reg == "Y" {
			cvt = "VCVTPD2PSY"
		}
		g.op("%s %s, %s", cvt, x, g.h(perVec*k+3))
		if m {
			g.op("VMOVUPS %s, K1, %d(R8)", g.r(perVec*k+3), woff)
		} else {
			g.op("VMOVUPS %s, %d(R8)", g.h(perVec*k+3), woff)
		}
	}
	and, add, or := "VPAND", "VPADDQ", "VPOR"
	if g.reg == "Z" {
		and, or = "VPANDQ", "VPORQ"
	}
	g.op("%s %s, %s, %s", and, g.r(regExp), x, nf)
	g.op("%s %s, %s, %s", add, g.r(regOne), nf, nf)
	g.op("%s %s, %s, %s%s", or, nf, g.r(regBad), km, g.r(regBad))
}

// advance moves the pointers on by n elements.
func (g *gen) advance(l loop, n int) {
	g.op("ADDQ $%d, DI", 8*n)
	g.op("ADDQ $%d, SI", 8*n)
	if l.g32 {
		g.op("ADDQ $%d, DX", 4*n)
	} else {
		g.op("ADDQ $%d, DX", 8*n)
	}
	if l.w32 {
		g.op("ADDQ $%d, R8", w32Size*n)
	}
}

func (g *gen) loop(l loop) {
	lbl := l.label()
	step := unroll * g.lanes
	fmt.Fprintf(g, "%s:\n", lbl)
	g.op("CMPQ CX, $%d", step)
	g.op("JB %sone", lbl)
	fmt.Fprintf(g, "%sloop:\n", lbl)
	for k := range unroll {
		g.vector(l, k, false)
	}
	g.advance(l, step)
	g.op("SUBQ $%d, CX", step)
	g.op("CMPQ CX, $%d", step)
	g.op("JAE %sloop", lbl)
	fmt.Fprintf(g, "%sone:\n", lbl)
	g.op("CMPQ CX, $%d", g.lanes)
	if !g.mask {
		g.op("JB done")
		g.vector(l, 0, false)
		g.op("JMP done")
		return
	}
	g.op("JB %stail", lbl)
	g.vector(l, 0, false)
	g.advance(l, g.lanes)
	g.op("SUBQ $%d, CX", g.lanes)
	fmt.Fprintf(g, "%stail:\n", lbl)
	g.op("TESTQ CX, CX")
	g.op("JZ done")
	g.op("MOVQ $1, AX")
	g.op("SHLQ CX, AX")
	g.op("DECQ AX")
	g.op("KMOVW AX, K1")
	g.vector(l, 0, true)
	g.op("JMP done")
}

// fn writes one function: the float32-gradient one (with its w32 pointer) when g32 is set.
func (g *gen) fn(g32 bool) {
	name, args, frame := "momentumStep64"+g.name, "w, u, grad *float64, n int, l2, lr, mom float64", 56
	if g32 {
		name, args, frame = "momentumStep32"+g.name, "w, u *float64, grad, w32 *float32, n int, l2, lr, mom float64", 64
	}
	argOff := func(i int) int { return frame - 24 + 8*i } // l2, lr, mom
	fmt.Fprintf(g, "// func %s(%s) (bad uint64)\n", name, args)
	if !g.mask {
		fmt.Fprintf(g, "// n is a multiple of %d.\n", g.lanes)
	}
	fmt.Fprintf(g, "TEXT ·%s(SB), NOSPLIT, $0-%d\n", name, frame+8)
	g.op("MOVQ w+0(FP), DI")
	g.op("MOVQ u+8(FP), SI")
	g.op("MOVQ grad+16(FP), DX")
	if g32 {
		g.op("MOVQ w32+24(FP), R8")
		g.op("MOVQ n+32(FP), CX")
	} else {
		g.op("MOVQ n+24(FP), CX")
	}
	g.op("VBROADCASTSD l2+%d(FP), %s", argOff(0), g.r(regL2))
	g.op("VBROADCASTSD lr+%d(FP), %s", argOff(1), g.r(regLR))
	g.op("VBROADCASTSD mom+%d(FP), %s", argOff(2), g.r(regMom))
	g.op("MOVQ $0x7ff0000000000000, AX")
	g.broadcastQ("AX", regExp)
	g.op("MOVQ $0x0010000000000000, AX")
	g.broadcastQ("AX", regOne)
	g.op("VPXOR %s, %s, %s", g.h(regBad), g.h(regBad), g.h(regBad)) // clears the whole register
	g.op("MOVQ l2+%d(FP), AX", argOff(0))
	g.op("SHLQ $1, AX") // drops the sign: zero exactly when l2 is ±0
	var loops []loop
	for _, decay := range []bool{false, true} {
		for _, w32 := range []bool{false, true} {
			if w32 && !g32 {
				continue
			}
			loops = append(loops, loop{g32: g32, w32: w32, decay: decay})
		}
	}
	if g32 {
		g.op("JZ noDecay")
		g.op("TESTQ R8, R8")
		g.op("JZ decay")
		g.op("JMP decayw32")
		fmt.Fprintf(g, "noDecay:\n")
		g.op("TESTQ R8, R8")
		g.op("JZ plain")
		g.op("JMP plainw32")
	} else {
		g.op("JZ plain")
		g.op("JMP decay")
	}
	for _, l := range loops {
		g.loop(l)
	}
	fmt.Fprintf(g, "done:\n")
	// OR the lanes of the accumulator together: halves, quarters, then the two words left.
	acc := regBad
	if g.reg == "Z" {
		g.op("VEXTRACTI64X4 $1, Z%d, Y0", acc)
		g.op("VPOR Y0, Y%d, Y0", acc)
		acc = 0
	}
	g.op("VEXTRACTI128 $1, Y%d, X1", acc)
	g.op("VPOR X1, X%d, X0", acc)
	g.op("VPSHUFD $0x4e, X0, X1")
	g.op("VPOR X1, X0, X0")
	g.op("VMOVQ X0, AX")
	g.op("MOVQ AX, bad+%d(FP)", frame)
	g.op("VZEROUPPER")
	g.op("RET")
	fmt.Fprintln(g)
}

// broadcastQ sets every 64-bit lane of vector register i to the general register src.
func (g *gen) broadcastQ(src string, i int) {
	if g.reg == "Z" {
		g.op("VPBROADCASTQ %s, %s", src, g.r(i))
		return
	}
	g.op("VMOVQ %s, X%d", src, i)
	g.op("VPBROADCASTQ X%d, Y%d", i, i)
}

func main() {
	var out bytes.Buffer
	out.WriteString(`// Code generated by step_gen.go; DO NOT EDIT.

//go:build amd64 && !purego

#include "textflag.h"

// The kernels of MomentumStep and MomentumStep32: momentumStepGo over 8 (AVX-512) or 4 (AVX2)
// lanes, the same float64 operations in the same order, each rounded on its own (no fused
// multiply-add). Registers: DI w, SI u, DX g, R8 w32, CX elements left; per vector k of an
// iteration, 5k+0 mom·u, 5k+1 g and then v, 5k+2 x, 5k+3 l2·x or float32(x), 5k+4 the
// nonFinite words; 10 mom, 11 lr, 12 l2, 13 exponent mask, 14 1<<52, 15 their OR.

`)
	for _, is := range isas {
		for _, g32 := range []bool{true, false} {
			g := &gen{isa: is}
			g.fn(g32)
			out.Write(g.Bytes())
		}
	}
	// Labels are local to their TEXT block in Go assembly, so the loops of every function
	// can share names.
	src := strings.TrimRight(out.String(), "\n") + "\n"
	if err := os.WriteFile("step_amd64.s", []byte(src), 0o666); err != nil {
		log.Fatal(err)
	}
}
