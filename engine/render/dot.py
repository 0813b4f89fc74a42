"""Explanations as Graphviz DOT: one node per distinct atom, edges from premises to conclusions.

Sits at the end of the pipeline. Output is deterministic (nodes numbered in order of first
appearance) and every label is escaped, so no text of the knowledge base can break the graph.
"""

from __future__ import annotations

from allegiance.explain.proof import (Aggregated, Absent, Circular, Cut, Derived, Explanation, FailedTest, Given, Missing,
                    Present, Refutation, Test)
from allegiance.render.text import aggregate_line
from allegiance.explain.sentences import Vocabulary


def explanation_dot(expl: Explanation, vocab: Vocabulary) -> str:
    """The explanation as a `digraph`."""
    graph = _Graph(vocab)
    if expl.holds:
        for proof in expl.proofs:
            graph.proof(proof)
    else:
        graph.refutation(expl.refutation)
    body = "\n".join(graph.lines)
    return f'digraph why {{\n  rankdir=BT;\n  node [shape=box, style=rounded, fontname="Helvetica"];\n{body}\n}}\n'


class _Graph:
    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab
        self.ids: dict[object, str] = {}
        self.lines: list[str] = []

    def node(self, key, label: str, shape: str = "box", color: str = "black") -> str:
        if key not in self.ids:
            self.ids[key] = f"n{len(self.ids)}"
            self.lines.append(f'  {self.ids[key]} [label="{escape(label)}", shape={shape}, color={color}];')
        return self.ids[key]

    def edge(self, a: str, b: str, label: str = "") -> None:
        line = f'  {a} -> {b}' + (f' [label="{escape(label)}"]' if label else "") + ";"
        if line not in self.lines:
            self.lines.append(line)

    def proof(self, proof) -> str:
        v = self.vocab
        if isinstance(proof, Given):
            cited = ", ".join(s for f in proof.statements for s in f.sources)
            return self.node(("given", proof.atom), f"{v.sentence(proof.atom)}\n[{cited}]", "note", "darkgreen")
        if isinstance(proof, Absent):
            return self.node(("absent", proof.atom), v.sentence(proof.atom, False), "box", "gray")
        if isinstance(proof, Test):
            return self.node(("test", proof.comparison), v.comparison(proof.comparison), "plain")
        if isinstance(proof, Cut):
            return self.node(("cut", proof.atom), f"{v.sentence(proof.atom)} …", "box", "gray")
        if isinstance(proof, Aggregated):
            me = self.node(("aggregate", proof.aggregate), aggregate_line(proof), "box", "darkgreen")
            for premise in (p for m in proof.members for p in m.premises):
                self.edge(self.proof(premise), me, proof.aggregate.function)
            return me
        me = self.node(("atom", proof.atom), v.sentence(proof.atom), "box", "darkgreen")
        for premise in proof.premises:
            self.edge(self.proof(premise), me, proof.rule.head.key)
        return me

    def refutation(self, node) -> str:
        v = self.vocab
        if isinstance(node, (Circular, Cut)):
            label = "circular: " + " → ".join(v.atom(a) for a in node.cycle) if isinstance(node, Circular) else node.reason
            return self.node(("stop", id(node)), label, "octagon", "gray")
        me = self.node(("no", node.goal), v.sentence(node.goal, False), "box", "firebrick")
        for attempt in node.attempts:
            for block in attempt.blocks:
                self.edge(self.block(block), me, f"blocks {attempt.rule.head.key}")
        return me

    def block(self, block) -> str:
        v = self.vocab
        if isinstance(block, Missing):
            me = self.node(("missing", block.atoms), " and ".join(v.sentence(a, False) for a in block.atoms),
                           "box", "firebrick")
            for r in block.refutations:
                self.edge(self.refutation(r), me)
            return me
        if isinstance(block, FailedTest):
            return self.node(("failed", block.comparison), v.comparison(block.comparison, holds=False), "plain")
        if isinstance(block, Present):
            me = self.node(("atom", block.atom), v.sentence(block.atom), "box", "darkorange")
            for proof in block.proofs:
                for premise in getattr(proof, "premises", ()):
                    self.edge(self.proof(premise), me)
            return me
        return self.refutation(block)


def escape(text: str) -> str:
    """Text safe inside a double-quoted DOT label."""
    out = []
    for char in text:
        if char == "\n":
            out.append("\\n")
        elif char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0:
            out.append(f"\\\\u{{{ord(char):x}}}")
        else:
            out.append(char)
    return "".join(out)
