package ising

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestGeneratorNames: every generator's name parses back to it, in flags and
// in JSON; unknown names and values are refused, naming what was expected.
func TestGeneratorNames(t *testing.T) {
	for g := range numGenerators {
		p, err := ParseGenerator(g.String())
		if err != nil || p != g {
			t.Errorf("ParseGenerator(%q) = %v, %v", g.String(), p, err)
		}
		js, err := json.Marshal(struct{ G Generator }{g})
		if err != nil || string(js) != `{"G":"`+g.String()+`"}` {
			t.Errorf("json of %v: %s %v", g, js, err)
		}
		var back struct{ G Generator }
		back.G = numGenerators
		if err := json.Unmarshal(js, &back); err != nil || back.G != g {
			t.Errorf("json %s back: %v %v", js, back.G, err)
		}
	}
	if _, err := ParseGenerator("mt19937"); err == nil || !strings.Contains(err.Error(), "want xoshiro256++ or sfc64") {
		t.Errorf("mt19937: %v", err)
	}
	var g Generator
	if err := json.Unmarshal([]byte(`"SFC64 "`), &g); err == nil {
		t.Error(`"SFC64 " parsed`)
	}
	if _, err := json.Marshal(numGenerators); err == nil {
		t.Error("an unknown generator marshals")
	}
	if Xoshiro256pp != 0 || Generator(0).UnconditionalSteps() != Unconditional || SFC64.UnconditionalSteps() != UnconditionalSFC64 {
		t.Error("the zero Generator is not xoshiro256++ with its first exit test")
	}
}
