"""Knowledge-base folders that say what they hold: `kb.toml` (a knowledge base) and `case.toml`
(one case of the case library), read as data.

Sits under `eval.kb.expand_paths`, which asks `folder_files` what loading a folder means:
- a folder with `kb.toml` loads the folders and files of its `[kb] load` list (so `kb/` is the
  rules and the article's case, not every case of the library at once);
- a folder with `case.toml` loads its own `.dl` files and the shared bases its `[case] common`
  list declares, resolved against the knowledge base it belongs to (the nearest folder above it
  with a `kb.toml`);
- any other folder loads every `.dl` file under it.
Every path a manifest names must stay inside its knowledge base: an absolute path, a `..` or a
symbolic link that leads outside is an error placed at the manifest's line. A manifest is only
parsed (`tomllib`): nothing in it is executed. `read_case` gives a case's metadata and golden
questions as a frozen `Case`.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from pathlib import Path

from attrs import frozen

from allegiance.lang.diagnostics import Diagnostic, Span, error

KB_MANIFEST = "kb.toml"
CASE_MANIFEST = "case.toml"
VERDICTS = ("yes", "no")

__all__ = ["CASE_MANIFEST", "KB_MANIFEST", "Case", "ManifestError", "Question", "case_of",
           "cases_under", "folder_files", "kb_root", "read_case", "read_kb"]


class ManifestError(Exception):
    """A manifest cannot be used; carries its diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__(diagnostics[0].message if diagnostics else "manifest")


@frozen
class Question:
    """A golden question: a ground goal, the day it is asked, what the cited analysts concluded."""

    goal: str
    as_of: datetime.date
    expected: str  # "yes" or "no"
    source: str
    note: str = ""
    known_miss: str = ""  # why the general rules cannot reach this verdict (empty: they must)
    line: int = 0


@frozen
class Case:
    """One case of the library: where it is, what it is about, and its golden questions."""

    name: str
    folder: Path
    title: str
    theatre: str
    date: datetime.date  # the evidence horizon: the day of the case's latest evidence
    cooperation_held: bool
    summary: str
    common: tuple[Path, ...]
    questions: tuple[Question, ...]


@frozen
class KbManifest:
    """What a knowledge-base folder holds: what loading it means, its rules and its cases."""

    folder: Path
    load: tuple[Path, ...]
    rules: Path | None
    cases: Path | None


