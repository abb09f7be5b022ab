package report

import (
	"bytes"
	"fmt"
	"github.com/isingrbm/isingrbm/core/npy"
	"html/template"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Report is the content of index.html.
type Report struct {
	Title    string
	Subtitle string    // one line under the title (settings, commit, ...), optional
	Created  time.Time // zero means now (UTC)
	Sections []Section
}

// Section is one part of the report: text paragraphs (separated by blank lines), figures and
// tables, in that order.
type Section struct {
	Title   string
	Text    string
	Figures []Figure
	Tables  []Table
}

// Figure is an image in the report directory with its caption (what it shows, with which
// settings). File is a slash-separated path relative to the report directory.
type Figure struct {
	File    string
	Caption string
}

// Table is a table of numbers with a caption; every row should have len(Header) cells.
type Table struct {
	Caption string
	Header  []string
	Rows    [][]string
}

const page = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; background: #fff; }
h1 { font-size: 1.7em; border-bottom: 2px solid #b40426; padding-bottom: .2em; }
h2 { font-size: 1.3em; margin-top: 2em; border-bottom: 1px solid #ccc; }
p.sub { color: #555; margin-top: -.5em; }
nav ol { columns: 2; }
figure { margin: 1.5em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; image-rendering: pixelated; }
figcaption { font-size: .92em; color: #333; margin-top: .4em; }
figcaption b { color: #000; }
div.table { overflow-x: auto; margin: 1em 0; }
table { border-collapse: collapse; font-size: .92em; }
caption { caption-side: top; text-align: left; font-size: .95em; padding-bottom: .3em; color: #333; }
th, td { border: 1px solid #bbb; padding: .25em .6em; text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f0f0f0; }
td:first-child, th:first-child { text-align: left; }
tr:nth-child(even) td { background: #fafafa; }
footer { margin-top: 3em; font-size: .85em; color: #777; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{with .Subtitle}}<p class="sub">{{.}}</p>{{end}}
{{if gt (len .Sections) 1}}<nav><ol>{{range $i, $s := .Sections}}<li><a href="#s{{$i}}">{{$s.Title}}</a></li>{{end}}</ol></nav>{{end}}
{{range $i, $s := .Sections}}
<section id="s{{$i}}">
<h2>{{$s.Title}}</h2>
{{range paragraphs $s.Text}}<p>{{.}}</p>
{{end}}
{{range $j, $f := $s.Figures}}<figure>
<img src="{{$f.File}}" alt="{{$f.Caption}}">
<figcaption><b>Figure {{inc $i}}.{{inc $j}}.</b> {{$f.Caption}}</figcaption>
</figure>
{{end}}
{{range $j, $t := $s.Tables}}<div class="table"><table>
<caption><b>Table {{inc $i}}.{{inc $j}}.</b> {{$t.Caption}}</caption>
<thead><tr>{{range $t.Header}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range $t.Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody>
</table></div>
{{end}}
</section>
{{end}}
<footer>Generated {{.Created.Format "2006-01-02 15:04:05 MST"}} by isingrbm.</footer>
</body>
</html>
`

// figureNameOK reports whether name is made of characters that a URL path
// carries as themselves: no space, %, #, ?, : or other character that
// html/template would escape or a browser would read as a URL's syntax.
func figureNameOK(name string) bool {
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("._-+,=/", r):
		default:
			return false
		}
	}
	return true
}

var pageTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"inc": func(i int) int { return i + 1 },
	"paragraphs": func(s string) []string {
		var out []string
		for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	},
}).Parse(page))

// WriteHTML writes dir/index.html for r (atomically: temporary file, then rename). All text is
// escaped by html/template. Figure files must be relative paths inside dir that exist, made of
// letters, digits and . _ - + , = / only (figureNameOK: a name is its own URL, so that no
// browser reads another file for it); tables must have rows as wide as their header.
func WriteHTML(dir string, r Report) error {
	for i, s := range r.Sections {
		for _, f := range s.Figures {
			if f.File == "" || path.IsAbs(f.File) || filepath.IsAbs(f.File) || strings.Contains(f.File, "\\") ||
				strings.HasPrefix(path.Clean(f.File), "..") || strings.Contains(f.File, "://") {
				return fmt.Errorf("WriteHTML: section %d %q: figure %q, want a relative path inside %s", i+1, s.Title, f.File, dir)
			}
			if !figureNameOK(f.File) {
				return fmt.Errorf("WriteHTML: section %d %q: figure %q, want a name of letters, digits and . _ - + , = / only (it is written into the page as a URL)", i+1, s.Title, f.File)
			}
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f.File))); err != nil {
				return fmt.Errorf("WriteHTML: section %d %q: figure %w", i+1, s.Title, err)
			}
		}
		for j, t := range s.Tables {
			for k, row := range t.Rows {
				if len(row) != len(t.Header) {
					return fmt.Errorf("WriteHTML: section %d %q, table %d: row %d has %d cells, header %d", i+1, s.Title, j+1, k+1, len(row), len(t.Header))
				}
			}
		}
	}
	if r.Created.IsZero() {
		r.Created = time.Now().UTC()
	}
	var buf bytes.Buffer
	if err := pageTmpl.Execute(&buf, r); err != nil {
		return fmt.Errorf("WriteHTML: %w", err)
	}
	return npy.WriteFileAtomic(filepath.Join(dir, "index.html"), func(f io.Writer) error {
		_, err := f.Write(buf.Bytes())
		return err
	})
}
