"""bench/juliet_devset.py: the C suite's one-token macros, expanded as a Linux build sees them; the roles of a case."""
from bench.juliet_devset import expand_macros, functions_by_role, macro_values

CASE = """#include "std_testcase.h"
#ifdef _WIN32
#define FOPEN _wfopen
#define COMMAND_INT_PATH "%WINDIR%\\\\system32\\\\cmd.exe"
#else
#define FOPEN fopen
#define COMMAND_INT_PATH "/bin/sh"
#endif
#ifndef _WIN32
#define COMMAND_ARG1 "-c"
#endif
#define COMMAND_ARG3 data
#define SINK_CALL(x) run(x)
#ifndef OMITBAD
#define ENV_VARIABLE "ADD" /* the variable read */
#endif
#define true 1
"""


def test_macro_values_takes_the_linux_branch_and_one_token_bodies():
    assert macro_values(CASE) == {"FOPEN": "fopen", "COMMAND_INT_PATH": '"/bin/sh"', "COMMAND_ARG1": '"-c"',
                                  "COMMAND_ARG3": "data", "ENV_VARIABLE": '"ADD"'}


def test_expand_macros_replaces_whole_names_through_a_chain():
    values = {"FOPEN": "fopen", "COMMAND_ARG3": "data", "ARG": "COMMAND_ARG3"}
    text = 'f = FOPEN(ARG, "r"); FOPEN_MODE = 1; g = COMMAND_ARG3;'
    assert expand_macros(text, values) == 'f = fopen(data, "r"); FOPEN_MODE = 1; g = data;'
    assert expand_macros(text, {}) == text


JAVA_CASE = """public class CWE327_Use_Broken_Crypto__basic_01 extends AbstractTestCase
{
    public void bad() throws Throwable
    {
        /* FLAW: DES */
        Cipher des = Cipher.getInstance("DES");
    }

    public void good() throws Throwable
    {
        good1();
    }

    private void good1() throws Throwable
    {
        /* FIX: AES */
        Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
    }
}
"""


def test_a_case_without_a_flow_pairs_bad_with_each_numbered_good():
    found = functions_by_role(JAVA_CASE, "Java")
    assert sorted(found) == ["bad", "good1"]  # good() only dispatches: not a role
    assert found["good1"] == ('private void good1() throws Throwable\n    {\n'
                              '        Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");\n    }')
