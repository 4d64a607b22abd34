// Package assert is the project's own offline stand-in for the subset of
// github.com/stretchr/testify/assert that benchmark tests use (McEval Go).
// Same semantics: a failed check reports through t.Errorf and returns false.
package assert

import (
	"bytes"
	"fmt"
	"math"
	"reflect"
	"strings"
)

// TestingT is what *testing.T offers to assertions.
type TestingT interface {
	Errorf(format string, args ...interface{})
}

type helper interface{ Helper() }

func fail(t TestingT, msg string, extra []interface{}) bool {
	if h, ok := t.(helper); ok {
		h.Helper()
	}
	if len(extra) > 0 {
		msg += ": " + messageFrom(extra)
	}
	t.Errorf("assertion failed: %s", msg)
	return false
}

func messageFrom(extra []interface{}) string {
	if format, ok := extra[0].(string); ok && len(extra) > 1 {
		return fmt.Sprintf(format, extra[1:]...)
	}
	return fmt.Sprint(extra...)
}

// ObjectsAreEqual compares like testify: bytes by content, everything else by reflect.DeepEqual.
func ObjectsAreEqual(expected, actual interface{}) bool {
	if expected == nil || actual == nil {
		return expected == actual
	}
	eb, eok := expected.([]byte)
	ab, aok := actual.([]byte)
	if eok && aok {
		return bytes.Equal(eb, ab)
	}
	return reflect.DeepEqual(expected, actual)
}

// ObjectsAreEqualValues also accepts values equal after conversion to the expected type.
func ObjectsAreEqualValues(expected, actual interface{}) bool {
	if ObjectsAreEqual(expected, actual) {
		return true
	}
	et := reflect.TypeOf(expected)
	av := reflect.ValueOf(actual)
	if et == nil || !av.IsValid() || !av.Type().ConvertibleTo(et) {
		return false
	}
	return reflect.DeepEqual(expected, av.Convert(et).Interface())
}

func isNil(object interface{}) bool {
	if object == nil {
		return true
	}
	v := reflect.ValueOf(object)
	switch v.Kind() {
	case reflect.Chan, reflect.Func, reflect.Interface, reflect.Map, reflect.Ptr, reflect.Slice, reflect.UnsafePointer:
		return v.IsNil()
	}
	return false
}

func isEmpty(object interface{}) bool {
	if object == nil {
		return true
	}
	v := reflect.ValueOf(object)
	switch v.Kind() {
	case reflect.Array, reflect.Chan, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Ptr:
		return v.IsNil() || isEmpty(v.Elem().Interface())
	}
	return reflect.DeepEqual(object, reflect.Zero(v.Type()).Interface())
}

func toFloat(x interface{}) (float64, bool) {
	v := reflect.ValueOf(x)
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(v.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return float64(v.Uint()), true
	case reflect.Float32, reflect.Float64:
		return v.Float(), true
	}
	return 0, false
}

func Equal(t TestingT, expected, actual interface{}, msg ...interface{}) bool {
	if ObjectsAreEqual(expected, actual) {
		return true
	}
	return fail(t, fmt.Sprintf("not equal: expected %#v, actual %#v", expected, actual), msg)
}

func NotEqual(t TestingT, expected, actual interface{}, msg ...interface{}) bool {
	if !ObjectsAreEqual(expected, actual) {
		return true
	}
	return fail(t, fmt.Sprintf("should not be %#v", actual), msg)
}

func EqualValues(t TestingT, expected, actual interface{}, msg ...interface{}) bool {
	if ObjectsAreEqualValues(expected, actual) {
		return true
	}
	return fail(t, fmt.Sprintf("not equal values: expected %#v, actual %#v", expected, actual), msg)
}

func InDelta(t TestingT, expected, actual interface{}, delta float64, msg ...interface{}) bool {
	e, eok := toFloat(expected)
	a, aok := toFloat(actual)
	if !eok || !aok {
		return fail(t, "InDelta needs numbers", msg)
	}
	if math.IsNaN(e) || math.IsNaN(a) || math.Abs(e-a) > delta {
		return fail(t, fmt.Sprintf("%v and %v differ by more than %v", expected, actual, delta), msg)
	}
	return true
}

func True(t TestingT, value bool, msg ...interface{}) bool {
	if value {
		return true
	}
	return fail(t, "should be true", msg)
}

func False(t TestingT, value bool, msg ...interface{}) bool {
	if !value {
		return true
	}
	return fail(t, "should be false", msg)
}

func Nil(t TestingT, object interface{}, msg ...interface{}) bool {
	if isNil(object) {
		return true
	}
	return fail(t, fmt.Sprintf("expected nil, got %#v", object), msg)
}

func NotNil(t TestingT, object interface{}, msg ...interface{}) bool {
	if !isNil(object) {
		return true
	}
	return fail(t, "expected a value, got nil", msg)
}

func Empty(t TestingT, object interface{}, msg ...interface{}) bool {
	if isEmpty(object) {
		return true
	}
	return fail(t, fmt.Sprintf("should be empty: %#v", object), msg)
}

func NotEmpty(t TestingT, object interface{}, msg ...interface{}) bool {
	if !isEmpty(object) {
		return true
	}
	return fail(t, "should not be empty", msg)
}

func Len(t TestingT, object interface{}, length int, msg ...interface{}) bool {
	v := reflect.ValueOf(object)
	switch v.Kind() {
	case reflect.Array, reflect.Chan, reflect.Map, reflect.Slice, reflect.String:
		if v.Len() == length {
			return true
		}
		return fail(t, fmt.Sprintf("should have %d items, has %d", length, v.Len()), msg)
	}
	return fail(t, fmt.Sprintf("cannot take the length of %#v", object), msg)
}

