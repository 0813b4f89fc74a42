"""The relations between the groups as an SVG picture, for embedding in the HTML report.

Sits at the end of the pipeline; reads a `relations.Relations` and a `Vocabulary`. The layout is
computed here, deterministically: the groups the report is about sit in the middle, the others on
an ellipse around them, each as close as the free places allow to the side of the groups it is
related to. Edges between the same two groups bend apart; an allegiance edge ends in an arrow
drawn as a polygon (no markers, so the picture makes no `url(…)` reference). Guarantees: the
output is well-formed XML, every text is escaped, no external resource is referred to, and the
same graph always gives the same picture.
"""

from __future__ import annotations

import math
from html import escape

from allegiance.whatif.relations import ALLEGIANCE, HOSTILITY, KINDS, LOCAL, RIFT, Edge, Relations
from allegiance.explain.sentences import Vocabulary
from allegiance.lang.values import sort_key

RX, RY, INNER = 330.0, 240.0, 120.0  # the ellipse of the other groups; the ring of the focus
NODE, FOCUS_NODE, FONT, PAD, BEND = 6.0, 9.0, 13.0, 16.0, 26.0
STYLES = {  # kind → (colour, dash pattern, width, legend text)
    ALLEGIANCE: ("#2e7d32", "", 2.0, "pledged allegiance to (arrow)"),
    RIFT: ("#e65100", "7 4", 1.6, "ideological rift"),
    HOSTILITY: ("#c62828", "", 1.6, "hostility"),
    LOCAL: ("#1565c0", "2 4", 3.2, "local cooperation (region)"),
}


def relations_svg(relations: Relations, vocab: Vocabulary) -> str:
    """The graph as an `<svg>` element with a legend."""
    places = layout(relations)
    box = _bounds(relations, places)
    legend_top = box[3] + PAD
    width, height = box[2] - box[0], legend_top + 22 * len(KINDS) + PAD - box[1]
    title = f"Relations between the groups as of {relations.as_of.isoformat()}"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
           f'viewBox="{box[0]:.1f} {box[1]:.1f} {width:.1f} {height:.1f}" width="{width:.0f}" '
           f'height="{height:.0f}" font-family="sans-serif" font-size="{FONT:.0f}">',
           f"<title>{escape(title)}</title>"]
    if not relations.nodes:
        out.append(f'<text x="0" y="0">{escape("No relation between groups is recorded.")}</text>')
    out += _edges(relations, places, vocab)
    out += _nodes(relations, places)
    out += _legend(box[0] + PAD, legend_top)
    out.append("</svg>")
    return "\n".join(out)


# -- layout -----------------------------------------------------------------------------------
def layout(relations: Relations) -> dict:
    """Each node's position (x, y), the centre of the picture at (0, 0)."""
    focus = [n.id for n in relations.nodes if n.focus]
    others = [n.id for n in relations.nodes if not n.focus]
    places = {}
    for k, value in enumerate(focus):
        angle = math.pi + 2 * math.pi * k / len(focus)
        radius = INNER * (1 + 0.3 * (len(focus) - 2)) if len(focus) > 1 else 0.0
        places[value] = (radius * math.cos(angle), radius * 0.6 * math.sin(angle))
    preferred = {v: _mean_angle([_direction(places[n]) for n in _neighbours(v, relations) if n in places])
                 for v in others}
    ordered = _circular_order(others, relations, preferred)
    # half a step off the axes, so that no group sits on the line through two focus groups
    slots = [-math.pi / 2 + 2 * math.pi * (k + 0.5) / len(ordered) for k in range(len(ordered))]
    wanted, last = {}, math.pi / 2
    for value in ordered:  # a group placed after the one it is related to wants the same place
        wanted[value] = last = last if preferred[value] is None else preferred[value]
    shift = min(range(len(ordered)), key=lambda s: _cost(ordered, wanted, slots, s)) if ordered else 0
    for i, value in enumerate(ordered):
        angle = slots[(i + shift) % len(ordered)]
        places[value] = (RX * math.cos(angle), RY * math.sin(angle))
    return places


def _neighbours(value, relations: Relations) -> list:
    """The other end of every edge at `value` (once per edge)."""
    return [e.target if e.source == value else e.source
            for e in relations.edges if value in (e.source, e.target) and e.source != e.target]


