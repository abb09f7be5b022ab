package replicate

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/core/npy"
)

var updateReadme = flag.Bool("update-readme", false, "rewrite README.md's results block from docs/replicate/summary.json (after a change of how the block prints the same numbers)")

// TestReadmeBlockMatchesSummary: the results block of the repository's
// README is what `replicate -readme` writes from the committed
// docs/replicate/summary.json (every number in it comes from that file),
// with the figures that docs/replicate holds. A hand edit of the block, a
// summary committed without its block, or a change of the generator
// without a rerun fails it. A change of the generator that prints the same
// numbers differently is written into README.md with
//
//	go test ./core/replicate -run TestReadmeBlockMatchesSummary -update-readme
func TestReadmeBlockMatchesSummary(t *testing.T) {
	const root = "../.."
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(readme, []byte(ReadmeBegin))
	j := bytes.Index(readme, []byte(ReadmeEnd))
	if i < 0 || j < i {
		t.Fatalf("README.md has no %q ... %q block", ReadmeBegin, ReadmeEnd)
	}
	block := string(readme[i+len(ReadmeBegin) : j])
	js, err := os.ReadFile(filepath.Join(root, "docs", "replicate", "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(js, &raw); err != nil {
		t.Fatal(err)
	}
	var sum Summary
	if err := json.Unmarshal(js, &sum); err != nil {
		t.Fatal(err)
	}
	var figs []string
	for _, f := range readmeFigures {
		if _, err := os.Stat(filepath.Join(root, "docs", "replicate", f)); err == nil {
			figs = append(figs, f)
		}
	}
	want := "\n" + resultsMarkdown(raw, &sum, "docs/replicate", figs)
	if *updateReadme && block != want {
		err := npy.WriteFileAtomic(filepath.Join(root, "README.md"), func(w io.Writer) error {
			_, err := fmt.Fprintf(w, "%s%s%s", readme[:i+len(ReadmeBegin)], want, readme[j:])
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("README.md: results block rewritten from docs/replicate/summary.json")
		return
	}
	if block != want {
		got, exp := strings.Split(block, "\n"), strings.Split(want, "\n")
		for k := range max(len(got), len(exp)) {
			var g, e string
			if k < len(got) {
				g = got[k]
			}
			if k < len(exp) {
				e = exp[k]
			}
			if g != e {
				t.Fatalf("README.md's results block differs from what docs/replicate/summary.json gives, first at line %d of the block:\n got: %s\nwant: %s", k+1, g, e)
			}
		}
	}
}
