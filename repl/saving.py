"""`.save`: the session's changes written back to the files, atomically, or not at all.

Facts retracted at the prompt are cut out of the files they were read from (found by value in
the file as it is now, so a file edited since loading is still handled right); facts asserted
at the prompt are appended to one file. Every new text is parsed again and must hold exactly the
statements expected before anything is written. The files are written by `allegiance.lang.files`
(a temporary file in the same folder, then `os.replace`), so a reader never sees half a file,
and a failed write leaves every file as it was and the changes still in the session.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from allegiance.lang import files
from allegiance.lang.diagnostics import AllegianceError
from allegiance.lang.files import WriteError
from allegiance.lang.lexer import tokenize_lenient
from allegiance.lang.parse import parse_program
from allegiance.lang.printer import format_fact
from allegiance.lang.syntax import Fact

from .session import Session


class SaveError(Exception):
    """Nothing was written; the message says why."""


def save(session: Session, target: str | None) -> str:
    """Write the pending changes; a report of what was written. SaveError if nothing was."""
    added, removed = session.pending()
    if not added and not removed:
        return "nothing to save: the session has no unsaved changes."
    if added and target is None:
        target = _default_target(session)
    texts = _new_texts(added, removed, target)
    write_all(texts)
    if target and not session.covers(target):
        session.paths.append(target)
    report = _report(added, removed, target)
    try:
        session.load(session.paths, keep_changes=False)
    except AllegianceError as exc:
        report += f"\nbut reloading the files failed, so the session keeps its changes: {exc}"
    return report


def _default_target(session: Session) -> str:
    files = [p for p in session.paths if Path(p).is_file()]
    if len(session.paths) == 1 and files:
        return files[0]
    raise SaveError("name the file to write the asserted facts to: `.save FILE`")


def _new_texts(added, removed, target) -> dict[Path, str]:
    """The new text of every file to change, checked by parsing it again."""
    by_file: dict[Path, list[Fact]] = {}
    for fact in removed:
        by_file.setdefault(Path(fact.span.file), []).append(fact)
    if added:
        by_file.setdefault(Path(target), [])
    goal = Path(target).resolve() if added else None
    merged: dict[Path, tuple[Path, list[Fact]]] = {}
    for path, facts in by_file.items():
        merged.setdefault(path.resolve(), (path, []))[1].extend(facts)
    return {path: _new_text(path, facts, added if key == goal else ())
            for key, (path, facts) in merged.items()}


def _new_text(path: Path, removed: list[Fact], added) -> str:
    old = _read(path)
    try:
        statements = list(parse_program(old, str(path)).statements)
    except AllegianceError as exc:
        raise SaveError(f"`{path}` no longer parses ({exc}); nothing was written") from None
    cuts, expected = [], list(statements)
    for fact in removed:
        if fact in expected:
            found = next(s for s in statements if s == fact and s.span not in cuts)
            cuts.append(found.span)
            expected.remove(fact)
    text = _without(old, cuts)
    if added:
        day = datetime.date.today().isoformat()
        lines = [f"% asserted at the allegiance prompt on {day}"] + [format_fact(f) for f in added]
        text = text + ("" if text.endswith("\n") or not text else "\n") + ("\n" if text else "")
        text += "\n".join(lines) + "\n"
        expected.extend(added)
    _verify(text, path, expected)
    return text


def _read(path: Path) -> str:
    if not path.exists():
        return ""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SaveError(f"cannot read `{path}`: {exc}; nothing was written") from None


def _without(text: str, spans) -> str:
    """`text` without the statements starting at `spans` (each up to its final `.`), and
    without the lines that held nothing else."""
    offsets = [0]
    for line in text.split("\n"):
        offsets.append(offsets[-1] + len(line) + 1)
    ends = [offsets[t.span.line - 1] + t.span.end_col - 1 for t in tokenize_lenient(text)
            if t.kind == "punct" and t.text == "."]
    starts = sorted((offsets[s.line - 1] + s.col - 1 for s in spans), reverse=True)
    for start in starts:
        end = next(e for e in ends if e > start)
        text = text[:start] + text[end:]
        left, right = text.rfind("\n", 0, start) + 1, text.find("\n", start)
        right = len(text) if right < 0 else right
        if not text[left:right].strip():
            text = text[:left] + text[right + 1:]
    return text


def _verify(text: str, path: Path, expected) -> None:
    try:
        found = list(parse_program(text, str(path)).statements)
    except AllegianceError as exc:
        raise SaveError(f"the new text of `{path}` would not parse ({exc}); nothing was written") from None
    if found != expected:
        raise SaveError(f"the new text of `{path}` would not hold the expected statements; nothing was written")


def write_all(texts: dict[Path, str]) -> None:
    """Write every file atomically through `allegiance.lang.files` (a symbolic link is followed, an
    interruption leaves no temporary file); SaveError if a file cannot be written."""
    try:
        files.write_all(texts)
    except WriteError as exc:
        reason = exc.diagnostics[0].message.removesuffix("; the file is unchanged")
        raise SaveError(f"{reason}; nothing was written, the changes are still in the session") from None


def _report(added, removed, target) -> str:
    lines = []
    if added:
        lines.append(f"saved {len(added)} asserted fact{'s' if len(added) != 1 else ''} to {target}")
    files = sorted({f.span.file for f in removed})
    if removed:
        lines.append(f"removed {len(removed)} retracted fact{'s' if len(removed) != 1 else ''} "
                     f"from {', '.join(files)}")
    return "\n".join(lines) + "."
