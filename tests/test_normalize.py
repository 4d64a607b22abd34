"""The duplicate check's normalisation: literals byte for byte, layout where it is syntax (issue 16 section 3)."""
import pytest

from tests.sandbox_suite import candidate
from transforms.label_rules import Side
from transforms.normalize import normalize_code
from transforms.pair_selection import distinct_sides

# language: (program, the same program with only a literal's bytes changed, the same program
# with other comments and other spacing between its tokens)
PROGRAMS = {
    "C": ('int f(void) { return puts("I "); }\n', 'int f(void) { return puts(" I"); }\n',
          'int f(void) {\n  /* say */ return puts("I ");  // done\n}\n'),
    "Cpp": ('bool f(string s) { return s == "I "; }\n', 'bool f(string s) { return s == " I"; }\n',
            'bool f(string s){\n    // check\n    return s==/* x */"I ";\n}\n'),
    "CSharp": ('class A { string F() { return ""; } }\n', 'class A { string F() { return " "; } }\n',
               'class A {\n  // f\n  string F() { return  ""; }\n}\n'),
    "Go": ('func f(x []string) string { return strings.Join(x, "") }\n',
           'func f(x []string) string { return strings.Join(x, " ") }\n',
           'func f(x []string) string {   return strings.Join(x,"") } // join\n'),
    "Java": ("class A { char f() { return ' '; } }\n", "class A { char f() { return 'x'; } }\n",
             "class A {\n    /** doc */\n    char f(){ return ' '; }\n}\n"),
    "JavaScript": ("const f = (x) => `a ${x}`;\n", "const f = (x) => `a  ${x}`;\n",
                   "const f=(x)=>/* tpl */ `a ${x}` ;\n"),
    "Python": ("def f(x):\n    return ''.join(x)\n", "def f(x):\n    return ' '.join(x)\n",
               "def f( x ):  # join\n    # the letters\n    return ''.join( x )\n"),
    "Ruby": ("def f(x)\n  x.join('')\nend\n", "def f(x)\n  x.join(' ')\nend\n",
             "def f( x ) # join\n  x.join( '' )\nend\n"),
}


@pytest.mark.parametrize("language", sorted(PROGRAMS))
def test_a_difference_inside_a_literal_is_another_program(language):
    program, literal_changed, _ = PROGRAMS[language]
    assert normalize_code(program, language) != normalize_code(literal_changed, language)


@pytest.mark.parametrize("language", sorted(PROGRAMS))
def test_comments_and_spacing_between_tokens_are_the_same_program(language):
    program, _, respaced = PROGRAMS[language]
    assert normalize_code(program, language) == normalize_code(respaced, language)


def test_python_indentation_is_kept():
    inside = "def f(xs):\n    t = 0\n    for x in xs:\n        t += x\n        print(t)\n    return t\n"
    outside = "def f(xs):\n    t = 0\n    for x in xs:\n        t += x\n    print(t)\n    return t\n"
    assert normalize_code(inside, "Python") != normalize_code(outside, "Python")


def test_normal_form_is_the_tokens_with_one_space():
    assert normalize_code('int  f( ) {return s=="a  b";} // c\n', "Cpp") == 'int f ( ) { return s == "a  b" ; }'
    assert normalize_code("def f():\n  if x:  # c\n    return 'a  b'\n", "Python") == \
        "def f ( ) :\n  if x :\n    return 'a  b'"


@pytest.mark.parametrize("language", sorted(PROGRAMS))
def test_the_duplicate_check_keeps_a_literal_fix_and_drops_a_respaced_copy(language):
    program, literal_changed, respaced = PROGRAMS[language]
    sides = [Side(candidate(language, code)) for code in (program, literal_changed, respaced)]
    kept, dropped = distinct_sides(sides)
    assert [s.candidate.code for s in kept] == [program, literal_changed]
    assert [(d.reason, d.record_id) for d in dropped] == [("duplicate_candidate", sides[2].candidate.candidate_id)]
