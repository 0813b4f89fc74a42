"""Writing knowledge-base files without ever losing the old text.

Sits beside `kb` (which reads files); the REPL's `.save` writes through it. Guarantees of
`write_atomically(path, text)`: the text goes to a temporary file in the same folder, which is
flushed to disk and then renamed over the file (`os.replace`, atomic on one file system), so a
reader sees the old text or the new one, never half of either. A symbolic link is followed (the
file it points to is replaced and the link kept), the file keeps its permissions, and a new file
gets the usual ones. On any failure (a folder that does not exist or cannot be written, a full
disk, text that cannot be encoded, an interruption) the temporary file is removed, the file is
left exactly as it was, and `WriteError` says so; nothing is half-written. `write_all` writes
several files: every temporary file first, so a failure while writing them changes no file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from allegiance.lang.diagnostics import AllegianceError, error

__all__ = ["WriteError", "write_all", "write_atomically"]


class WriteError(AllegianceError):
    """A file could not be written; the old file (if any) is unchanged."""

    @classmethod
    def about(cls, path, exc: BaseException) -> WriteError:
        return cls([error(f"cannot write `{path}`: {_reason(exc)}; the file is unchanged", None,
                          "io")])


def write_atomically(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    """Replace the text of the file at `path` (or create it) all at once; WriteError if not."""
    write_all({path: text}, encoding)


def write_all(texts: Mapping[str | Path, str], encoding: str = "utf-8") -> None:
    """Write several files atomically each: all temporary files first, then each renamed into
    place. WriteError when a temporary file cannot be written (no file is changed then)."""
    staged: list[tuple[str, Path, str | Path]] = []
    try:
        for path, text in texts.items():
            target = _target(path)
            staged.append((_temporary(target, text, encoding, path), target, path))
        for temp, target, path in staged:
            try:
                os.replace(temp, target)
            except OSError as exc:
                raise WriteError.about(path, exc) from None
            _sync_folder(target.parent)
    finally:
        for temp, _, _ in staged:
            _remove(temp)


def _target(path: str | Path) -> Path:
    """The file to replace: `path`, or the file a symbolic link at `path` points to."""
    path = Path(path)
    try:
        return Path(os.path.realpath(path)) if path.is_symlink() else path
    except (OSError, ValueError) as exc:
        raise WriteError.about(path, exc) from None


def _temporary(target: Path, text: str, encoding: str, shown) -> str:
    """A temporary file beside `target` holding `text`, on disk, with the right permissions."""
    folder = target.parent if str(target.parent) else Path(".")
    try:
        data = text.encode(encoding)
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except (OSError, ValueError) as exc:  # no such folder, not writable; text not encodable
        raise WriteError.about(shown, exc) from None
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, _mode(target))
    except BaseException as exc:
        _remove(temp)
        if isinstance(exc, OSError):
            raise WriteError.about(shown, exc) from None
        raise
    return temp


def _mode(target: Path) -> int:
    """The permissions of the file being replaced, or those a new file would get."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the system allows opening a folder)."""
    try:
        fd = os.open(folder if str(folder) else ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove(temp: str) -> None:
    try:
        os.unlink(temp)
    except OSError:  # already moved into place, or gone
        pass


def _reason(exc: BaseException) -> str:
    if isinstance(exc, UnicodeError):
        return "the text cannot be encoded (it holds a character that is not valid Unicode)"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc) or type(exc).__name__
