package report

import (
	"image/color"
	"math"
)

// Endpoints of the diverging map: negative values shade to negEnd (blue), positive to posEnd
// (red), zero is white (the ends of Moreland's cool-warm map).
var (
	negEnd = color.RGBA{59, 76, 192, 255}
	posEnd = color.RGBA{180, 4, 38, 255}
	white  = color.RGBA{255, 255, 255, 255}
)

// Diverging maps v on the symmetric scale [-max, max] to a colour: white at 0, blue
// (59, 76, 192) at -max, red (180, 4, 38) at +max, linear in each channel in between; values beyond the scale saturate.
// max <= 0 (or NaN) gives white; a NaN value gives mid grey so that it stands out.
func Diverging(v, max float64) color.RGBA {
	if math.IsNaN(v) {
		return color.RGBA{128, 128, 128, 255}
	}
	if !(max > 0) {
		return white
	}
	t := v / max
	end := posEnd
	if t < 0 {
		t, end = -t, negEnd
	}
	if t > 1 {
		t = 1
	}
	mix := func(a, b uint8) uint8 { return uint8(math.Round(float64(a) + float64(t*(float64(b)-float64(a))))) }
	return color.RGBA{mix(255, end.R), mix(255, end.G), mix(255, end.B), 255}
}

// Grey maps a probability p in [0, 1] to grey: 0 (spin down) black, 1 (spin up) white; values
// outside saturate, NaN gives mid grey.
func Grey(p float64) color.RGBA {
	if math.IsNaN(p) {
		p = 0.5
	}
	p = math.Max(0, math.Min(1, p))
	g := uint8(math.Round(255 * p))
	return color.RGBA{g, g, g, 255}
}
