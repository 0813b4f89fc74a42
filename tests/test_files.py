"""Writing files atomically: the new text whole, or the old text untouched and a clear error.

Every way a write can fail is simulated (no folder, a folder in place of the file, text that
cannot be encoded, a full disk while writing, a failed rename, Ctrl-C in the middle): the old
file keeps its text, no temporary file is left behind, and `WriteError` names the file. The
REPL's `.save` writes through the same function: it follows a symbolic link, and when it fails
it says so, leaves the file as it was and keeps the changes in the session.
"""

from __future__ import annotations

import os
import stat
import threading

import pytest

from allegiance.lang.diagnostics import AllegianceError
from allegiance.lang.files import WriteError, write_all, write_atomically
from allegiance.eval.kb import KnowledgeBase

OLD = "group(red).\n"
NEW = "group(red).\ngroup(blue).\n"


@pytest.fixture
def kb_file(tmp_path):
    path = tmp_path / "case.dl"
    path.write_text(OLD, encoding="utf-8")
    return path


def leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_new_file_is_written_whole(tmp_path):
    path = tmp_path / "new.dl"
    write_atomically(path, NEW)
    assert path.read_text(encoding="utf-8") == NEW
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~_umask()
    assert leftovers(tmp_path) == []


def test_a_file_is_replaced_whole_and_keeps_its_permissions(kb_file):
    kb_file.chmod(0o640)
    write_atomically(kb_file, NEW)
    assert kb_file.read_text(encoding="utf-8") == NEW
    assert stat.S_IMODE(kb_file.stat().st_mode) == 0o640
    with KnowledgeBase.from_paths([kb_file]) as kb:
        assert len(kb.ask("group(X)?").rows) == 2


def test_text_is_written_exactly_as_given(tmp_path):
    path = tmp_path / "exact.dl"
    text = "a.\r\nb.\n\u202e\U0001F600 \x00"
    write_atomically(path, text)
    assert path.read_bytes() == text.encode("utf-8")


def test_a_symbolic_link_is_followed_and_kept(kb_file, tmp_path):
    link = tmp_path / "link.dl"
    link.symlink_to(kb_file)
    write_atomically(link, NEW)
    assert link.is_symlink() and kb_file.read_text(encoding="utf-8") == NEW


@pytest.mark.parametrize("case", ["no-folder", "a-folder", "not-encodable", "nul-in-name"])
def test_a_write_that_cannot_start_fails_cleanly(case, kb_file, tmp_path):
    target, text = {
        "no-folder": (tmp_path / "missing" / "case.dl", NEW),
        "a-folder": (tmp_path, NEW),
        "not-encodable": (kb_file, "group(\udcff)."),
        "nul-in-name": (tmp_path / "bad\x00name.dl", NEW),
    }[case]
    with pytest.raises(WriteError) as caught:
        write_atomically(target, text)
    assert isinstance(caught.value, AllegianceError)
    message = caught.value.diagnostics[0].message
    assert message.startswith("cannot write `") and message.endswith("the file is unchanged")
    assert kb_file.read_text(encoding="utf-8") == OLD
    assert leftovers(tmp_path) == []


def fail_with(exc):
    def fail(*args, **kwargs):
        raise exc
    return fail


@pytest.mark.parametrize("where, exc", [
    pytest.param("fsync", OSError(28, "No space left on device"), id="disk-full"),
    pytest.param("replace", OSError(13, "Permission denied"), id="rename-refused"),
    pytest.param("chmod", OSError(1, "Operation not permitted"), id="chmod-refused"),
])
def test_a_failure_midway_leaves_the_old_file_and_no_temporary_file(where, exc, kb_file,
                                                                   tmp_path, monkeypatch):
    monkeypatch.setattr(os, where, fail_with(exc))
    with pytest.raises(WriteError) as caught:
        write_atomically(kb_file, NEW)
    monkeypatch.undo()
    assert exc.strerror.lower() in str(caught.value) and str(kb_file) in str(caught.value)
    assert kb_file.read_text(encoding="utf-8") == OLD
    assert leftovers(tmp_path) == []


def test_ctrl_c_while_writing_leaves_the_old_file(kb_file, tmp_path, monkeypatch):
    monkeypatch.setattr(os, "fsync", fail_with(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        write_atomically(kb_file, NEW)
    monkeypatch.undo()
    assert kb_file.read_text(encoding="utf-8") == OLD
    assert leftovers(tmp_path) == []


def test_several_files_change_only_when_all_could_be_written(kb_file, tmp_path):
    other = tmp_path / "other.dl"
    other.write_text(OLD, encoding="utf-8")
    with pytest.raises(WriteError):
        write_all({kb_file: NEW, tmp_path / "missing" / "x.dl": NEW, other: NEW})
    assert kb_file.read_text(encoding="utf-8") == OLD == other.read_text(encoding="utf-8")
    assert leftovers(tmp_path) == []
    write_all({kb_file: NEW, other: NEW})
    assert kb_file.read_text(encoding="utf-8") == NEW == other.read_text(encoding="utf-8")


def test_a_reader_never_sees_half_a_file(kb_file):
    versions = [f"% version {i}\n" + "group(g).\n" * 20_000 for i in range(2)]
    write_atomically(kb_file, versions[0])
    seen: set[str] = set()
    done = threading.Event()

    def read():
        while not done.is_set():
            seen.add(kb_file.read_text(encoding="utf-8"))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(30):
            write_atomically(kb_file, versions[i % 2])
    finally:
        done.set()
        reader.join()
    assert seen <= set(versions)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# -- the REPL's `.save` writes through the same door ----------------------------------------------
@pytest.fixture
def session(kb_file):
    from allegiance.repl.session import Session

    s = Session.open([str(kb_file)])
    yield s
    s.close()


def test_save_through_a_symbolic_link_changes_the_file_it_points_to(kb_file, tmp_path):
    from allegiance.repl.commands import execute
    from allegiance.repl.session import Session

    link = tmp_path / "link.dl"
    link.symlink_to(kb_file)
    with_link = Session.open([str(link)])
    try:
        execute(with_link, "group(blue).")
        assert execute(with_link, ".save").status == "ok"
    finally:
        with_link.close()
    assert link.is_symlink() and kb_file.read_text(encoding="utf-8").endswith("group(blue).\n")


@pytest.mark.parametrize("where, exc", [
    pytest.param("fsync", OSError(28, "No space left on device"), id="disk-full"),
    pytest.param("replace", OSError(13, "Permission denied"), id="rename-refused"),
    pytest.param("fsync", KeyboardInterrupt(), id="ctrl-c"),
])
def test_a_failed_save_leaves_the_old_file_says_so_and_keeps_the_changes(where, exc, session,
                                                                         kb_file, tmp_path,
                                                                         monkeypatch):
    from allegiance.repl.commands import execute

    execute(session, "group(blue).")
    monkeypatch.setattr(os, where, fail_with(exc))
    try:
        result = execute(session, ".save")
    except KeyboardInterrupt:
        result = None  # the shell reports it; the file and the session must be as they were
    monkeypatch.undo()
    if result is not None:
        assert result.failed and result.text == (
            f"not saved: cannot write `{kb_file}`: {exc.strerror.lower()}; nothing was written, "
            "the changes are still in the session")
    assert kb_file.read_text(encoding="utf-8") == OLD
    assert leftovers(tmp_path) == [] and session.unsaved == 1
    assert execute(session, ".save").status == "ok"  # and a later save still works
    assert kb_file.read_text(encoding="utf-8").endswith("group(blue).\n")
