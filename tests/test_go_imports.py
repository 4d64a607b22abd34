"""The goimports-like step that makes one Go file out of a benchmark row's pieces (issue 16 section 1)."""
from sandboxes.go_imports import organize_imports

PROMPT = 'package main\n\nimport (\n    "math"\n    "strings"\n)\n\nfunc Root(x float64) float64 {\n'
SOLUTION = "    return math.Sqrt(x)\n}\n"
TEST = ('import (\n    "testing"\n    "github.com/stretchr/testify/assert"\n)\n\n'
        "func TestRoot(t *testing.T) {\n    assert := assert.New(t)\n    assert.Equal(2.0, Root(4))\n}\n")


def test_imports_are_gathered_at_the_head_and_unused_ones_dropped():
    program = PROMPT + SOLUTION + "\n" + TEST
    assert organize_imports(program) == (
        'package main\n\nimport (\n\t"math"\n\t"testing"\n\t"github.com/stretchr/testify/assert"\n)\n\n'
        "func Root(x float64) float64 {\n    return math.Sqrt(x)\n}\n\n\n\n"
        "func TestRoot(t *testing.T) {\n    assert := assert.New(t)\n    assert.Equal(2.0, Root(4))\n}\n")


def test_a_second_package_line_and_a_repeated_import_appear_once():
    program = 'package main\nimport "fmt"\nfunc A() { fmt.Println(1) }\npackage main\nimport "fmt"\nfunc B() { fmt.Println(2) }\n'
    assert organize_imports(program) == (
        'package main\n\nimport (\n\t"fmt"\n)\n\nfunc A() { fmt.Println(1) }\n\n\nfunc B() { fmt.Println(2) }\n')


def test_a_standard_package_named_but_not_imported_is_added_unless_it_is_a_variable():
    assert organize_imports("func F(s string) string { return strings.ToUpper(s) }\n") == (
        'package main\n\nimport (\n\t"strings"\n)\n\nfunc F(s string) string { return strings.ToUpper(s) }\n')
    shadowed = "func F(sort []int) int { return sort.Len() }\n"
    assert organize_imports(shadowed) == "package main\n\n" + shadowed


def test_names_inside_strings_and_comments_do_not_count():
    program = ('package p\n\nimport (\n\tm "math"\n\t_ "embed"\n\t"fmt"\n)\n\n'
               '// fmt.Println is not called\nvar s = "m.Pi import (x)"\n')
    assert organize_imports(program) == (
        'package p\n\nimport (\n\t_ "embed"\n)\n\n// fmt.Println is not called\nvar s = "m.Pi import (x)"\n')


def test_a_versioned_path_is_used_by_its_package_name():
    program = 'import (\n\t"math/rand/v2"\n\t"gopkg.in/yaml.v3"\n)\n\nvar a, b = rand.N(9), yaml.Marshal\n'
    assert organize_imports(program) == (
        'package main\n\nimport (\n\t"math/rand/v2"\n\t"gopkg.in/yaml.v3"\n)\n\nvar a, b = rand.N(9), yaml.Marshal\n')