# -- reading ------------------------------------------------------------------------------------
def _toml(path: Path) -> tuple[dict, list[str]]:
    """The table of a TOML file and its lines; ManifestError with the place of a syntax error."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError([error(f"cannot read `{path}`: {exc}", None, "manifest")]) from None
    lines = text.split("\n")
    try:
        return tomllib.loads(text), lines
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, col = (int(found.group(1)), int(found.group(2))) if found else (1, 1)
        message = re.sub(r"\s*\(at line.*\)$", "", str(exc)) or "not valid TOML"
        raise ManifestError([error(f"not valid TOML: {message[0].lower() + message[1:]}",
                                   _span(path, lines, line, col), "manifest")]) from None


def _span(path: Path, lines: list[str], line: int, col: int = 1, width: int = 1) -> Span:
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return Span(str(path), line, col, col + max(width, 1), text)


def _where(path: Path, lines: list[str], needle: str) -> Span:
    """The span of the first line that mentions `needle` (where a diagnostic points)."""
    for number, text in enumerate(lines, 1):
        col = text.find(needle)
        if col >= 0 and not text.lstrip().startswith("#"):
            return _span(path, lines, number, col + 1, len(needle))
    return _span(path, lines, 1)


def _problem(path, lines, needle, message, **extra) -> ManifestError:
    return ManifestError([error(message, _where(path, lines, needle), "manifest", **extra)])


def _strings(table: dict, key: str, path: Path, lines: list[str]) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _problem(path, lines, key, f"`{key}` must be a list of paths, such as [\"rules\"]")
    return value


def inside(root: Path, entry: str, manifest: Path, lines: list[str]) -> Path:
    """`root/entry`, checked to stay inside `root` (ManifestError otherwise)."""
    if not entry or Path(entry).is_absolute():
        raise _problem(manifest, lines, f'"{entry}"', f"`{entry}` must be a path relative to "
                       f"`{root}`", notes=("a manifest names only what lies inside its knowledge base",))
    target = root / entry
    try:
        resolved, base = target.resolve(), root.resolve()
    except (OSError, RuntimeError) as exc:
        raise _problem(manifest, lines, f'"{entry}"', f"cannot resolve `{entry}`: {exc}") from None
    if resolved != base and base not in resolved.parents:
        raise _problem(manifest, lines, f'"{entry}"', f"`{entry}` leads outside `{root}`",
                       notes=("a manifest names only what lies inside its knowledge base",))
    if not target.exists():
        raise _problem(manifest, lines, f'"{entry}"', f"no such file or folder: `{target}`")
    return target


def read_kb(folder: Path) -> KbManifest:
    """The manifest of a knowledge-base folder (its `kb.toml`)."""
    path = folder / KB_MANIFEST
    table, lines = _toml(path)
    kb = table.get("kb", {})
    load = tuple(inside(folder, e, path, lines) for e in _strings(kb, "load", path, lines))
    named = {k: inside(folder, kb[k], path, lines) if isinstance(kb.get(k), str) else None
             for k in ("rules", "cases")}
    return KbManifest(folder, load, named["rules"], named["cases"])


def kb_root(folder: Path) -> Path | None:
    """The nearest folder at or above `folder` that has a `kb.toml`."""
    for candidate in (folder, *folder.resolve().parents):
        if (candidate / KB_MANIFEST).is_file():
            return candidate
    return None


def read_case(folder: Path) -> Case:
    """The metadata and golden questions of a case folder (its `case.toml`)."""
    path = folder / CASE_MANIFEST
    table, lines = _toml(path)
    meta = table.get("case")
    if not isinstance(meta, dict):
        raise _problem(path, lines, "[case]", "a case.toml needs a `[case]` table")
    date = _date(meta.get("date"), "date", path, lines)
    entries = _strings(meta, "common", path, lines)
    root = kb_root(folder.parent) if entries else None
    if entries and root is None:
        raise _problem(path, lines, "common", f"`common` names shared bases, but no `{KB_MANIFEST}` "
                       f"is found above `{folder}`")
    common = tuple(inside(root, e, path, lines) for e in entries) if root else ()
    questions = tuple(_question(q, path, lines) for q in _tables(table.get("question", []), path, lines))
    return Case(folder.name, folder, str(meta.get("title", folder.name)),
                str(meta.get("theatre", "")), date, bool(meta.get("cooperation_held", False)),
                str(meta.get("summary", "")), common, questions)


def _tables(value, path, lines) -> list[dict]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _problem(path, lines, "question", "`question` must be an array of tables: [[question]]")
    return value


def _date(value, key: str, path: Path, lines: list[str]) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raise _problem(path, lines, key, f"`{key}` must be a date such as 2017-03-02")


def _question(table: dict, path: Path, lines: list[str]) -> Question:
    goal = table.get("goal")
    if not isinstance(goal, str) or not goal.strip():
        raise _problem(path, lines, "goal", "a question needs a `goal`, such as \"alliance(a, b)\"")
    expected = table.get("expected")
    if expected not in VERDICTS:
        raise _problem(path, lines, f'"{goal}"', f"question `{goal}`: `expected` must be \"yes\" or \"no\"")
    span = _where(path, lines, f'"{goal}"')
    return Question(goal.strip(), _date(table.get("as_of"), "as_of", path, lines), expected,
                    str(table.get("source", "")), str(table.get("note", "")),
                    str(table.get("known_miss", "")), span.line)


# -- what loading a folder means -----------------------------------------------------------------
def folder_files(folder: Path) -> list[Path]:
    """The files and folders that loading `folder` stands for (ManifestError when a manifest is
    wrong): a kb.toml's `load` list, a case's own folder and its shared bases, or the folder."""
    if (folder / KB_MANIFEST).is_file():
        return list(read_kb(folder).load)
    if (folder / CASE_MANIFEST).is_file():
        return [*read_case(folder).common, folder]
    return [folder]


def case_of(folder: Path) -> Case | None:
    """The case a folder is (it has a case.toml), or None."""
    return read_case(folder) if (folder / CASE_MANIFEST).is_file() else None


def cases_under(folder: Path) -> list[Case]:
    """The cases of a knowledge base folder (its `cases` folder), in name order."""
    manifest = read_kb(folder) if (folder / KB_MANIFEST).is_file() else None
    where = manifest.cases if manifest and manifest.cases else folder
    return [read_case(p) for p in sorted(where.iterdir()) if (p / CASE_MANIFEST).is_file()]
