"""C and C++ text rewritten so semgrep can parse it, with every line kept in place."""
from transforms.c_macros import scannable_c


def test_a_format_macro_between_string_literals_becomes_an_empty_string():
    code = 'printf("id %" PRIu32 " of %"PRIu64"\\n", id, n);\n'
    assert scannable_c(code) == 'printf("id %" ""     " of %"""    "\\n", id, n);\n'


def test_encoding_prefixes_and_keywords_next_to_strings_are_kept():
    code = 'w = L"wide"; r = u8"x"; if (k) return "a"; else "b"; case 1: s = sizeof "abc";\n'
    assert scannable_c(code, "Cpp") == code


def test_annotation_macros_become_spaces():
    assert scannable_c("long f(void __user *arg TSRMLS_DC)\n") == "long f(void        *arg          )\n"


def test_in_c_new_is_an_ordinary_name_but_in_cpp_it_is_kept():
    assert scannable_c("new = alloc(); new->next = 0;\n") == "new_ = alloc(); new_->next = 0;\n"
    assert scannable_c("p = new T();\n", "Cpp") == "p = new T();\n"


def test_strings_and_comments_are_not_rewritten():
    code = '/* __user PRIu32 "x" new */ s = "__user \\" PRIu32";\n'
    assert scannable_c(code) == code


def test_a_conditional_of_whole_statements_keeps_every_branch_without_directives():
    code = "int f(void) {\n#ifdef LINUX\n  x = 1;\n#elif defined(W)\n  x = 2;\n#else\n  x = 3;\n#endif\n}\n"
    assert scannable_c(code) == "int f(void) {\n\n  x = 1;\n\n  x = 2;\n\n  x = 3;\n\n}\n"


def test_a_conditional_splitting_a_statement_keeps_its_first_branch():
    code = "int f(int a,\n#ifdef X\n  int b, int c\n#else\n  int b\n#endif\n) {\n  if (a) {\n#ifdef Q\n    q(); }\n#else\n    r(); }\n#endif\n}\n"
    assert scannable_c(code) == "int f(int a,\n\n  int b, int c\n\n\n\n) {\n  if (a) {\n\n    q(); }\n\n\n\n}\n"


def test_if_0_keeps_its_else_and_defines_lose_their_continuations():
    code = "#define TWICE(x) \\\n  ((x) * 2)\n#if 0\n  old();\n#else\n  current();\n#endif\n"
    assert scannable_c(code) == "\n\n\n\n\n  current();\n\n"


def test_the_tail_of_a_comment_cut_off_at_the_start_becomes_spaces():
    assert scannable_c(" * end of a doc comment */\nint x;\n") == " " * 26 + "\nint x;\n"
    assert scannable_c("int x; /* c */\n") == "int x; /* c */\n"


def test_a_type_passed_to_a_macro_becomes_one_identifier():
    code = ("x = container_of(w, struct io_data, work); n = min_t(unsigned int, a, b);\n"
            "s = va_arg(ap, char *); Newx(q, n, SV*); c = CAST(const hdr_t *, p);\n")
    assert scannable_c(code) == ("x = container_of(w, Struct_io_data, work); n = min_t(Unsigned_int, a, b);\n"
                                 "s = va_arg(ap, Char__); Newx(q, n, SV_); c = CAST(Const_hdr_t__, p);\n")


def test_casts_sizeof_expressions_and_parameter_lists_are_not_type_arguments():
    code = ("int f(void); int g(unsigned int a, struct s *b); y = h(a, b * c); z = (char *)p; k = sizeof(struct s);\n"
            "switch (k) { case (long long)98759853034: return (int)7; }\nif (m >= n or n == 0) {}\n")
    assert scannable_c(code, "Cpp") == code


def test_a_comment_opened_on_a_directive_line_goes_with_the_directive():
    code = "  else\n#endif /* A ||\n   B */\n{\n#endif /* C || \\\n   D */\n  x = 1;\n#endif // a /* b\nint y;\n"
    assert scannable_c(code) == "  else\n\n\n{\n\n\n  x = 1;\n\nint y;\n"


