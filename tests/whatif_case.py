"""The small case both what-if suites (REPL and command line) run on, and its JSON schema."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "whatif.schema.json").read_text(encoding="utf-8"))
KB = """\
source s1 {title: "First report"}.
source s2 {title: "Second report"}.
predicate group(Group) {doc: "Group is an armed group", holds: "{Group} is an armed group"}.
predicate ally(A, B) {doc: "A and B are allies", holds: "{A} and {B} are allies", fails: "{A} and {B} are not allies"}.

group(red) @s1.
group(blue) @s1.
group(green) @s2.
alias(red, "RF") @s1.
alias(blue, "BB") @s1.
pledged(red, blue) @s1.
pledged(green, blue) @s1 @s2.
hostile(green, blue) @s2.

ally(A, B) :- pledged(A, B), not hostile(A, B).
ally(A, B) :- pledged(B, A), not hostile(B, A).
"""


def valid(text: str) -> dict:
    """The JSON document `text`, validated against docs/schemas/whatif.schema.json."""
    doc = json.loads(text)
    Draft202012Validator(SCHEMA).validate(doc)
    return doc