def _circular_order(others, relations: Relations, preferred: dict) -> list:
    """The groups related to a focus group by the direction they lean to (one pull per edge),
    each other group right after the first group it is related to, the rest at the end."""
    order = sorted((v for v in others if preferred[v] is not None), key=lambda v: (preferred[v], sort_key(v)))
    rest = [v for v in others if preferred[v] is None]
    while rest:
        placed = next(((i, v) for v in rest for i, u in enumerate(order) if u in _neighbours(v, relations)), None)
        if placed is None:
            return order + rest
        order.insert(placed[0] + 1, placed[1])
        rest.remove(placed[1])
    return order


def _direction(place) -> float | None:
    return math.atan2(place[1], place[0]) if math.hypot(*place) > 1e-6 else None


def _mean_angle(angles) -> float | None:
    """The circular mean of the angles (None ignored): None when there are none, straight up
    when they cancel out."""
    angles = [a for a in angles if a is not None]
    if not angles:
        return None
    x, y = sum(math.cos(a) for a in angles), sum(math.sin(a) for a in angles)
    return math.atan2(y, x) if math.hypot(x, y) > 1e-6 else -math.pi / 2


def _cost(ordered, preferred, slots, shift: int) -> float:
    total = 0.0
    for i, value in enumerate(ordered):
        gap = abs(preferred[value] - slots[(i + shift) % len(ordered)]) % (2 * math.pi)
        total += min(gap, 2 * math.pi - gap) ** 2
    return total


def _label(value, relations: Relations, places: dict):
    """(x, y, anchor, width) of a node's label: above a focus node, outward for the others."""
    node = relations.node(value)
    x, y = places[value]
    width = len(node.name) * FONT * (0.62 if node.focus else 0.55)
    if node.focus:
        return x, y - FOCUS_NODE - 6, "middle", width
    angle = math.atan2(y / RY, x / RX)
    cos, sin = math.cos(angle), math.sin(angle)
    anchor = "start" if cos > 0.1 else "end" if cos < -0.1 else "middle"
    lx, ly = x + cos * (NODE + 6), y + sin * (NODE + 6) + (FONT if sin > 0.3 else 4 if sin > -0.3 else -2)
    return lx, ly, anchor, width


def _bounds(relations: Relations, places: dict) -> tuple[float, float, float, float]:
    xs, ys = [0.0, 280.0], [0.0]
    for value, (x, y) in places.items():
        lx, ly, anchor, width = _label(value, relations, places)
        left = lx - width if anchor == "end" else lx - width / 2 if anchor == "middle" else lx
        xs += [x - FOCUS_NODE, x + FOCUS_NODE, left, left + width]
        ys += [y - FOCUS_NODE, y + FOCUS_NODE, ly - FONT, ly + 4]
    return min(xs) - PAD, min(ys) - PAD, max(xs) + PAD, max(ys) + PAD


