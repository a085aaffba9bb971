//go:build ignore

// gen_kernels writes the amd64 micro-kernels (zkernels_amd64.s) and their Go declarations
// (zkernels_amd64.go). Run it with go generate (see kernel_amd64.go).
//
// Every kernel keeps an mr×nr tile of C in vector registers, mr rows of nv vectors each, and
// for each step p of the packed panels loads the nv vectors b[p·nr : (p+1)·nr], broadcasts
// a[p·mr + r] for each row r and adds their product into the accumulators with one fused
// multiply-add per vector. Each accumulator element thus sees fma(a, b, acc) in ascending p.
// The epilogue writes alpha·acc, or fma(alpha, acc, beta·C) when load is set.
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"log"
	"os"
	"strings"
)

type spec struct {
	name   string
	double bool // float64, else float32
	zmm    bool // AVX-512 (Z registers), else AVX2 (Y registers)
	mr, nv int  // tile: mr rows of nv vectors
	unroll int  // steps of p per loop iteration
	bcst   bool // AVX-512 embedded broadcast of a from memory instead of a broadcast register
	edges  bool // also generate kernels for the bottom edge of C, with 1 … mr−1 rows
}

var specs = []spec{
	{name: "dgemm6x8AVX2", double: true, mr: 6, nv: 2, unroll: 4, edges: true},
	{name: "sgemm6x16AVX2", double: false, mr: 6, nv: 2, unroll: 4, edges: true},
	{name: "dgemm12x16AVX512", double: true, zmm: true, mr: 12, nv: 2, unroll: 4, edges: true},
	{name: "sgemm12x32AVX512", double: false, zmm: true, mr: 12, nv: 2, unroll: 4, edges: true},
}

func (s spec) size() int {
	if s.double {
		return 8
	}
	return 4
}
func (s spec) lanes() int {
	if s.zmm {
		return 64 / s.size()
	}
	return 32 / s.size()
}
func (s spec) nr() int { return s.nv * s.lanes() }
func (s spec) suffix() string {
	if s.double {
		return "PD"
	}
	return "PS"
}
func (s spec) goType() string {
	if s.double {
		return "float64"
	}
	return "float32"
}
func (s spec) reg(i int) string {
	if s.zmm {
		return fmt.Sprintf("Z%d", i)
	}
	return fmt.Sprintf("Y%d", i)
}

// Register use: B vectors first, then broadcast temporaries, accumulators at the top.
func (s spec) nregs() int {
	if s.zmm {
		return 32
	}
	return 16
}
func (s spec) bReg(v int) string { return s.reg(v) }
func (s spec) tReg(r int) string {
	n := s.nregs() - s.mr*s.nv - s.nv // free registers for broadcasts
	return s.reg(s.nv + r%n)
}
func (s spec) acc(r, v int) string { return s.reg(s.nregs() - s.mr*s.nv + r*s.nv + v) }

func (s spec) broadcast() string {
	if s.double {
		return "VBROADCASTSD"
	}
	return "VBROADCASTSS"
}

// stepAddr returns the address of step i of an unrolled group: base + i·stride, where
// stride3 holds 3·stride.
func stepAddr(base, stride, stride3 string, i int) string {
	return [...]string{"(" + base + ")", "(" + base + ")(" + stride + "*1)", "(" + base + ")(" + stride + "*2)", "(" + base + ")(" + stride3 + "*1)"}[i]
}

// step emits one p step, reading a at address ao and b at bo (Go assembler operands without
// displacement).
func (s spec) step(w *strings.Builder, ao, bo string) {
	sz, fma := s.size(), "VFMADD231"+s.suffix()
	for v := 0; v < s.nv; v++ {
		fmt.Fprintf(w, "\tVMOVUP%s %d%s, %s\n", s.suffix()[1:], v*s.lanes()*sz, bo, s.bReg(v))
	}
	for r := 0; r < s.mr; r++ {
		if s.bcst {
			for v := 0; v < s.nv; v++ {
				fmt.Fprintf(w, "\t%s.BCST %d%s, %s, %s\n", fma, r*sz, ao, s.bReg(v), s.acc(r, v))
			}
			continue
		}
		t := s.tReg(r)
		fmt.Fprintf(w, "\t%s %d%s, %s\n", s.broadcast(), r*sz, ao, t)
		for v := 0; v < s.nv; v++ {
			fmt.Fprintf(w, "\t%s %s, %s, %s\n", fma, s.bReg(v), t, s.acc(r, v))
		}
	}
}

