package report

import (
	"fmt"
	"image"
	"math"

	"github.com/boltzgo/boltz/matrix"
)

// Normalization says how Tile maps a row's values to grey levels.
type Normalization int

const (
	// UnitRange maps a value x to the grey level round(255·clamp(x, 0, 1)): 0 is black, 1 is
	// white. It suits probabilities and pixel intensities, such as E[v|h] or MNIST rows, and
	// keeps the tiles of one picture comparable with each other.
	UnitRange Normalization = iota
	// SymmetricPerTile scales each tile by its own largest magnitude a = max_i |x_i| and maps x
	// to round(255·(½ + x/(2a))): −a is black, 0 is mid-grey (128), +a is white. It suits
	// weights, whose sign matters and whose scale differs from unit to unit. A tile of zeros
	// is all mid-grey.
	SymmetricPerTile
)

// TileOptions controls the layout of Tile. The zero value lays out a near-square grid with
// black 1-pixel separators and automatic upscaling.
type TileOptions struct {
	Normalize Normalization

	// Cols is the number of tiles per grid row. Zero chooses ⌈√n⌉ for n tiles (rounded up to
	// a multiple of Group), so the grid is as close to square as the tile count allows.
	Cols int

	// Group, when above 1, gathers consecutive tiles into groups of Group that sit side by
	// side in one grid row (data next to its reconstruction, say). Groups are separated by
	// GroupSeparator-pixel lines instead of 1-pixel lines. Cols must be a multiple of Group.
	Group int

	// Scale is the upscaling factor: each value becomes a Scale×Scale block of pixels. Zero
	// chooses AutoScale(shape). Separators stay 1 pixel (GroupSeparator pixels between groups)
	// whatever the scale.
	Scale int

	// Separator is the grey level of the lines between tiles and of unused grid cells and
	// padding pixels; the zero value is black. For rows of binary values a mid-grey (128)
	// keeps the lines visible against both 0 and 1.
	Separator uint8
}

// GroupSeparator is the width in pixels of the lines between groups of tiles (see
// TileOptions.Group): three times the ordinary separator, enough to see at a glance.
const GroupSeparator = 3

// minTilePixels is the size that AutoScale brings the longer side of a tile up to: 24 pixels
// make a 4×4 bars-and-stripes pattern readable without a magnifier, while a 28×28 MNIST digit
// is left at its natural size.
const minTilePixels = 24

// AutoScale returns the upscaling factor Tile uses when TileOptions.Scale is zero: the
// smallest integer s ≥ 1 with s·max(height, width) ≥ 24.
func AutoScale(shape [2]int) int {
	side := max(shape[0], shape[1], 1)
	return max(1, (minTilePixels+side-1)/side)
}

// ShapeFor returns the height×width in which Tile lays out a row of n values that has no
// image shape of its own. The rule: if n = h·w with h the largest divisor of n not above √n
// and w ≤ 2h, the shape is h×w exactly (16 → 4×4, 12 → 3×4, 8 → 2×4); otherwise it is
// ⌈n/w⌉×w with w = ⌈√n⌉, and the last row is padded with the separator level (13 → 4×4 with
// 3 padding pixels). It panics if n < 1.
func ShapeFor(n int) [2]int {
	if n < 1 {
		panic(fmt.Sprintf("boltz/report: ShapeFor(%d): need at least one value", n))
	}
	h := int(math.Sqrt(float64(n)))
	for h*h > n {
		h--
	}
	for (h+1)*(h+1) <= n {
		h++
	}
	for d := h; d >= 1; d-- {
		if n%d == 0 {
			if w := n / d; w <= 2*d {
				return [2]int{d, w}
			}
			break
		}
	}
	w := h
	if w*w < n {
		w++
	}
	return [2]int{(n + w - 1) / w, w}
}

