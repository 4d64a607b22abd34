"""bench/juliet_sanitizer.py: a Juliet pair built into two programs, run under ASan + UBSan in the real
process sandbox, labelled by the Security_Hardness rule with and without the sanitizer heard."""

from bench.juliet_sanitizer import case_directives, check, program, support_code

HEADER = '#ifndef STD_TESTCASE_H\n#define STD_TESTCASE_H\n#include <stdio.h>\n#include "std_testcase_io.h"\n#endif\n'
IO_HEADER = "void printIntLine(int intNumber);\n"
IO = '#include "std_testcase.h"\nvoid printIntLine(int intNumber) { printf("%d\\n", intNumber); }\n'
BAD = "void case_bad()\n{\n    int *data = NULL;\n    printIntLine(*data);\n}"
GOOD = "void case_bad()\n{\n    int value = 5;\n    int *data = &value;\n    printIntLine(*data);\n}"
ROW = {"func_name": "CWE476_case_01.c:goodG2B", "func_src_before": BAD, "func_src_after": GOOD,
       "vul_type": "cwe-476", "file_name": "CWE476_case_01.c", "language": "C"}


def _suite(tmp_path, git_commit):
    support = tmp_path / "testcasesupport"
    support.mkdir()
    (support / "std_testcase.h").write_text(HEADER)
    (support / "std_testcase_io.h").write_text(IO_HEADER)
    (support / "io.c").write_text(IO)
    git_commit(tmp_path)
    return str(tmp_path)


def test_support_code_inlines_each_quoted_header_once(tmp_path, git_commit):
    code = support_code(_suite(tmp_path, git_commit))
    assert code.count("void printIntLine(int intNumber);") == 1 and '#include "' not in code
    assert code.index("void printIntLine(int intNumber);") < code.index("void printIntLine(int intNumber) {")


def test_program_calls_the_function_with_the_stdin_its_weakness_needs():
    built = program({**ROW, "vul_type": "cwe-190"}, "after", 7, "/* support */")
    assert built.code.startswith("/* support */\n\n" + GOOD) and built.code.endswith("    case_bad();\n    return 0;\n}\n")
    assert [c.stdin for c in built.tests.cases] == ["2147483647\n"] and built.language == "C"


def test_a_null_dereference_is_labelled_by_the_sanitizer_only(tmp_path, git_commit):
    lines, details = check([(0, ROW)], _suite(tmp_path, git_commit))
    assert details[0]["sanitizer_bad"] == ["asan/SEGV", "ubsan/load-of-null-pointer"]
    assert details[0]["sanitizer_good"] == [] and details[0]["errors"] == []
    assert (details[0]["winner (semgrep)"], details[0]["winner (semgrep + sanitizer)"]) == (None, "b")
    assert "| **all** | 1 | 1 (100.0%) | 0 (0.0%) | 1 (100.0%) | 0 (0.0%) |" in lines


def test_case_directives_keep_the_case_files_includes_and_macros():
    case = ('#include "std_testcase.h"\n#ifdef _WIN32\n#include <winsock2.h>\n#else\n#include <sys/socket.h>\n'
            '#define CLOSE_SOCKET close\n#endif\n#define CHAR_ARRAY_SIZE (3 * sizeof(data) \\\n    + 2)\n'
            'void bad()\n{\n    int data = 0;\n}\n')
    assert case_directives(case) == ('#ifdef _WIN32\n#include <winsock2.h>\n#else\n#include <sys/socket.h>\n'
                                     '#define CLOSE_SOCKET close\n#endif\n#define CHAR_ARRAY_SIZE (3 * sizeof(data) \\\n    + 2)')
