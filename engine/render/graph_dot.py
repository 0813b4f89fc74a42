"""The relations between the groups as Graphviz DOT (`allegiance export --format dot`).

Sits at the end of the pipeline beside `render_svg`, and draws the same graph for other tools:
one node per group (its id is the value in source syntax, its label the display name; the
groups the reports are about in bold), an arrow for each allegiance, and an undirected edge for
each rift, hostility and local cooperation, in the colours of the SVG picture. Each edge carries
its sentence as a tooltip. Every label is escaped with `render_dot.escape`, so no text of the
knowledge base can break the graph. Deterministic.
"""

from __future__ import annotations

from allegiance.whatif.assessment import alleged_pairs
from allegiance.eval.kb import KnowledgeBase
from allegiance.whatif.relations import LOCAL, Edge, Relations, relations_graph
from allegiance.render.dot import escape
from allegiance.render.svg import STYLES
from allegiance.explain.sentences import Vocabulary

LINE_STYLES = {"": "solid", "7 4": "dashed", "2 4": "dotted"}
EDGE_LABELS = {"allegiance": "allegiance", "rift": "rift", "hostility": "hostility",
               LOCAL: "local cooperation"}


def relations_dot(kb: KnowledgeBase) -> str:
    """The relations between the groups as of the knowledge base's day, as a `digraph`."""
    focus = [v for pair in alleged_pairs(kb) for v in pair]
    return relations_graph_dot(relations_graph(kb, focus), Vocabulary.of(kb))


def relations_graph_dot(relations: Relations, vocab: Vocabulary) -> str:
    """A relations graph as a `digraph` (undirected relations drawn with `dir=none`)."""
    title = f"Relations between the groups as of {relations.as_of.isoformat()}"
    lines = ["digraph relations {",
             f'  graph [label="{escape(title)}", labelloc=t, overlap=false, splines=true];',
             '  node [shape=ellipse, fontname="Helvetica"];',
             '  edge [fontname="Helvetica", fontsize=10];']
    for node in relations.nodes:
        bold = ", style=bold, penwidth=2" if node.focus else ""
        lines.append(f'  {_id(node.id)} [label="{escape(node.name)}"{bold}];')
    lines += [_edge(edge, vocab) for edge in relations.edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _edge(edge: Edge, vocab: Vocabulary) -> str:
    colour, dash, width, _ = STYLES[edge.kind]
    label = EDGE_LABELS[edge.kind]
    if edge.regions and edge.kind == LOCAL:
        label += ": " + ", ".join(vocab.name(r) for r in edge.regions)
    tooltip = "; ".join(dict.fromkeys(vocab.sentence(a) for a in edge.atoms))
    attributes = [f'label="{escape(label)}"', f'color="{colour}"', f'fontcolor="{colour}"',
                  f"style={LINE_STYLES[dash]}", f"penwidth={width}", f'tooltip="{escape(tooltip)}"']
    if not edge.directed:
        attributes.append("dir=none")
    return f"  {_id(edge.source)} -> {_id(edge.target)} [{', '.join(attributes)}];"


def _id(value) -> str:
    """A node id: the value in source syntax, quoted (so `node` or `graph` is no keyword)."""
    return f'"{escape(str(value))}"'
