package report

import (
	"image"
	"slices"
	"strings"
	"testing"

	"github.com/boltzgo/boltz/matrix"
)

// dense returns a rows×cols matrix holding vals row by row.
func dense(rows, cols int, vals ...float64) *matrix.Dense {
	if len(vals) != rows*cols {
		panic("dense: wrong number of values")
	}
	return &matrix.Dense{Rows: rows, Cols: cols, Data: vals}
}

// checkPixels compares img with the expected grey levels, given row by row.
func checkPixels(t *testing.T, img *image.Gray, want [][]uint8) {
	t.Helper()
	b := img.Bounds()
	if b.Min != (image.Point{}) || b.Dy() != len(want) || b.Dx() != len(want[0]) {
		t.Fatalf("image is %v, want %d×%d", b, len(want[0]), len(want))
	}
	for y, row := range want {
		got := img.Pix[y*img.Stride : y*img.Stride+b.Dx()]
		if !slices.Equal(got, row) {
			t.Errorf("pixel row %d = %v, want %v", y, got, row)
		}
	}
}

// Grey levels are round(255·v): 0.5 → round(127.5) = 128 and 0.25 → round(63.75) = 64.
func TestTileUnitRangeGolden(t *testing.T) {
	rows := dense(2, 4,
		0, 1, 0.5, 0.25,
		1, 0, -0.5, 2, // clamped to [0, 1]
	)
	img := Tile(rows, [2]int{2, 2}, TileOptions{Scale: 1, Separator: 7})
	checkPixels(t, img, [][]uint8{
		{0, 255, 7, 255, 0},
		{128, 64, 7, 0, 255},
	})
}

// Symmetric per-tile scaling: x ↦ round(255·(½ + x/(2·max|x|))), each tile on its own scale.
func TestTileSymmetricPerTileGolden(t *testing.T) {
	rows := dense(3, 4,
		-2, 0, 1, 2, // a = 2: 0, 127.5, 191.25, 255
		0.1, -0.1, 0, 0.05, // a = 0.1: 255, 0, 127.5, 191.25
		0, 0, 0, 0, // a = 0: all mid-grey
	)
	img := Tile(rows, [2]int{2, 2}, TileOptions{Normalize: SymmetricPerTile, Scale: 1, Cols: 3})
	checkPixels(t, img, [][]uint8{
		{0, 128, 0, 255, 0, 0, 128, 128},
		{191, 255, 0, 128, 191, 0, 128, 128},
	})
}

// Three 1×2 tiles at scale 2 in two columns: each value is a 2×2 block, separators stay one
// pixel, and the unused fourth cell is separator-coloured.
func TestTileScaleAndUnusedCells(t *testing.T) {
	rows := dense(3, 2,
		0, 1,
		1, 0,
		0.2, 0.6, // 51, 153
	)
	img := Tile(rows, [2]int{1, 2}, TileOptions{Scale: 2, Cols: 2, Separator: 9})
	checkPixels(t, img, [][]uint8{
		{0, 0, 255, 255, 9, 255, 255, 0, 0},
		{0, 0, 255, 255, 9, 255, 255, 0, 0},
		{9, 9, 9, 9, 9, 9, 9, 9, 9},
		{51, 51, 153, 153, 9, 9, 9, 9, 9},
		{51, 51, 153, 153, 9, 9, 9, 9, 9},
	})
}

// Groups of two 1×1 tiles: one-pixel lines inside a group, GroupSeparator pixels between.
func TestTileGroups(t *testing.T) {
	rows := dense(4, 1, 0, 1, 1, 0)
	img := Tile(rows, [2]int{1, 1}, TileOptions{Scale: 1, Cols: 4, Group: 2, Separator: 5})
	checkPixels(t, img, [][]uint8{{0, 5, 255, 5, 5, 5, 255, 5, 0}})

	// Automatic columns are rounded up to a whole number of groups: 6 tiles → ⌈√6⌉ = 3 → 4.
	img = Tile(dense(6, 1, 0, 0, 0, 0, 0, 0), [2]int{1, 1}, TileOptions{Scale: 1, Group: 2, Separator: 5})
	if got, want := img.Bounds().Dx(), 4+1+GroupSeparator+1; got != want {
		t.Errorf("width = %d, want %d (4 columns)", got, want)
	}
}

// A shape larger than the row pads the tile's last pixels with the separator level.
func TestTilePadsShortRows(t *testing.T) {
	rows := dense(1, 3, 1, 0, 1)
	img := Tile(rows, ShapeFor(3), TileOptions{Scale: 1, Separator: 77})
	checkPixels(t, img, [][]uint8{
		{255, 0},
		{255, 77},
	})
}

func TestTileAutoScale(t *testing.T) {
	for _, tc := range []struct {
		shape [2]int
		want  int
	}{
		{[2]int{4, 4}, 6}, {[2]int{28, 28}, 1}, {[2]int{1, 1}, 24}, {[2]int{1, 784}, 1}, {[2]int{5, 3}, 5},
	} {
		if got := AutoScale(tc.shape); got != tc.want {
			t.Errorf("AutoScale(%v) = %d, want %d", tc.shape, got, tc.want)
		}
	}
	img := Tile(matrix.NewDense(1, 16), [2]int{4, 4}, TileOptions{})
	if got := img.Bounds().Size(); got != (image.Point{24, 24}) {
		t.Errorf("one 4×4 tile at automatic scale is %v, want 24×24", got)
	}
}

func TestShapeFor(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want [2]int
	}{
		{1, [2]int{1, 1}}, {2, [2]int{1, 2}}, {3, [2]int{2, 2}}, {4, [2]int{2, 2}}, {7, [2]int{3, 3}},
		{8, [2]int{2, 4}}, {12, [2]int{3, 4}}, {13, [2]int{4, 4}}, {16, [2]int{4, 4}}, {18, [2]int{3, 6}},
		{20, [2]int{4, 5}}, {23, [2]int{5, 5}}, {784, [2]int{28, 28}}, {1000, [2]int{25, 40}},
	} {
		got := ShapeFor(tc.n)
		if got != tc.want {
			t.Errorf("ShapeFor(%d) = %v, want %v", tc.n, got, tc.want)
		}
		if got[0]*got[1] < tc.n {
			t.Errorf("ShapeFor(%d) = %v holds fewer than %d values", tc.n, got, tc.n)
		}
	}
}

func TestTilePanics(t *testing.T) {
	for name, f := range map[string]func(){
		"nil rows":        func() { Tile(nil, [2]int{1, 1}, TileOptions{}) },
		"shape too small": func() { Tile(matrix.NewDense(1, 5), [2]int{2, 2}, TileOptions{}) },
		"zero side":       func() { Tile(matrix.NewDense(1, 1), [2]int{0, 1}, TileOptions{}) },
		"cols not group":  func() { Tile(matrix.NewDense(4, 1), [2]int{1, 1}, TileOptions{Cols: 3, Group: 2}) },
		"negative scale":  func() { Tile(matrix.NewDense(1, 1), [2]int{1, 1}, TileOptions{Scale: -1}) },
		"ShapeFor(0)":     func() { ShapeFor(0) },
	} {
		func() {
			defer func() {
				r := recover()
				if r == nil {
					t.Errorf("%s: no panic", name)
				} else if s, ok := r.(string); !ok || !strings.HasPrefix(s, "boltz/report: ") {
					t.Errorf("%s: panic %v, want a boltz/report: message", name, r)
				}
			}()
			f()
		}()
	}
}
