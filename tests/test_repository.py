"""Claims about the code base itself: one door to pyDatalog, no text execution, small modules."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
SOURCES = sorted(p for folder in ("engine", "repl") for p in (ROOT / folder).rglob("*.py"))
TEXT_INTERFACE = {"load", "ask", "eval", "exec", "compile", "literal_eval", "__import__"}


def _calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            owner = getattr(func.value, "id", None) if isinstance(func, ast.Attribute) else None
            yield name, owner, node.lineno


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_code_path_executes_text(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for name, owner, line in _calls(tree):
        if name in {"eval", "exec", "compile", "__import__", "literal_eval"} and owner in (None, "builtins", "ast"):
            pytest.fail(f"{path.name}:{line} calls {name}")
        if owner == "pyDatalog" and name in TEXT_INTERFACE:
            pytest.fail(f"{path.name}:{line} calls pyDatalog.{name}, which executes text")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_only_the_backend_imports_pydatalog(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    if "pyDatalog" in imported:
        assert path.relative_to(ROOT).as_posix() == "engine/eval/backend.py"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_stay_small(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 360, f"{path.name} has {lines} lines; split it (the house budget is about 300)"


def test_the_backend_uses_only_the_term_interface():
    text = (ROOT / "engine" / "eval" / "backend.py").read_text(encoding="utf-8")
    assert "pyDatalog.load" not in text and "pyDatalog.ask" not in text


def test_the_scanner_sees_the_calls_it_forbids():
    tree = ast.parse("import builtins\neval('1')\npyDatalog.load('x')\nbuiltins.exec('y')\n")
    found = {(name, owner) for name, owner, _ in _calls(tree)}
    assert {("eval", None), ("load", "pyDatalog"), ("exec", "builtins")} <= found
