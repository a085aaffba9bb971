package data

import (
	"fmt"
	"testing"
)

// rowKey renders a binary row as a string of 0s and 1s.
func rowKey(v []float64) string {
	b := make([]byte, len(v))
	for i, x := range v {
		b[i] = '0' + byte(x)
	}
	return string(b)
}

// isStripe reports whether every row of the n×n image is constant; isBar, every column.
func isStripe(img []float64, n int) bool {
	for i := range n {
		for j := range n {
			if img[i*n+j] != img[i*n] {
				return false
			}
		}
	}
	return true
}

func isBar(img []float64, n int) bool {
	for i := range n {
		for j := range n {
			if img[i*n+j] != img[j] {
				return false
			}
		}
	}
	return true
}

func TestBarsAndStripes(t *testing.T) {
	for n := 1; n <= 5; n++ {
		d := BarsAndStripes(n)
		want := 1<<(n+1) - 2 // 2^n stripes + 2^n bars − the 2 images that are both
		if d.X.Rows != want || d.X.Cols != n*n {
			t.Fatalf("n=%d: %d×%d, want %d×%d", n, d.X.Rows, d.X.Cols, want, n*n)
		}
		if d.Shape != [2]int{n, n} || d.Labels != nil || d.Name != fmt.Sprintf("bas:%d", n) {
			t.Errorf("n=%d: Shape %v, Labels %v, Name %q", n, d.Shape, d.Labels, d.Name)
		}
		seen := map[string]bool{}
		stripes, bars := 0, 0
		for r := range d.X.Rows {
			img := d.X.Row(r)
			key := rowKey(img)
			if seen[key] {
				t.Errorf("n=%d: row %d %s repeated", n, r, key)
			}
			seen[key] = true
			s, b := isStripe(img, n), isBar(img, n)
			if !s && !b {
				t.Errorf("n=%d: row %d %s is neither a bar nor a stripe image", n, r, key)
			}
			if s {
				stripes++
			}
			if b {
				bars++
			}
		}
		if stripes != 1<<n || bars != 1<<n {
			t.Errorf("n=%d: %d stripe and %d bar images, want %d of each", n, stripes, bars, 1<<n)
		}
		if _, _, ok := IsBinary(d.X); !ok {
			t.Errorf("n=%d: not binary", n)
		}
	}
}

func TestBarsAndStripesDeterministic(t *testing.T) {
	a, b := BarsAndStripes(4), BarsAndStripes(4)
	for i := range a.X.Data {
		if a.X.Data[i] != b.X.Data[i] {
			t.Fatalf("two calls differ at %d", i)
		}
	}
	// The order documented: first the all-off stripe image, then row 0 on.
	if got := rowKey(a.X.Row(1)); got != "1111000000000000" {
		t.Errorf("row 1 = %s, want row 0 on", got)
	}
}

func TestShifter(t *testing.T) {
	for n := 1; n <= 6; n++ {
		d := Shifter(n)
		if d.X.Rows != 3<<n || d.X.Cols != 2*n+3 || len(d.Labels) != 3<<n {
			t.Fatalf("n=%d: %d×%d with %d labels, want %d×%d", n, d.X.Rows, d.X.Cols, len(d.Labels), 3<<n, 2*n+3)
		}
		if d.Shape != [2]int{} {
			t.Errorf("n=%d: Shape %v, want zero", n, d.Shape)
		}
		seen := map[string]bool{}
		for r := range d.X.Rows {
			v := d.X.Row(r)
			x, y, label := v[:n], v[n:2*n], v[2*n:]
			class := d.Labels[r]
			onehot := make([]float64, 3)
			onehot[class] = 1
			if rowKey(label) != rowKey(onehot) {
				t.Errorf("n=%d row %d: label units %v, Labels %d", n, r, label, class)
			}
			s := class - 1
			for i := range n {
				if y[i] != x[((i-s)%n+n)%n] {
					t.Errorf("n=%d row %d: y=%v is not x=%v shifted by %d", n, r, y, x, s)
					break
				}
			}
			key := rowKey(v)
			if seen[key] {
				t.Errorf("n=%d: row %d repeated", n, r)
			}
			seen[key] = true
		}
	}
	// Documented direction: shift +1 moves each bit one place up, cyclically.
	d := Shifter(3)
	r := 3*1 + ShiftRight // pattern p=1: x = 100
	if got := rowKey(d.X.Row(r)); got != "100"+"010"+"001" {
		t.Errorf("pattern 1 shifted right = %s, want 100 010 001", got)
	}
}

func TestToyPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"bas:0":      func() { BarsAndStripes(0) },
		"bas:13":     func() { BarsAndStripes(13) },
		"shifter:0":  func() { Shifter(0) },
		"shifter:17": func() { Shifter(17) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