func (s spec) text(w *strings.Builder) {
	sz, nr := s.size(), s.nr()
	shift := map[int]int{8: 3, 4: 2}[sz]
	alphaOff, betaOff, loadOff, argSize := 56, 64, 72, 73
	if !s.double {
		alphaOff, betaOff, loadOff, argSize = 56, 60, 64, 65
	}
	fmt.Fprintf(w, "\n// func %s(kc int, a *%s, sa int, b *%s, sb int, c *%s, ldc int, alpha, beta %s, load bool)\n", s.name, s.goType(), s.goType(), s.goType(), s.goType())
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-%d\n", s.name, argSize)
	w.WriteString("\tMOVQ kc+0(FP), CX\n\tMOVQ a+8(FP), SI\n\tMOVQ sa+16(FP), R12\n\tMOVQ b+24(FP), DI\n\tMOVQ sb+32(FP), R10\n\tMOVQ c+40(FP), DX\n\tMOVQ ldc+48(FP), R8\n")
	fmt.Fprintf(w, "\tSHLQ $%d, R8\n\tSHLQ $%d, R10\n\tSHLQ $%d, R12\n", shift, shift, shift)
	w.WriteString("\tLEAQ (R10)(R10*2), R11\n\tLEAQ (R12)(R12*2), R13\n")
	// Zero the accumulators.
	for r := 0; r < s.mr; r++ {
		for v := 0; v < s.nv; v++ {
			a := s.acc(r, v)
			if s.zmm {
				fmt.Fprintf(w, "\tVPXORQ %s, %s, %s\n", a, a, a)
			} else {
				fmt.Fprintf(w, "\tVXORPD %s, %s, %s\n", a, a, a)
			}
		}
	}
	// Prefetch the tile of C, to be read or written after the loop.
	w.WriteString("\tMOVQ DX, R9\n")
	for r := 0; r < s.mr; r++ {
		fmt.Fprintf(w, "\tPREFETCHT0 (R9)\n\tPREFETCHT0 %d(R9)\n", nr*sz-1)
		if r < s.mr-1 {
			w.WriteString("\tADDQ R8, R9\n")
		}
	}
	u := s.unroll
	if u != 4 {
		log.Fatalf("%s: the loop is unrolled 4 times, not %d", s.name, u)
	}
	w.WriteString("\tMOVQ CX, BX\n\tSHRQ $2, BX\n\tJZ tail\n")
	w.WriteString("loop:\n")
	for i := 0; i < u; i++ {
		s.step(w, stepAddr("SI", "R12", "R13", i), stepAddr("DI", "R10", "R11", i))
	}
	w.WriteString("\tLEAQ (SI)(R12*4), SI\n\tLEAQ (DI)(R10*4), DI\n\tDECQ BX\n\tJNZ loop\n")
	fmt.Fprintf(w, "tail:\n\tANDQ $%d, CX\n\tJZ epilogue\n", u-1)
	w.WriteString("loop1:\n")
	s.step(w, "(SI)", "(DI)")
	w.WriteString("\tADDQ R12, SI\n\tADDQ R10, DI\n\tDECQ CX\n\tJNZ loop1\n")

	// Epilogue: registers 0 (alpha), 1 (beta) and 2 (temporary) are free now.
	alpha, beta, tmp := s.reg(0), s.reg(1), s.reg(2)
	sfx := s.suffix()
	w.WriteString("epilogue:\n")
	fmt.Fprintf(w, "\t%s alpha+%d(FP), %s\n", s.broadcast(), alphaOff, alpha)
	fmt.Fprintf(w, "\tMOVBLZX load+%d(FP), AX\n\tTESTL AX, AX\n\tJNZ accumulate\n", loadOff)
	for r := 0; r < s.mr; r++ {
		for v := 0; v < s.nv; v++ {
			a := s.acc(r, v)
			fmt.Fprintf(w, "\tVMUL%s %s, %s, %s\n", sfx, alpha, a, a)
			fmt.Fprintf(w, "\tVMOVUP%s %s, %d(DX)\n", sfx[1:], a, v*s.lanes()*sz)
		}
		if r < s.mr-1 {
			w.WriteString("\tADDQ R8, DX\n")
		}
	}
	w.WriteString("\tVZEROUPPER\n\tRET\n")
	w.WriteString("accumulate:\n")
	fmt.Fprintf(w, "\t%s beta+%d(FP), %s\n", s.broadcast(), betaOff, beta)
	for r := 0; r < s.mr; r++ {
		for v := 0; v < s.nv; v++ {
			off := v * s.lanes() * sz
			fmt.Fprintf(w, "\tVMUL%s %d(DX), %s, %s\n", sfx, off, beta, tmp)
			fmt.Fprintf(w, "\tVFMADD231%s %s, %s, %s\n", sfx, s.acc(r, v), alpha, tmp)
			fmt.Fprintf(w, "\tVMOVUP%s %s, %d(DX)\n", sfx[1:], tmp, off)
		}
		if r < s.mr-1 {
			w.WriteString("\tADDQ R8, DX\n")
		}
	}
	w.WriteString("\tVZEROUPPER\n\tRET\n")
}

