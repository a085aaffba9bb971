package report

import (
	"encoding/json"
	"testing"
)

// FuzzReadRun checks that no run.json makes the report's reader panic: the table of
// settings (flattenJSON) and the fields the report uses (runInfo). Whatever flattenJSON
// accepts must be valid JSON, and a document that is not an object is one row.
func FuzzReadRun(f *testing.F) {
	f.Add([]byte(`{"version":"dev","data":"bas:3","seed":1,"nv":9,"nh":4,"image_shape":[3,3],"config":{"hidden":4,"method":"pcd","lr":0.05}}`))
	f.Add([]byte(`{"a":{"b":{"c":[1,{"d":2}]}},"e":"x\u00e9"}`))
	f.Add([]byte(`{"image_shape":[0,-1]}`))
	f.Add([]byte(`[1,2]`))
	f.Add([]byte(`{"a":1}{"b":2}`))
	f.Add([]byte(`{"a":`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		fields, err := flattenJSON(raw)
		var info runInfo
		uerr := json.Unmarshal(raw, &info)
		if err != nil {
			return
		}
		if !json.Valid(raw) {
			t.Fatalf("flattenJSON accepted invalid JSON %q", raw)
		}
		var top any
		if json.Unmarshal(raw, &top) == nil {
			if _, isObject := top.(map[string]any); !isObject && len(fields) != 1 {
				t.Fatalf("a non-object document gave %d rows, want 1", len(fields))
			}
		}
		_ = uerr // valid JSON of the wrong types is noted by readRun, not an error here
	})
}
