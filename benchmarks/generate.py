"""Synthetic inputs for the benchmarks: knowledge bases in the vocabulary of kb/, graphs, a university.

Every generator is deterministic (a seed fixes it) and returns program text in the language of
docs/language.md, so the engine loads it the way a user's file is loaded; the baselines are
built from the parsed text. Sizes grow linearly: no generated relation makes the shipped rules
quadratic (groups come in clusters of ten, and reports, claims and enemies stay local to a
cluster), so a time that grows faster than the size is the engine's doing, not the data's.

- `expert_case(groups)`: about 10 facts per group, for `kb/rules` (`alliance`, `rift`,
  `credible`, `same_origin`, `local_alliance`, ... all have answers); `alliance_pairs` gives the
  point queries asked of it.
- `chain_edges(n)`, `cyclic_edges(n)` and `closure_program(edges)`: transitive closure.
- `university(departments)`: a LUBM-like ontology program, ~50 rules (two of them recursive),
  about 2,400 facts per department.
"""

from __future__ import annotations

import datetime
import random

DAY = datetime.date(2014, 11, 15)  # every benchmark evaluates as of this day
SOURCE = 'source synth {title: "Synthetic case for the benchmarks", date: 2014-11}.\n'
CLUSTER = 10  # groups per cluster: one region, one regime, one report
DUMMY_FACT = 'described_as(bench_dummy, "used by no rule") @synth.'  # edits that change no answer


def _fact(predicate: str, *args: str, valid: str = "") -> str:
    return f"{predicate}({', '.join(args)}){valid} @synth."


