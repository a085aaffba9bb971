package report_test

import (
	"fmt"

	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/report"
)

// Lay out rows as a grid of image tiles, as the report's pictures are made.
func ExampleTile() {
	x := data.BarsAndStripes(4).X
	img := report.Tile(x, [2]int{4, 4}, report.TileOptions{Scale: 2})
	fmt.Println(img.Bounds().Dx(), "×", img.Bounds().Dy(), "pixels")
	// Output: 53 × 44 pixels
}
