package report

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
)

// field is one row of a key/value table of the page.
type field struct{ Key, Value string }

// figure is one picture of the page, inlined as a data: URI.
type figure struct {
	ID, Title, Caption string
	Src                template.URL // data:image/...;base64,…, built here, so safe to emit
	Width, Height      int          // display size in CSS pixels
	Pixelated          bool         // tiles: upscale without smoothing
	Wide               bool         // spans the whole grid row
}

// page is everything report.html shows.
type page struct {
	Title string
	Run   []field // run.json, flattened
	Model []field
	Data  []field
	Final []field // the last metrics record
	// Test is the final evaluation's sentence (test log-likelihood, method, verdict in
	// words), shown before the final metrics; TestTrusted colours it.
	Test        string
	TestTrusted bool
	Figures     []figure
	Notes       []string
}

// minDisplayWidth is the width in CSS pixels that small tile pictures are enlarged to (by a
// whole factor, so each value stays a square block): about a phone screen's width.
const minDisplayWidth = 320

// imageFigure returns a figure for an encoded image of w×h pixels with the given MIME type.
// Tile pictures narrower than minDisplayWidth are shown enlarged by a whole factor.
func imageFigure(id, title, caption, mime string, encoded []byte, w, h int, tiles bool) figure {
	f := figure{
		ID: id, Title: title, Caption: caption,
		Src:   dataURI(mime, encoded),
		Width: w, Height: h, Pixelated: tiles,
	}
	if tiles && w > 0 && w < minDisplayWidth {
		k := minDisplayWidth / w
		f.Width, f.Height = k*w, k*h
	}
	return f
}

// dataURI returns encoded as a data: URI of the given MIME type, marked safe for the
// template (it is built here from bytes, never from user input).
func dataURI(mime string, encoded []byte) template.URL {
	return template.URL("data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(encoded))
}

// flattenJSON returns the leaves of a JSON document as key/value rows in document order:
// nested object keys are joined with dots (config.lr), arrays are shown as compact JSON, and
// strings without their quotes.
func flattenJSON(doc []byte) ([]field, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var out []field
	if err := flattenValue(dec, "", &out); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("data after the top-level value")
	}
	return out, nil
}

// flattenValue reads one value from dec and appends its leaves under prefix to out.
func flattenValue(dec *json.Decoder, prefix string, out *[]field) error {
	if !dec.More() {
		return fmt.Errorf("missing value")
	}
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		sub := json.NewDecoder(bytes.NewReader(trimmed))
		sub.UseNumber()
		if _, err := sub.Token(); err != nil { // {
			return err
		}
		for sub.More() {
			tok, err := sub.Token()
			if err != nil {
				return err
			}
			key := tok.(string) // object keys are always strings
			if prefix != "" {
				key = prefix + "." + key
			}
			if err := flattenValue(sub, key, out); err != nil {
				return err
			}
		}
		return nil
	}
	var s string
	if len(trimmed) > 0 && trimmed[0] == '"' && json.Unmarshal(trimmed, &s) == nil {
		*out = append(*out, field{prefix, s})
		return nil
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, trimmed); err != nil {
		return err
	}
	*out = append(*out, field{prefix, compact.String()})
	return nil
}

// roundNumbers rewrites each value of fs that is a non-integer number with 6 significant
// digits, for the table of final metrics.
func roundNumbers(fs []field) []field {
	for i, f := range fs {
		if strings.ContainsAny(f.Value, ".eE") {
			if x, err := strconv.ParseFloat(f.Value, 64); err == nil {
				fs[i].Value = strconv.FormatFloat(x, 'g', 6, 64)
			}
		}
	}
	return fs
}

