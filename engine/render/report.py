"""`allegiance report` and `allegiance export --format dot`: the entry points for the command line.

Sits on top of `assessment` and the renderers. `write_report` assesses the knowledge base as of
its current day and writes the HTML page and the Markdown document; `relations_dot` gives the
relations between the groups as Graphviz DOT. Guarantees: each file is written atomically (a
temporary file in the same folder, then `os.replace`), so a reader never sees half a report and
an error leaves any earlier report as it was; the same knowledge base and day always give the
same bytes.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from allegiance.whatif.assessment import Assessment, assess
from allegiance.eval.kb import KnowledgeBase
from allegiance.render.graph_dot import relations_dot
from allegiance.render.html import report_html
from allegiance.render.markdown import report_markdown
from allegiance.explain.sentences import Vocabulary

__all__ = ["write_report", "relations_dot", "write_atomically"]


def write_report(kb: KnowledgeBase, html_path: str | Path | None,
                 markdown_path: str | Path | None = None, *, whatif: bool = True,
                 latest_evidence=None) -> Assessment:
    """Write the assessment as HTML and as Markdown (either path may be None); return it.
    Without `whatif`, the sections on competing hypotheses and sources are left out. With
    `latest_evidence` (a day before the one asked), the document says it is asked after it."""
    assessment = assess(kb, whatif)
    if latest_evidence is not None:
        from attrs import evolve

        assessment = evolve(assessment, latest_evidence=latest_evidence)
    vocab = Vocabulary.of(kb)
    if html_path is not None:
        write_atomically(html_path, report_html(assessment, vocab))
    if markdown_path is not None:
        write_atomically(markdown_path, report_markdown(assessment, vocab))
    return assessment


def write_atomically(path: str | Path, text: str) -> None:
    """Replace the file at `path` with `text` (UTF-8) in one step; OSError if it cannot."""
    path = Path(path)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="\n", dir=path.parent or ".",
                                         prefix=f".{path.name}.", suffix=".tmp", delete=False)
    try:
        with handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, mode)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
