"""Every metavariable a rule's condition tests is bound wherever the condition applies.

semgrep drops a match whose `metavariable-regex` (or `-pattern`, `-comparison`) names a metavariable that
the match did not bind: a condition beside a `pattern-either` whose alternatives bind different
metavariables silently turns the other alternatives off (`req.param(...)` beside `$REQ.$FIELD` with a
regex on `$FIELD` was never a source). Each condition must sit with the alternatives that bind it.
"""
import re

import pytest
import yaml

from transforms.security import RULES_DIR

METAVARIABLE = re.compile(r"\$(?:\.\.\.)?[A-Z_][A-Z0-9_]*")  # $X, and $...X (a run of statements or arguments)
POSITIVE = ("pattern", "pattern-inside", "pattern-regex")
CONDITIONS = ("metavariable-regex", "metavariable-pattern", "metavariable-comparison")


def bound(node) -> set[str]:
    """The metavariables that every match of a positive pattern node binds."""
    if not isinstance(node, dict):
        return set()
    for key in POSITIVE:
        if key in node:
            return set(METAVARIABLE.findall(node[key])) if isinstance(node[key], str) else set()
    if "pattern-either" in node:
        return set.intersection(*(bound(branch) for branch in node["pattern-either"]))
    if "patterns" in node:
        return set().union(*(bound(item) for item in node["patterns"]))
    return set()


def unbound_conditions(node, found: list[str]) -> list[str]:
    if isinstance(node, dict):
        items = node.get("patterns")
        if isinstance(items, list):
            binds = bound({"patterns": items})
            found += [f"{key} on {item[key]['metavariable']}" for item in items if isinstance(item, dict)
                      for key in CONDITIONS if key in item and item[key].get("metavariable") not in binds]
        for value in node.values():
            unbound_conditions(value, found)
    elif isinstance(node, list):
        for value in node:
            unbound_conditions(value, found)
    return found


def test_the_check_finds_a_condition_beside_an_alternative_that_does_not_bind_it():
    rule = yaml.safe_load("""
patterns:
- pattern-either:
  - pattern: $REQ.$FIELD
  - pattern: $REQ.param(...)
- metavariable-regex: {metavariable: $FIELD, regex: ^query$}
- metavariable-regex: {metavariable: $REQ, regex: ^req$}
""")
    assert unbound_conditions(rule, []) == ["metavariable-regex on $FIELD"]


def test_a_run_of_statements_is_a_metavariable_too():
    rule = """
patterns:
- pattern-either:
  - pattern-inside: if ($C) { $...THEN }
  - pattern-inside: if ($C) { log(); $...THEN }
- metavariable-regex: {metavariable: $...THEN, regex: return}
- metavariable-regex: {metavariable: $C, regex: ok}
"""
    assert unbound_conditions(yaml.safe_load(rule), []) == []
    one_unbound = yaml.safe_load(rule.replace("{ log(); $...THEN }", "$STMT;"))
    assert unbound_conditions(one_unbound, []) == ["metavariable-regex on $...THEN"]


@pytest.mark.parametrize("path", sorted(RULES_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_every_condition_tests_a_bound_metavariable(path):
    problems = {rule["id"]: unbound_conditions(rule, []) for rule in yaml.safe_load(path.read_text())["rules"]}
    assert {rule: found for rule, found in problems.items() if found} == {}