func (s spec) decl(w *bytes.Buffer) {
	t := s.goType()
	fmt.Fprintf(w, "\n// %s is a %d×%d micro-kernel (kernel.run's contract) for %s.\n", s.name, s.mr, s.nr(), t)
	fmt.Fprintf(w, "//\n//go:noescape\nfunc %s(kc int, a *%s, sa int, b *%s, sb int, c *%s, ldc int, alpha, beta %s, load bool)\n", s.name, t, t, t, t)
	fmt.Fprintf(w, "\n// run%s checks the slices' lengths and calls %s.\n", s.name, s.name)
	fmt.Fprintf(w, "func run%s(kc int, a []%s, sa int, b []%s, sb int, c []%s, ldc int, alpha, beta %s, load bool) {\n", s.name, t, t, t, t)
	fmt.Fprintf(w, "\t_, _, _ = a[(kc-1)*sa+%d], b[(kc-1)*sb+%d], c[%d*ldc+%d]\n", s.mr-1, s.nr()-1, s.mr-1, s.nr()-1)
	fmt.Fprintf(w, "\t%s(kc, &a[0], sa, &b[0], sb, &c[0], ldc, alpha, beta, load)\n}\n", s.name)
}

func main() {
	const header = "// Code generated by gen_kernels.go; DO NOT EDIT.\n\n//go:build amd64 && !purego\n\n"
	var asm strings.Builder
	asm.WriteString(header + "#include \"textflag.h\"\n")
	var decl bytes.Buffer
	decl.WriteString(header + "package linalg\n")
	for _, s := range specs {
		s.text(&asm)
		s.decl(&decl)
		if !s.edges {
			continue
		}
		t := s.goType()
		table := fmt.Sprintf("\n// %sRows[r] is %s for the first r rows of the tile (0 < r < %d).\n", s.name, s.name, s.mr) +
			fmt.Sprintf("var %sRows = []func(kc int, a []%s, sa int, b []%s, sb int, c []%s, ldc int, alpha, beta %s, load bool){nil", s.name, t, t, t, t)
		for r := 1; r < s.mr; r++ {
			e := s
			e.mr, e.name = r, fmt.Sprintf("%sRows%d", s.name, r)
			e.text(&asm)
			e.decl(&decl)
			table += fmt.Sprintf(", run%s", e.name)
		}
		decl.WriteString(table + "}\n")
	}
	src, err := format.Source(decl.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("zkernels_amd64.s", []byte(asm.String()), 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("zkernels_amd64.go", src, 0o644); err != nil {
		log.Fatal(err)
	}
}