func Contains(t TestingT, container, element interface{}, msg ...interface{}) bool {
	v := reflect.ValueOf(container)
	switch v.Kind() {
	case reflect.String:
		if s, ok := element.(string); ok && strings.Contains(v.String(), s) {
			return true
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			if ObjectsAreEqual(k.Interface(), element) {
				return true
			}
		}
	case reflect.Array, reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			if ObjectsAreEqual(v.Index(i).Interface(), element) {
				return true
			}
		}
	}
	return fail(t, fmt.Sprintf("%#v does not contain %#v", container, element), msg)
}

func ElementsMatch(t TestingT, listA, listB interface{}, msg ...interface{}) bool {
	a, b := reflect.ValueOf(listA), reflect.ValueOf(listB)
	if a.Len() != b.Len() {
		return fail(t, fmt.Sprintf("lengths differ: %#v vs %#v", listA, listB), msg)
	}
	used := make([]bool, b.Len())
	for i := 0; i < a.Len(); i++ {
		found := false
		for j := 0; j < b.Len(); j++ {
			if !used[j] && ObjectsAreEqual(a.Index(i).Interface(), b.Index(j).Interface()) {
				used[j], found = true, true
				break
			}
		}
		if !found {
			return fail(t, fmt.Sprintf("elements differ: %#v vs %#v", listA, listB), msg)
		}
	}
	return true
}

func NoError(t TestingT, err error, msg ...interface{}) bool {
	if err == nil {
		return true
	}
	return fail(t, fmt.Sprintf("unexpected error: %v", err), msg)
}

func Error(t TestingT, err error, msg ...interface{}) bool {
	if err != nil {
		return true
	}
	return fail(t, "expected an error", msg)
}

func compare(t TestingT, a, b interface{}, ok func(x, y float64) bool, what string, msg []interface{}) bool {
	x, xok := toFloat(a)
	y, yok := toFloat(b)
	if xok && yok && ok(x, y) {
		return true
	}
	return fail(t, fmt.Sprintf("%v is not %s %v", a, what, b), msg)
}

func Greater(t TestingT, a, b interface{}, msg ...interface{}) bool {
	return compare(t, a, b, func(x, y float64) bool { return x > y }, "greater than", msg)
}

func GreaterOrEqual(t TestingT, a, b interface{}, msg ...interface{}) bool {
	return compare(t, a, b, func(x, y float64) bool { return x >= y }, "greater than or equal to", msg)
}

func Less(t TestingT, a, b interface{}, msg ...interface{}) bool {
	return compare(t, a, b, func(x, y float64) bool { return x < y }, "less than", msg)
}

func LessOrEqual(t TestingT, a, b interface{}, msg ...interface{}) bool {
	return compare(t, a, b, func(x, y float64) bool { return x <= y }, "less than or equal to", msg)
}

// Assertions binds the functions above to one test, as assert.New(t) does.
type Assertions struct{ t TestingT }

func New(t TestingT) *Assertions { return &Assertions{t} }

func (a *Assertions) Equal(e, x interface{}, m ...interface{}) bool { return Equal(a.t, e, x, m...) }
func (a *Assertions) NotEqual(e, x interface{}, m ...interface{}) bool {
	return NotEqual(a.t, e, x, m...)
}
func (a *Assertions) EqualValues(e, x interface{}, m ...interface{}) bool {
	return EqualValues(a.t, e, x, m...)
}
func (a *Assertions) InDelta(e, x interface{}, d float64, m ...interface{}) bool {
	return InDelta(a.t, e, x, d, m...)
}
func (a *Assertions) True(v bool, m ...interface{}) bool              { return True(a.t, v, m...) }
func (a *Assertions) False(v bool, m ...interface{}) bool             { return False(a.t, v, m...) }
func (a *Assertions) Nil(o interface{}, m ...interface{}) bool        { return Nil(a.t, o, m...) }
func (a *Assertions) NotNil(o interface{}, m ...interface{}) bool     { return NotNil(a.t, o, m...) }
func (a *Assertions) Empty(o interface{}, m ...interface{}) bool      { return Empty(a.t, o, m...) }
func (a *Assertions) NotEmpty(o interface{}, m ...interface{}) bool   { return NotEmpty(a.t, o, m...) }
func (a *Assertions) Len(o interface{}, n int, m ...interface{}) bool { return Len(a.t, o, n, m...) }
func (a *Assertions) Contains(c, e interface{}, m ...interface{}) bool {
	return Contains(a.t, c, e, m...)
}
func (a *Assertions) ElementsMatch(x, y interface{}, m ...interface{}) bool {
	return ElementsMatch(a.t, x, y, m...)
}
func (a *Assertions) NoError(err error, m ...interface{}) bool { return NoError(a.t, err, m...) }
func (a *Assertions) Error(err error, m ...interface{}) bool   { return Error(a.t, err, m...) }
func (a *Assertions) Greater(x, y interface{}, m ...interface{}) bool {
	return Greater(a.t, x, y, m...)
}
func (a *Assertions) Less(x, y interface{}, m ...interface{}) bool { return Less(a.t, x, y, m...) }
func (a *Assertions) GreaterOrEqual(x, y interface{}, m ...interface{}) bool {
	return GreaterOrEqual(a.t, x, y, m...)
}
func (a *Assertions) LessOrEqual(x, y interface{}, m ...interface{}) bool {
	return LessOrEqual(a.t, x, y, m...)
}