def test_a_word_before_a_type_keyword_or_between_type_and_name_is_a_macro():
    code = ("local void f(CONST char *p)\n{\n  uint32_t av_unused tag;\n  size_t const n = 1;\n}\n"
            "STATIC INLINE int g(void);\ntypedef unsigned long u64; static struct s *t; return a;\n"
            "MagickExport MagickBooleanType Set(Image *image, zend_bool persistent ZEND_FILE_LINE_DC)\n")
    assert scannable_c(code) == ("      void f(      char *p)\n{\n  uint32_t           tag;\n  size_t const n = 1;\n}\n"
                                 "              int g(void);\ntypedef unsigned long u64; static struct s *t; return a;\n"
                                 "             MagickBooleanType Set(Image *image, zend_bool persistent                  )\n")


def test_a_macro_naming_a_type_in_a_declaration_or_cast_becomes_one_identifier():
    code = ("Sdb *g(ELFOBJ *bin, Elf_(Shdr) *shdr) {\n  Elf_(Verdef) *v = (Elf_(Verdef)*)p;\n"
            "  STACK_OF(X509) *chain = NULL;\n  x = f(a) * b;\n  y = (h(a));\n  z = k(m(a) * b, c);\n"
            "  STACK_OF(\n    X509) *split;\n}\n")
    assert scannable_c(code) == ("Sdb *g(ELFOBJ *bin, Elf__Shdr_ *shdr) {\n  Elf__Verdef_ *v = (Elf__Verdef_*)p;\n"
                                 "  STACK_OF_X509_ *chain = NULL;\n  x = f(a) * b;\n  y = (h(a));\n  z = k(m(a) * b, c);\n"
                                 "  STACK_OF(\n    X509) *split;\n}\n")  # no line is joined to the next


def test_a_gnu_case_range_keeps_its_first_value():
    code = "switch (c) {\ncase 0x40 ... 0x4f: /* REX */\ncase 'a'...'z': break;\n}\n"
    assert scannable_c(code) == "switch (c) {\ncase 0x40         : /* REX */\ncase 'a'      : break;\n}\n"


def test_a_statement_macro_without_its_semicolon_gets_one_between_statements_only():
    code = ("void f(void) {\n  x = 1;\nFF_DISABLE_DEPRECATION_WARNINGS\n  a->b = g();\n  if (c)\n    EMIT_LINE\n"
            "  else\n    y = 2;\n  if (n) {\n    D((\"chunk ended\"))\n  }\n  enum {\n    ONLY\n  };\n"
            "  z = a +\n    FOO\n    + b;\n}\nTYPE\nname(void);\n")
    assert scannable_c(code) == ("void f(void) {\n  x = 1;\n;" + " " * 30 + "\n  a->b = g();\n  if (c)\n    ;        \n"
                                 "  else\n    y = 2;\n  if (n) {\n    D((\"chunk ended\"));\n  }\n  enum {\n    ONLY\n  };\n"
                                 "  z = a +\n    FOO\n    + b;\n}\nTYPE\nname(void);\n")


def test_in_c_an_operand_with_a_less_than_before_a_greater_than_is_parenthesised():
    # semgrep reads `x < 1 || x > (n - m)` as the template call `x<1 || x>(n - m)`
    code = "if (x < 1 || x > (n - m) / 2) return -1;\nok = f(a < b, c > (d)) || p->n <= q || r << 2 > (s);\n"
    assert scannable_c(code) == "if ((x < 1) || x > (n - m) / 2) return -1;\nok = f((a < b), c > (d)) || p->n <= q || r << 2 > (s);\n"
    assert scannable_c(code, "Cpp") == code  # in C++ it may be a template
    assert scannable_c("for (i = 0; i < n; i++) if (a[i] > (x)) y = 1;\n") == "for (i = 0; i < n; i++) if (a[i] > (x)) y = 1;\n"
    assert scannable_c("if (x\n    < 1 || x > (n)) {\n") == "if (x\n    < 1 || x > (n)) {\n"  # no line moves
