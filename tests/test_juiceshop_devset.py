"""bench/juiceshop_devset.py on a small repository in OWASP Juice Shop's layout."""

from bench.juiceshop_devset import as_program, rows_of, snippet

SOURCE = """import { type Request } from 'express'

// vuln-code-snippet start redirectChallenge
export const isRedirectAllowed = (url: string) => {
  let allowed = false
  for (const allowedUrl of redirectAllowlist) {
    allowed = allowed || url.includes(allowedUrl) // vuln-code-snippet vuln-line redirectChallenge
  }
  if (debug) { // vuln-code-snippet hide-start
    console.log(url)
  } // vuln-code-snippet hide-end
  challengeUtils.solveIf(challenges.redirectChallenge, () => allowed) // vuln-code-snippet hide-line
  return allowed
} // vuln-code-snippet end redirectChallenge
"""
VULNERABLE = """export const isRedirectAllowed = (url: string) => {
  let allowed = false
  for (const allowedUrl of redirectAllowlist) {
    allowed = allowed || url.includes(allowedUrl)
  }
  return allowed
}"""
CORRECT = VULNERABLE.replace("url.includes(allowedUrl)", "url === allowedUrl")
WRONG = VULNERABLE.replace("url.includes(allowedUrl)", "url.includes(encodeURI(allowedUrl))")


def test_snippet_is_what_the_exercise_shows():
    assert snippet(SOURCE, "redirectChallenge") == VULNERABLE
    assert snippet(SOURCE, "scoreBoardChallenge") is None


def test_a_method_cut_from_its_class_is_put_back_in_one():
    method = "  ngAfterViewInit () {\n    this.load()\n  }"
    assert as_program(method) == "class Snippet {\nngAfterViewInit () {\n  this.load()\n}\n}"
    assert as_program("if (x) {\n  y()\n}") == "if (x) {\n  y()\n}"


def test_rows_pair_the_correct_fix_with_the_snippet_and_each_wrong_fix(tmp_path, git_commit):
    fixes = tmp_path / "data" / "static" / "codefixes"
    fixes.mkdir(parents=True)
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "insecurity.ts").write_text(SOURCE)
    (fixes / "redirectChallenge_1.ts").write_text(WRONG)
    (fixes / "redirectChallenge_2_correct.ts").write_text(CORRECT + "\n")
    (fixes / "redirectChallenge.info.yml").write_text("fixes: []\n")
    (fixes / "nftMintChallenge_1_correct.sol").write_text("contract C {}\n")
    git_commit(tmp_path, "fixes")
    # the source moves on after the fixes were written: the snippet is read as it was then
    (tmp_path / "lib" / "insecurity.ts").write_text(SOURCE.replace("let allowed = false", "let allowed = !strict"))
    git_commit(tmp_path, "later", init=False)
    rows, left_out = rows_of(str(tmp_path))
    assert [(r["rule"], r["func_src_before"], r["func_src_after"]) for r in rows] == [
        ("vulnerable snippet", VULNERABLE, CORRECT), ("wrong fix 1", WRONG, CORRECT)]
    assert {r["vul_type"] for r in rows} == {"cwe-601"} and {r["language"] for r in rows} == {"JavaScript"}
    assert len({r["split"] for r in rows}) == 1  # one snippet's rows stay on one side
    assert rows[0]["file_name"] == "insecurity.ts" and rows[0]["licence"] == "MIT"
    assert left_out == {"challenge not in TypeScript": 1}