def expert_case(groups: int, seed: int = 1) -> str:
    """A case of `groups` armed groups (at least 10) in the vocabulary of kb/, about 10 facts each."""
    rng = random.Random(seed)
    lines = [SOURCE, 'term_denies("jamaat ad-dawla", state) @synth.',
             'term_affirms("ad-dawla al-islamiya", state) @synth.']
    clusters = max(1, groups // CLUSTER)
    for c in range(clusters):
        lines.extend(_cluster(c, clusters, rng))
    return "\n".join(lines) + "\n"


def _cluster(c: int, clusters: int, rng: random.Random) -> list[str]:
    """Ten groups: a leader (k=0), its followers, a feuding pair, a regime (k=9), one report."""
    g = [f"g{c * CLUSTER + k}" for k in range(CLUSTER)]
    region, nxt, place = f"r{c}", f"r{(c + 1) % clusters}", f"p{c}"
    out = []
    for k, name in enumerate(g):
        out += [_fact("group", name), _fact("alias", name, f'"Group {c * CLUSTER + k}"'),
                _fact("ideology", name, f"ideology{c * 3 + k % 3}"), _fact("present", name, region)]
        if k < 5:  # five groups fight the cluster's regime, so they have a common enemy
            out.append(_fact("fights", name, g[9], region))
        if k in (1, 2):
            out.append(_fact("pledged", name, g[0]))
    leader = g[0]
    claimant = f"g{(c % 3) * CLUSTER}"  # the leaders of the first three clusters claim statehood
    out += [_fact("self_designation", leader, '"ad-dawla al-islamiya"'),
            _fact("present", leader, nxt), _fact("charges", g[3], g[4], "defection", valid=" from 2013-04"),
            _fact("refers_to", g[5], claimant, '"jamaat ad-dawla"'),
            _fact("refers_to", g[6], claimant, '"ad-dawla al-islamiya"'),
            _fact("member_of", g[6], leader, valid=" to 2013-03"), _fact("member_of", g[6], f"coalition{c}"),
            _fact("member_of", g[7], f"coalition{c}"), _fact("fights", g[7], g[8], region),
            _fact("targets", g[8], g[5]), _fact("controls", g[4], place),
            _fact("access_granted", g[4], g[0], place), _fact("avoids_fighting", g[2], g[5]),
            _fact("withdrew", g[7], nxt, valid=" from 2014"), _fact("leader_of", f"person{c}", leader)]
    if c < 3:  # three claim to be a state, whatever the size: `withholds_recognition` stays linear
        out.append(_fact("claims_status", leader, "state"))
    for k in (0, 1):
        out += [_fact("isolated", g[k], region), _fact("cannot_hold_alone", g[k], region)]
    out.append(_fact("cooperates", g[0], g[1], region))
    out.append(_fact("cooperates", g[2], g[8], region))
    if c == 0:  # one caliphate claimant, with two failed outreach initiatives towards it
        out += [_fact("claims_status", leader, "caliphate", valid=" from 2014-06-29"),
                _fact("demands_allegiance_of_all", leader, valid=" from 2014-06-29"),
                _fact("demands_sole_authority", leader)]
        for i in (1, 2):
            out += [_fact("initiative", f"init{c}_{i}"), _fact("outreach_to", f"init{c}_{i}", leader),
                    _fact("failed", f"init{c}_{i}")]
    return out + _report(c, g, rng)


def _report(c: int, g: list[str], rng: random.Random) -> list[str]:
    """One report per cluster, with three claims; reports of three neighbouring clusters share
    an organisation behind their informants (so `same_origin` has cycles) and a venue."""
    report, claims = f"rep{c}", [f"claim{c}_{i}" for i in range(3)]
    informant, org, evidence = f"inf{c}", f"org{c // 3}", f"ev{c}"
    out = [_fact("report", report)] + [_fact("reports", report, claim) for claim in claims]
    a, b = g[rng.randrange(5)], g[5 + rng.randrange(4)]
    out += [_fact("alleges_alliance", claims[0], a, b), _fact("attributed_to", claims[0], informant),
            _fact("informant", informant), _fact("linked_to", informant, org),
            _fact("supported_by", claims[0], evidence), _fact("alleged_venue", claims[0], f"venue{c // 3}"),
            
            _fact("alleges_joint_campaign", claims[2], a, b, g[9])]
    if c % 3 == 0:  # an attendee whose coalition partner fights one of the claimed allies
        out.append(_fact("alleged_attendee", claims[0], g[6]))
    if c % 4 == 0:  # the report contradicts itself
        out.append(_fact("alleges_defection", claims[1], b, a))
    if c % 8 == 1:  # places a group where it no longer is
        out.append(_fact("alleges_activity", claims[1], g[7], f"r{c + 1}"))
    if c % 6 == 1:
        out.append(_fact("evidence_kind", evidence, "hearsay"))
    if c % 5 == 0:
        out += [_fact("manipulated", evidence), _fact("stands_to_gain", org, a, b)]
    if c % 7 == 3:  # a third party on the ground denies it
        out += [_fact("alleges_activity", claims[2], b, f"r{c}"), _fact("denies", g[9], claims[2])]
    return out


def alliance_pairs(groups: int, count: int, seed: int = 2) -> list[tuple[str, str]]:
    """`count` distinct pairs of groups of one cluster, for `alliance(A, B)?` point queries;
    about half of them are allies (the rest are divided by a rift or share no ground)."""
    rng = random.Random(seed)
    clusters = max(1, groups // CLUSTER)
    pairs: list[tuple[str, str]] = []
    seen = set()
    while len(pairs) < count and len(seen) < clusters * 45:
        c = rng.randrange(clusters)
        i, j = sorted(rng.sample(range(CLUSTER), 2))
        if (c, i, j) not in seen:
            seen.add((c, i, j))
            pairs.append((f"g{c * CLUSTER + i}", f"g{c * CLUSTER + j}"))
    return pairs


def fact_count(text: str) -> int:
    """How many facts a generated text states (one per line that cites `@synth`)."""
    return sum(1 for line in text.splitlines() if line.endswith("@synth."))


# -- graphs ---------------------------------------------------------------------------------
CLOSURE_RULES = "path(X, Y) :- edge(X, Y).\npath(X, Y) :- path(X, Z), edge(Z, Y).\n"


def chain_edges(n: int) -> list[tuple[int, int]]:
    """The edges of a chain of `n` nodes: n(n-1)/2 paths."""
    return [(i, i + 1) for i in range(n - 1)]


def cyclic_edges(n: int, seed: int = 3) -> list[tuple[int, int]]:
    """A random digraph of `n` nodes and 2n edges, one cycle through every node included
    (so every node reaches every other: n² paths)."""
    rng = random.Random(seed)
    edges = {(i, (i + 1) % n) for i in range(n)}
    while len(edges) < 2 * n:
        a, b = rng.randrange(n), rng.randrange(n)
        if a != b:
            edges.add((a, b))
    return sorted(edges)


def closure_program(edges: list[tuple[int, int]]) -> str:
    """`edge` facts (nodes `n0`, `n1`, ...) and the left-linear transitive closure `path`."""
    return "".join(f"edge(n{a}, n{b}).\n" for a, b in edges) + CLOSURE_RULES


# -- a LUBM-like university ---------------------------------------------------------------
UNIVERSITY_RULES = """\
professor(X) :- full_professor(X).
professor(X) :- associate_professor(X).
professor(X) :- assistant_professor(X).
faculty(X) :- professor(X).
faculty(X) :- lecturer(X).
chair(X) :- head_of(X, D), department(D).
employee(X) :- faculty(X).
employee(X) :- works_for(X, _).
student(X) :- undergraduate_student(X).
student(X) :- graduate_student(X).
student(X) :- takes_course(X, _).
teaching_assistant(X) :- teaching_assistant_of(X, C), course(C).
research_assistant(X) :- graduate_student(X), works_for(X, G), research_group(G).
person(X) :- faculty(X).
person(X) :- student(X).
person(X) :- employee(X).
organization(X) :- university(X).
organization(X) :- school(X).
organization(X) :- department(X).
organization(X) :- research_group(X).
sub_org(X, Y) :- sub_organization_of(X, Y).
sub_org(X, Z) :- sub_org(X, Y), sub_organization_of(Y, Z).
member(X, Y) :- member_of(X, Y).
member(X, Y) :- works_for(X, Y).
member(X, Z) :- member(X, Y), sub_organization_of(Y, Z).
degree_from(X, U) :- undergraduate_degree_from(X, U).
degree_from(X, U) :- masters_degree_from(X, U).
degree_from(X, U) :- doctoral_degree_from(X, U).
alumnus(U, X) :- degree_from(X, U), university(U).
course_of(C, D) :- teacher_of(P, C), works_for(P, D), department(D).
graduate_course_taker(S) :- takes_course(S, C), graduate_course(C).
advised_by_professor(S, P) :- advisor(S, P), professor(P).
coauthor(P, Q) :- publication_author(B, P), publication_author(B, Q), P != Q.
taught_by_advisor(S, C) :- advisor(S, P), teacher_of(P, C), takes_course(S, C).
home_graduate(S) :- graduate_student(S), member_of(S, D), sub_org(D, U), undergraduate_degree_from(S, U).
works_in_university(P, U) :- works_for(P, D), sub_org(D, U), university(U).
studies_in_university(S, U) :- member_of(S, D), sub_org(D, U), university(U).
colleague(P, Q) :- works_for(P, D), works_for(Q, D), department(D), P != Q.
university_chair(P, U) :- chair(P), head_of(P, D), sub_org(D, U), university(U).
teaches_graduates(P) :- teacher_of(P, C), graduate_course(C).
teaches_undergraduates(P) :- teacher_of(P, C), course(C), not graduate_course(C).
undergraduate_only(S) :- undergraduate_student(S), not graduate_course_taker(S).
advised(S) :- advisor(S, _).
unadvised_graduate(S) :- graduate_student(S), not advised(S).
publishing(P) :- faculty(P), publication_author(_, P).
silent_faculty(P) :- faculty(P), not publishing(P).
student_author(S) :- student(S), publication_author(_, S).
has_parent(X) :- sub_organization_of(X, _).
top_organization(X) :- organization(X), not has_parent(X).
group_of_university(G, U) :- research_group(G), sub_org(G, U), university(U).
faculty_of_university(P, U) :- faculty(P), works_in_university(P, U).
foreign_graduate(S) :- graduate_student(S), studies_in_university(S, U), degree_from(S, V), university(V), U != V.
advisor_colleague(S, Q) :- advisor(S, P), colleague(P, Q).
busy_professor(P) :- professor(P), teacher_of(P, C), teacher_of(P, D), C != D.
"""

_RANKS = (("full_professor", 6), ("associate_professor", 8), ("assistant_professor", 7), ("lecturer", 5))


def university(departments: int, seed: int = 4) -> str:
    """A LUBM-like university program: `departments` departments (four per school, five schools per
    university), about 2,400 facts each, and UNIVERSITY_RULES."""
    rng = random.Random(seed)
    universities = max(1, -(-departments // 20))
    out = [f"university(u{u})." for u in range(universities)]
    for s in range(-(-departments // 4)):
        out += [f"school(s{s}).", f"sub_organization_of(s{s}, u{s // 5})."]
    for d in range(departments):
        out += _department(d, universities, rng)
    return "\n".join(out) + "\n" + UNIVERSITY_RULES


def _department(d: int, universities: int, rng: random.Random) -> list[str]:
    dept = f"d{d}"
    out = [f"department({dept}).", f"sub_organization_of({dept}, s{d // 4})."]
    groups = [f"rg{d}_{i}" for i in range(4)]
    for g in groups:
        out += [f"research_group({g}).", f"sub_organization_of({g}, {dept})."]
    faculty, courses, graduate_courses = [], [], []
    for rank, count in _RANKS:
        for i in range(count):
            person = f"{rank[:2]}{d}_{i}"
            faculty.append(person)
            out += [f"{rank}({person}).", f"works_for({person}, {dept}).",
                    f"doctoral_degree_from({person}, u{rng.randrange(universities)}).",
                    f"undergraduate_degree_from({person}, u{rng.randrange(universities)}).",
                    f"masters_degree_from({person}, u{rng.randrange(universities)})."]
            for j in range(2):
                course = f"c{d}_{len(courses)}"
                courses.append(course)
                out += [f"course({course}).", f"teacher_of({person}, {course})."]
            if rank != "lecturer":
                course = f"gc{d}_{len(graduate_courses)}"
                graduate_courses.append(course)
                out += [f"course({course}).", f"graduate_course({course}).", f"teacher_of({person}, {course})."]
            for j in range(rng.randrange(3, 12)):
                out.append(f"publication_author(pub{d}_{person}_{j}, {person}).")
    out.append(f"head_of({faculty[0]}, {dept}).")
    professors = [p for p in faculty if not p.startswith("le")]
    for i in range(300):
        student = f"us{d}_{i}"
        out += [f"undergraduate_student({student}).", f"member_of({student}, {dept})."]
        out += [f"takes_course({student}, {c})." for c in rng.sample(courses, rng.randrange(2, 5))]
        if i % 5 == 0:
            out.append(f"advisor({student}, {rng.choice(professors)}).")
    for i in range(90):
        student = f"gs{d}_{i}"
        out += [f"graduate_student({student}).", f"member_of({student}, {dept}).",
                f"undergraduate_degree_from({student}, u{rng.randrange(universities)}).",
                f"takes_course({student}, {rng.choice(graduate_courses)}).",
                f"takes_course({student}, {rng.choice(graduate_courses)})."]
        if i % 10:
            out.append(f"advisor({student}, {rng.choice(professors)}).")
        if i % 4 == 0:
            out.append(f"teaching_assistant_of({student}, {rng.choice(courses)}).")
        if i % 5 == 0:
            out.append(f"works_for({student}, {rng.choice(groups)}).")
        if i % 3 == 0:
            author = rng.choice(professors)
            out.append(f"publication_author(pub{d}_{author}_0, {student}).")
    return out
