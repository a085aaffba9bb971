package train

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
)

// MarshalJSON writes m as one JSON object with the field names and omissions of its struct
// tags, except that a number that is NaN or ±Inf (a log-likelihood of −Inf when the model
// gives a row zero probability, a swap rate of 0/0, a metric of a diverged model) is written
// as null, which encoding/json would refuse: a run whose metrics stop being finite keeps
// training and keeps its record. The rule holds for every float field, in slices too, so
// fields added later follow it without code here. UnmarshalJSON reads null back as NaN.
func (m Metrics) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	if err := writeFinite(&buf, reflect.ValueOf(m), true); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// UnmarshalJSON reads a record written by MarshalJSON (or by older versions, which wrote
// plain numbers). A null where a number belongs — a float64 field, an element of a
// []float64, or an omitempty *float64 field, which the writer leaves out when it has no
// value — reads as NaN: the value was computed and was not finite.
func (m *Metrics) UnmarshalJSON(b []byte) error {
	type plain Metrics // the same fields without the methods
	if err := json.Unmarshal(b, (*plain)(m)); err != nil {
		return err
	}
	if !bytes.Contains(b, []byte("null")) {
		return nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	v := reflect.ValueOf(m).Elem()
	for i := 0; i < v.NumField(); i++ {
		name, omitempty, ok := jsonName(v.Type().Field(i))
		r, present := raw[name]
		if !ok || !present {
			continue
		}
		if err := nullToNaN(v.Field(i), r, omitempty); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

var floatType = reflect.TypeOf(0.0)

// nullToNaN sets f to NaN where the JSON r holds null in place of a float64.
func nullToNaN(f reflect.Value, r json.RawMessage, omitempty bool) error {
	isNull := bytes.Equal(bytes.TrimSpace(r), []byte("null"))
	switch {
	case f.Type() == floatType:
		if isNull {
			f.SetFloat(math.NaN())
		}
	case f.Kind() == reflect.Pointer && f.Type().Elem() == floatType:
		if isNull && omitempty {
			f.Set(reflect.ValueOf(ptrNaN()))
		}
	case f.Kind() == reflect.Slice && f.Type().Elem() == floatType:
		if isNull || !bytes.Contains(r, []byte("null")) {
			return nil
		}
		var elems []*float64
		if err := json.Unmarshal(r, &elems); err != nil {
			return err
		}
		for j, e := range elems {
			if e == nil {
				f.Index(j).SetFloat(math.NaN())
			}
		}
	}
	return nil
}

func ptrNaN() *float64 {
	x := math.NaN()
	return &x
}

// jsonName returns the key of a struct field as encoding/json writes it, whether the tag
// says omitempty, and false for fields encoding/json skips.
func jsonName(f reflect.StructField) (name string, omitempty, ok bool) {
	if !f.IsExported() {
		return "", false, false
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", false, false
	}
	name, opts, _ := strings.Cut(tag, ",")
	if name == "" {
		name = f.Name
	}
	for _, o := range strings.Split(opts, ",") {
		omitempty = omitempty || o == "omitempty"
	}
	return name, omitempty, true
}

var marshalerType = reflect.TypeOf((*json.Marshaler)(nil)).Elem()

// writeFinite writes v as encoding/json would, with non-finite floats as null. top is true
// for the value whose own MarshalJSON is running, which must not be called again.
func writeFinite(buf *bytes.Buffer, v reflect.Value, top bool) error {
	if !top && v.Kind() != reflect.Pointer && v.Kind() != reflect.Interface && v.Type().Implements(marshalerType) {
		return writeStd(buf, v)
	}
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			buf.WriteString("null")
			return nil
		}
		return writeStd(buf, v)
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			buf.WriteString("null")
			return nil
		}
		return writeFinite(buf, v.Elem(), false)
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && (v.IsNil() || v.Type().Elem().Kind() == reflect.Uint8) {
			return writeStd(buf, v) // null, or base64 for []byte
		}
		buf.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeFinite(buf, v.Index(i), false); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	case reflect.Map:
		if v.IsNil() || v.Type().Key().Kind() != reflect.String {
			return writeStd(buf, v)
		}
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeStd(buf, reflect.ValueOf(k.String())); err != nil {
				return err
			}
			buf.WriteByte(':')
			if err := writeFinite(buf, v.MapIndex(k), false); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	case reflect.Struct:
		return writeStruct(buf, v)
	}
	return writeStd(buf, v)
}

// writeStruct writes the exported fields of v in order, as encoding/json does (embedded
// structs are written as fields of their own, which Metrics does not use).
func writeStruct(buf *bytes.Buffer, v reflect.Value) error {
	buf.WriteByte('{')
	first := true
	for i := 0; i < v.NumField(); i++ {
		name, omitempty, ok := jsonName(v.Type().Field(i))
		if !ok || (omitempty && isEmpty(v.Field(i))) {
			continue
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		if err := writeStd(buf, reflect.ValueOf(name)); err != nil {
			return err
		}
		buf.WriteByte(':')
		if err := writeFinite(buf, v.Field(i), false); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

// isEmpty is encoding/json's omitempty test.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	case reflect.Struct:
		return false
	}
	return v.IsZero()
}

func writeStd(buf *bytes.Buffer, v reflect.Value) error {
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return err
	}
	buf.Write(b)
	return nil
}