# -- drawing ----------------------------------------------------------------------------------
def _edges(relations: Relations, places: dict, vocab: Vocabulary) -> list[str]:
    by_pair: dict[tuple, list[Edge]] = {}
    for edge in relations.edges:
        pair = tuple(sorted((edge.source, edge.target), key=sort_key))
        by_pair.setdefault(pair, []).append(edge)
    out = []
    for pair, edges in by_pair.items():
        base = _clearance(pair, places)
        for index, edge in enumerate(sorted(edges, key=lambda e: KINDS.index(e.kind))):
            offset = base + BEND * ((index + 1) // 2) * (1 if index % 2 else -1)
            out.append(_edge(edge, pair, offset, relations, places, vocab))
    return out


def _clearance(pair, places: dict) -> float:
    """0 when the straight line between the pair passes clear of every other node, else a bend
    away from the nearest node it would cross."""
    (x1, y1), (x2, y2) = places[pair[0]], places[pair[1]]
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    nearest = None
    for value, (x, y) in places.items():
        t = ((x - x1) * (x2 - x1) + (y - y1) * (y2 - y1)) / length ** 2
        side = ((x - x1) * (y2 - y1) - (y - y1) * (x2 - x1)) / length  # signed distance
        if value not in pair and 0.05 < t < 0.95 and abs(side) < 20 and (nearest is None or abs(side) < abs(nearest)):
            nearest = side
    if nearest is None:
        return 0.0
    return BEND if nearest >= 0 else -BEND


def _edge(edge: Edge, pair, offset: float, relations, places, vocab: Vocabulary) -> str:
    (x1, y1), (x2, y2) = places[pair[0]], places[pair[1]]
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    nx, ny = -(y2 - y1) / length, (x2 - x1) / length
    cx, cy = (x1 + x2) / 2 + 2 * offset * nx, (y1 + y2) / 2 + 2 * offset * ny
    start, end = (x1, y1), (x2, y2)
    if edge.source != pair[0]:
        start, end = end, start
    colour, dash, width, _ = STYLES[edge.kind]
    tip = _toward(end, (cx, cy), _radius(relations, edge.target) + (2 if edge.directed else 0))
    begin = _toward(start, (cx, cy), _radius(relations, edge.source))
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    parts = [f'<g class="edge {edge.kind}"><title>{escape(_edge_title(edge, vocab))}</title>',
             f'<path d="M {begin[0]:.1f} {begin[1]:.1f} Q {cx:.1f} {cy:.1f} {tip[0]:.1f} {tip[1]:.1f}" '
             f'fill="none" stroke="{colour}" stroke-width="{width}" stroke-linecap="round"{dashed}/>']
    if edge.directed:
        parts.append(_arrow(tip, (cx, cy), colour))
    if edge.kind == LOCAL and edge.regions:
        mx, my = (begin[0] + 2 * cx + tip[0]) / 4, (begin[1] + 2 * cy + tip[1]) / 4
        names = ", ".join(vocab.name(r) for r in edge.regions)
        parts.append(f'<text x="{mx:.1f}" y="{my - 4:.1f}" text-anchor="middle" font-size="11" '
                     f'fill="{colour}" stroke="#ffffff" stroke-width="3" paint-order="stroke">'
                     f"{escape(names)}</text>")
    parts.append("</g>")
    return "".join(parts)


def _edge_title(edge: Edge, vocab: Vocabulary) -> str:
    text = "; ".join(dict.fromkeys(vocab.sentence(a) for a in edge.atoms))
    if edge.kind == HOSTILITY and edge.regions:
        text += " (fighting in " + ", ".join(vocab.name(r) for r in edge.regions) + ")"
    return text


def _radius(relations: Relations, value) -> float:
    return FOCUS_NODE if relations.node(value).focus else NODE


def _toward(point, target, distance: float):
    """The point `distance` away from `point` in the direction of `target`."""
    dx, dy = target[0] - point[0], target[1] - point[1]
    norm = math.hypot(dx, dy) or 1.0
    return point[0] + dx / norm * distance, point[1] + dy / norm * distance


def _arrow(tip, control, colour: str) -> str:
    dx, dy = tip[0] - control[0], tip[1] - control[1]
    norm = math.hypot(dx, dy) or 1.0
    ux, uy = dx / norm, dy / norm
    bx, by = tip[0] - 10 * ux, tip[1] - 10 * uy
    points = [tip, (bx - 4.5 * uy, by + 4.5 * ux), (bx + 4.5 * uy, by - 4.5 * ux)]
    return f'<polygon points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in points)}" fill="{colour}"/>'


def _nodes(relations: Relations, places: dict) -> list[str]:
    out = []
    for node in relations.nodes:
        x, y = places[node.id]
        lx, ly, anchor, _ = _label(node.id, relations, places)
        radius, weight = (FOCUS_NODE, ' font-weight="bold"') if node.focus else (NODE, "")
        fill = "#37474f" if node.focus else "#ffffff"
        out.append(f'<g class="node"><title>{escape(node.name)}</title>'
                   f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{fill}" stroke="#37474f" stroke-width="1.5"/>'
                   f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}"{weight} stroke="#ffffff" '
                   f'stroke-width="3" paint-order="stroke">{escape(node.name)}</text></g>')
    return out


def _legend(x: float, top: float) -> list[str]:
    out = ['<g class="legend">']
    for i, kind in enumerate(KINDS):
        colour, dash, width, text = STYLES[kind]
        y = top + 22 * i + 8
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + 40:.1f}" y2="{y:.1f}" stroke="{colour}" '
                   f'stroke-width="{width}" stroke-linecap="round"{dashed}/>')
        if kind == ALLEGIANCE:
            out.append(_arrow((x + 44, y), (x, y), colour))
        out.append(f'<text x="{x + 54:.1f}" y="{y + 4:.1f}">{escape(text)}</text>')
    out.append("</g>")
    return out
