"""Golden explanations: each folder of tests/golden/why/ holds a case, no Python needed.

A case folder has `kb.dl` (or uses the shipped `kb/` when it has a file `uses-shipped-kb`),
`goals` (one goal per line; a line `as-of DATE` sets the day for the goals after it; `format
prose|json|dot` changes the rendering) and `expected.txt`. Run with UPDATE_GOLDEN=1 to rewrite
the expected files after a deliberate change, then review the diff.
"""

import datetime
import json
import os
from pathlib import Path

import pytest

from allegiance.explain.checker import check_proof, check_refutation
from allegiance.explain.why import why
from allegiance.eval.kb import KnowledgeBase
from allegiance.render.dot import explanation_dot
from allegiance.render.json import explanation_json
from allegiance.render.text import explanation_prose, explanation_tree
from allegiance.explain.sentences import Vocabulary
from allegiance.lang.values import Date

HERE = Path(__file__).parent / "golden" / "why"
ROOT = Path(__file__).parent.parent
CASES = sorted(p.name for p in HERE.iterdir() if p.is_dir())


def run_case(folder: Path) -> str:
    paths = [ROOT / "kb"] if (folder / "uses-shipped-kb").exists() else sorted(folder.glob("*.dl"))
    out = []
    with KnowledgeBase.from_paths(paths, as_of=datetime.date(2014, 11, 15)) as kb:
        vocab, render = Vocabulary.of(kb), "tree"
        for line in (folder / "goals").read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if not line or line.startswith("%"):
                continue
            if line.startswith("as-of "):
                kb.set_as_of(Date.parse(line.split()[1]).first_day())
                continue
            if line.startswith("format "):
                render = line.split()[1]
                continue
            expl = why(kb, line)
            for proof in expl.proofs:
                check_proof(proof, kb)
            if expl.refutation is not None:
                check_refutation(expl.refutation, kb)
            out.append(f"?- why {line}")
            out.append(_render(expl, vocab, render))
            out.append("")
    return "\n".join(out).replace(str(ROOT) + os.sep, "")


def _render(expl, vocab, render: str) -> str:
    if render == "prose":
        return explanation_prose(expl, vocab)
    if render == "json":
        return json.dumps(explanation_json(expl, vocab), ensure_ascii=False, indent=1)
    if render == "dot":
        return explanation_dot(expl, vocab)
    return explanation_tree(expl, vocab).text


@pytest.mark.parametrize("case", CASES)
def test_golden_explanation(case, monkeypatch):
    folder = HERE / case
    monkeypatch.chdir(folder if not (folder / "uses-shipped-kb").exists() else ROOT)
    actual = run_case(folder)
    expected_file = folder / "expected.txt"
    if os.environ.get("UPDATE_GOLDEN") or not expected_file.exists():
        expected_file.write_text(actual, encoding="utf-8")
    assert actual == expected_file.read_text(encoding="utf-8")