// pageTemplate is report.html. Everything is inline (CSS, images as data: URIs, a few lines
// of script), so the file works offline and can be mailed or archived alone. The layout is a
// single column on a phone and a grid of figures on a desktop. The script only records, on
// the body element each image's natural and displayed size, any error the page raised, the
// horizontal overflow and the number of figure columns (for the end-to-end test and for
// anyone debugging a report in a browser); the page does not need it.
var pageTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
:root { color-scheme: light; --fg: #1b1b1b; --muted: #5b5b5b; --rule: #d8d8d8; --bg: #fff; --note: #fff6d6; }
* { box-sizing: border-box; }
body { margin: 0 auto; padding: 1rem; max-width: 72rem; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 1.4rem; margin: 0 0 .75rem; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; border-bottom: 1px solid var(--rule); padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 0 0 .4rem; }
.tables { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(min(100%, 20rem), 1fr)); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .2rem .5rem; border-bottom: 1px solid var(--rule); vertical-align: top; }
th { font-weight: 600; white-space: nowrap; }
#test-log-likelihood { font-size: 1.05rem; margin: .25rem 0 .75rem; padding: .4rem .6rem; border-left: 4px solid; overflow-wrap: anywhere; }
#test-log-likelihood.trusted { border-color: #2e7d32; background: #eef7ee; }
#test-log-likelihood.untrusted { border-color: #b26a00; background: var(--note); }
td { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.figures { display: grid; gap: 1.25rem; grid-template-columns: repeat(auto-fit, minmax(min(100%, 22rem), 1fr)); }
figure { margin: 0; min-width: 0; }
figure.wide { grid-column: 1 / -1; }
figure img { display: block; max-width: 100%; height: auto; background: #fff; }
figure img.tiles { image-rendering: pixelated; image-rendering: crisp-edges; }
figcaption { color: var(--muted); font-size: .875rem; margin-top: .35rem; }
details { margin: .5rem 0 0; }
summary { cursor: pointer; font-weight: 600; }
.notes { background: var(--note); padding: .5rem 1rem; border-radius: .3rem; }
.notes li { overflow-wrap: anywhere; }
</style>
<script>
(function () {
  var errors = [];
  window.addEventListener("error", function (e) {
    var t = e.target;
    errors.push(t && t.tagName ? "failed to load " + t.tagName.toLowerCase() + " " + (t.id || "") : String(e.message));
  }, true);
  window.addEventListener("load", function () {
    var b = document.body, sizes = [];
    for (var i = 0; i < document.images.length; i++) {
      var im = document.images[i];
      sizes.push(im.id + ":" + im.naturalWidth + "x" + im.naturalHeight + ":" + im.width + "x" + im.height);
    }
    b.setAttribute("data-images", sizes.join(" "));
    b.setAttribute("data-errors", errors.join("; "));
    b.setAttribute("data-overflow", String(document.documentElement.scrollWidth - document.documentElement.clientWidth));
    var grid = document.querySelector(".figures");
    b.setAttribute("data-columns", grid ? String(getComputedStyle(grid).gridTemplateColumns.split(" ").length) : "0");
    b.setAttribute("data-loaded", "true");
  });
})();
</script>
</head>
<body>
<h1>{{.Title}}</h1>
{{- if .Notes}}
<ul class="notes">
{{- range .Notes}}
<li>{{.}}</li>
{{- end}}
</ul>
{{- end}}
{{- if .Run}}
<details>
<summary>Run configuration (run.json, {{len .Run}} settings)</summary>
<div class="scroll"><table>{{range .Run}}<tr><th>{{.Key}}</th><td>{{.Value}}</td></tr>{{end}}</table></div>
</details>
{{- end}}
<div class="tables">
{{- if .Model}}
<section>
<h2>Model</h2>
<div class="scroll"><table>{{range .Model}}<tr><th>{{.Key}}</th><td>{{.Value}}</td></tr>{{end}}</table></div>
</section>
{{- end}}
{{- if .Data}}
<section>
<h2>Data</h2>
<div class="scroll"><table>{{range .Data}}<tr><th>{{.Key}}</th><td>{{.Value}}</td></tr>{{end}}</table></div>
</section>
{{- end}}
{{- if .Final}}
<section>
<h2>Final metrics</h2>
{{- if .Test}}
<p id="test-log-likelihood" class="{{if .TestTrusted}}trusted{{else}}untrusted{{end}}">{{.Test}}</p>
{{- end}}
<div class="scroll"><table>{{range .Final}}<tr><th>{{.Key}}</th><td>{{.Value}}</td></tr>{{end}}</table></div>
</section>
{{- end}}
</div>
{{- if .Figures}}
<h2>Pictures</h2>
<div class="figures">
{{- range .Figures}}
<figure{{if .Wide}} class="wide"{{end}}>
<h3>{{.Title}}</h3>
<img id="{{.ID}}" src="{{.Src}}" width="{{.Width}}" height="{{.Height}}" alt="{{.Title}}"{{if .Pixelated}} class="tiles"{{end}}>
<figcaption>{{.Caption}}</figcaption>
</figure>
{{- end}}
</div>
{{- end}}
</body>
</html>
`))
