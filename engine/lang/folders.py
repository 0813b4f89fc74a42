"""Which files a list of knowledge-base paths stands for, and which of them belong to a case.

Sits between `manifests` (what a folder with `kb.toml` or `case.toml` holds) and `eval.kb` (which
reads the files). `expand_paths` turns the paths given to `--kb` into `.dl` files in a stable
order, each file once however many times it is reached (two cases that share a base load it
once). `case_files` says which of them belong to a case of the library (its own files and the
shared bases it declares): a fact there must cite a source (`unsourced_warnings`). Only regular
files are read: a device, a pipe or a socket could block.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from allegiance.lang.diagnostics import Diagnostic, error, warning
from allegiance.lang.manifests import CASE_MANIFEST, KB_MANIFEST, ManifestError, read_case, read_kb

__all__ = ["case_files", "expand_paths", "loaded_cases", "unsourced_warnings"]

DEPTH = 16  # manifests naming manifests: deeper than this is a loop


def expand_paths(paths: Iterable[str | Path], diagnostics: list) -> list[Path]:
    """Files named, and the `.dl` files that folders named stand for, in a stable order."""
    return [file for file, _ in _walk(paths, diagnostics)]


def case_files(paths: Iterable[str | Path]) -> set[str]:
    """The files of `paths` that belong to a case or to a shared base a case declares."""
    return {str(file) for file, in_case in _walk(paths, []) if in_case}


def loaded_cases(paths: Iterable[str | Path]) -> list:
    """The cases (`manifests.Case`) that `paths` load, each once, in the order reached."""
    found: dict[Path, object] = {}
    for raw in paths:
        _cases_at(Path(raw), found, 0)
    return list(found.values())


def unsourced_warnings(program, files: set[str]) -> list[Diagnostic]:
    """An `unsourced` warning for each fact of a case file that cites no source."""
    return [warning(f"this fact of a case cites no source: `{fact.atom.predicate}/"
                    f"{len(fact.atom.args)}`", fact.span or fact.atom.span, "unsourced",
                    notes=("every fact of a case cites the analysis or statement it comes "
                           "from: `fact @source_id.`",))
            for fact in program.facts
            if not fact.sources and (fact.span or fact.atom.span)
            and (fact.span or fact.atom.span).file in files]


def _cases_at(path: Path, found: dict, depth: int) -> None:
    try:
        if depth > DEPTH or not path.is_dir():
            return
        if (path / KB_MANIFEST).is_file():
            for part in read_kb(path).load:
                _cases_at(part, found, depth + 1)
        elif (path / CASE_MANIFEST).is_file():
            found.setdefault(path.resolve(), read_case(path))
    except (ManifestError, OSError, ValueError):
        return  # loading reports it


def _walk(paths, diagnostics) -> list[tuple[Path, bool]]:
    files: list[tuple[Path, bool]] = []
    seen: set[Path] = set()
    for raw in paths:
        _expand(Path(raw), diagnostics, files, seen, False, 0)
    return files


def _expand(path: Path, diagnostics, files, seen, in_case: bool, depth: int) -> None:
    try:
        found = _found(path, diagnostics, in_case, depth, files, seen)
    except ManifestError as exc:
        diagnostics.extend(exc.diagnostics)
        return
    except (OSError, ValueError) as exc:  # a name too long, a folder not readable, a NUL
        diagnostics.append(error(f"cannot read `{path}`: {_reason(exc)}", None, "io"))
        return
    for file, flag in found:
        key = file.resolve()
        if key not in seen:
            seen.add(key)
            files.append((file, flag))


def _found(path: Path, diagnostics, in_case, depth, files, seen) -> list[tuple[Path, bool]]:
    """The `.dl` files of `path` itself, each with whether it belongs to a case (after
    expanding what its manifest names)."""
    if depth > DEPTH:
        diagnostics.append(error(f"`{path}`: manifests name each other more than {DEPTH} deep",
                                 None, "manifest"))
        return []
    if path.is_dir() and (path / KB_MANIFEST).is_file():
        for part in read_kb(path).load:
            _expand(part, diagnostics, files, seen, in_case, depth + 1)
        return []
    if path.is_dir() and (path / CASE_MANIFEST).is_file():
        for part in read_case(path).common:
            _expand(part, diagnostics, files, seen, True, depth + 1)
        return [(file, True) for file in _files_at(path, diagnostics)]
    return [(file, in_case) for file in _files_at(path, diagnostics)]


def _files_at(path: Path, diagnostics: list) -> list[Path]:
    """The file `path`, or the `.dl` files under the folder `path`; a diagnostic otherwise."""
    if path.is_dir():
        found = sorted(p for p in path.rglob("*.dl") if p.is_file())
        if not found:
            diagnostics.append(error(f"no `.dl` files in folder `{path}`", None, "io"))
        return found
    if path.is_file():
        return [path]
    if path.exists():  # a device, a pipe or a socket: reading it could block or never end
        diagnostics.append(error(f"`{path}` is not a regular file", None, "io"))
    else:
        diagnostics.append(error(f"no such file or folder: `{path}`", None, "io"))
    return []


def _reason(exc: Exception) -> str:
    return exc.strerror.lower() if isinstance(exc, OSError) and exc.strerror else str(exc)