// Tile draws each row of rows as a height×width tile (shape), row-major, and lays the tiles
// out left to right, top to bottom, in a grid of opts.Cols columns, separated by 1-pixel
// lines of the opts.Separator level. There is no outer border. Values map to grey levels by
// opts.Normalize. The image is
//
//	cols·s·width + (cols−1)·1   pixels wide   (groups: GroupSeparator instead of 1 between groups)
//	rows·s·height + (rows−1)·1  pixels high
//
// with s the scale and rows = ⌈n/cols⌉; grid cells after the last tile are filled with the
// separator level. A shape with height·width above the row length pads each tile's last
// pixels with the separator level (see ShapeFor). Cost O(pixels). Safe for concurrent use.
//
// It panics if rows is nil or has no rows or columns, if shape has a non-positive side or
// fewer than rows.Cols pixels, if opts.Cols or opts.Scale is negative, or if opts.Cols is not
// a multiple of opts.Group.
func Tile(rows *matrix.Dense, shape [2]int, opts TileOptions) *image.Gray {
	if rows == nil || rows.Rows < 1 || rows.Cols < 1 {
		panic("boltz/report: Tile: no rows to draw")
	}
	th, tw := shape[0], shape[1]
	if th < 1 || tw < 1 || th*tw < rows.Cols {
		panic(fmt.Sprintf("boltz/report: Tile: shape %d×%d cannot hold rows of %d values", th, tw, rows.Cols))
	}
	if opts.Cols < 0 || opts.Scale < 0 || opts.Group < 0 {
		panic(fmt.Sprintf("boltz/report: Tile: negative Cols %d, Scale %d or Group %d", opts.Cols, opts.Scale, opts.Group))
	}
	group := max(opts.Group, 1)
	cols := opts.Cols
	if cols == 0 {
		cols = int(math.Ceil(math.Sqrt(float64(rows.Rows))))
		cols = (cols + group - 1) / group * group
	}
	if cols%group != 0 {
		panic(fmt.Sprintf("boltz/report: Tile: Cols %d is not a multiple of Group %d", cols, group))
	}
	scale := opts.Scale
	if scale == 0 {
		scale = AutoScale(shape)
	}
	gridRows := (rows.Rows + cols - 1) / cols

	// x0[c] is the left edge of grid column c; y0[r] the top edge of grid row r.
	x0 := make([]int, cols)
	for c := 1; c < cols; c++ {
		gap := 1
		if group > 1 && c%group == 0 {
			gap = GroupSeparator
		}
		x0[c] = x0[c-1] + tw*scale + gap
	}
	width := x0[cols-1] + tw*scale
	height := gridRows*th*scale + gridRows - 1

	img := image.NewGray(image.Rect(0, 0, width, height))
	for i := range img.Pix {
		img.Pix[i] = opts.Separator
	}
	levels := make([]uint8, th*tw)
	for k := range rows.Rows {
		greyLevels(levels, rows.Row(k), opts.Normalize, opts.Separator)
		left, top := x0[k%cols], (k/cols)*(th*scale+1)
		for y := range th * scale {
			line := img.Pix[(top+y)*img.Stride+left:]
			src := levels[(y/scale)*tw:]
			for x := range tw * scale {
				line[x] = src[x/scale]
			}
		}
	}
	return img
}

// greyLevels sets dst[i] to the grey level of x[i] under norm, and the pixels of dst beyond
// len(x) to pad.
func greyLevels(dst []uint8, x []float64, norm Normalization, pad uint8) {
	switch norm {
	case UnitRange:
		for i, v := range x {
			dst[i] = level(v)
		}
	case SymmetricPerTile:
		a := 0.0
		for _, v := range x {
			a = max(a, math.Abs(v))
		}
		for i, v := range x {
			if a == 0 {
				dst[i] = level(0.5)
			} else {
				dst[i] = level(0.5 + v/(2*a))
			}
		}
	default:
		panic(fmt.Sprintf("boltz/report: unknown Normalization %d", norm))
	}
	for i := len(x); i < len(dst); i++ {
		dst[i] = pad
	}
}

// level returns round(255·clamp(v, 0, 1)); NaN maps to 0.
func level(v float64) uint8 {
	if !(v > 0) {
		return 0
	}
	if v >= 1 {
		return 255
	}
	return uint8(math.Round(255 * v))
}
