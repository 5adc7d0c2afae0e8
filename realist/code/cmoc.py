"""CMO configurations (CMOCs) and the programme theory.

A CMOC belongs to a study and links one or more intervention codes (e.g.
peer roles), zero or more contexts, and one or more mechanisms and outcomes
— each element a codebook code of that kind, optionally backed by excerpts
of the study — with a short ``statement`` and a ``memo``.  A CMOC's
``stance`` is ``supports`` (the study reports the configuration) or
``contradicts`` (the study reports evidence against it); a single element can
also be marked ``contradicts`` (e.g. the outcome did not follow).

A CMOC with no study is a review-level *programme theory statement* (the
reference review's overall "CMO theme"); ``based_on`` lists the study CMOCs
it draws on.

Programme theory grouping rule (:func:`programme_theory`): each study CMOC
is expanded into *chains*, one per combination of one code from each role in
``by`` (default intervention, mechanism, outcome; with ``rollup`` codes are
first replaced by their highest codable ancestor).  Chains with the same
codes form a group.  A study *supports* a group when one of its CMOCs yields
the chain with stance ``supports`` and none of the chain's elements marked
``contradicts``; otherwise (CMOC stance ``contradicts``, or a chain element
marked so) it *contradicts* it.  For each group: the supporting studies with
their designs, the contradicting studies, and the codes of the other roles
(e.g. the contexts) with the studies that name them.  Groups are ordered by
number of supporting studies, then codebook order.  Each review-level
statement is listed with, per element, the studies whose CMOCs name that
code or a code beneath it, and the studies whose single CMOC matches an
element in every role the statement names.

Public functions: :func:`add_cmoc`, :func:`list_cmocs`, :func:`get_cmoc`,
:func:`update_cmoc`, :func:`programme_theory` and :func:`theory_evidence`
(the CMOCs and excerpts behind one node or edge of the programme theory
graph, :mod:`realist.report.theory_layout`).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InvalidInput, NotFound
from ..review import ReviewHandle
from ..store.models import Cmoc, CmocElement, CmocEvidence, Excerpt, Study
from ..vocabulary import CMO_ROLES, REQUIRED_CMO_ROLES
from .codebook import Codebook, load_codebook
from .studies import StudyRef, resolve_study

__all__ = [
    "ROLES",
    "STANCES",
    "CmocInfo",
    "TheoryGroup",
    "ProgrammeTheory",
    "add_cmoc",
    "list_cmocs",
    "programme_theory",
    "update_cmoc",
    "get_cmoc",
    "theory_evidence",
]

ROLES = CMO_ROLES
REQUIRED_ROLES = REQUIRED_CMO_ROLES
STANCES = ("supports", "contradicts")


@dataclass
class CmocInfo:
    """A CMOC as plain data; ``elements[role]`` lists ``{code, name, stance, excerpt_ids}``."""

    id: int
    study_id: int | None
    study_key: str | None
    ref_number: int | None
    statement: str
    memo: str | None
    stance: str
    based_on: list[int]
    elements: dict[str, list[dict[str, Any]]]
    created_by: str
    created_at: str

    def codes(self, role: str) -> list[str]:
        return [e["code"] for e in self.elements.get(role, [])]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TheoryGroup:
    key: dict[str, str | None]
    names: dict[str, str | None]
    supporting: list[dict[str, Any]] = field(default_factory=list)
    contradicting: list[dict[str, Any]] = field(default_factory=list)
    other_elements: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def n_supporting(self) -> int:
        return len(self.supporting)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "n_supporting": self.n_supporting}


@dataclass
class ProgrammeTheory:
    by: list[str]
    rollup: bool
    rule: str
    groups: list[TheoryGroup]
    statements: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "rollup": self.rollup,
            "rule": self.rule,
            "groups": [g.to_dict() for g in self.groups],
            "statements": self.statements,
        }


def _as_list(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    out: list[str] = []
    for v in value:
        v = str(v).strip()
        if v and v not in out:
            out.append(v)
    return out


def _evidence_pairs(excerpts: Mapping[str, Any] | Iterable[Any] | None) -> list[tuple[str, int]]:
    if not excerpts:
        return []
    items = excerpts.items() if isinstance(excerpts, Mapping) else excerpts
    out = []
    for item in items:
        if isinstance(item, str):
            code, sep, eid = item.partition("=")
            if not sep:
                raise InvalidInput(f"excerpt {item!r}: write CODE=EXCERPT_ID")
            ids: Any = [eid]
        else:
            code, ids = item
            if not isinstance(ids, (list, tuple, set)):
                ids = [ids]
        for eid in ids:
            try:
                out.append((str(code).strip(), int(eid)))
            except (TypeError, ValueError):
                raise InvalidInput(f"excerpt id {eid!r} for code {code!r} is not a number") from None
    return out


def add_cmoc(
    review: ReviewHandle,
    study: StudyRef | None,
    *,
    intervention: str | Sequence[str],
    context: str | Sequence[str] = (),
    mechanism: str | Sequence[str],
    outcome: str | Sequence[str],
    statement: str,
    memo: str | None = None,
    excerpts: Mapping[str, Any] | Iterable[Any] | None = None,
    stance: str = "supports",
    contradicts: Iterable[str] = (),
    based_on: Iterable[int] = (),
) -> CmocInfo:
    """Store a CMOC of ``study`` (``None``: a review-level programme theory statement).

    Each role takes one code or several; intervention, mechanism and outcome
    need at least one, context may be empty.  A code must exist, be codable
    and be of the role's kind.  ``excerpts`` maps a code of this CMOC to
    excerpt ids of the study (or ``["CODE=ID", ...]``); ``contradicts`` names
    element codes whose evidence contradicts them.  Any error: nothing stored.
    """
    codebook = load_codebook(review)
    roles = {
        "intervention": _as_list(intervention),
        "context": _as_list(context),
        "mechanism": _as_list(mechanism),
        "outcome": _as_list(outcome),
    }
    missing = [r for r in REQUIRED_ROLES if not roles[r]]
    if missing:
        raise InvalidInput(f"a CMO configuration needs at least one {' and one '.join(missing)} code")
    if not statement or not statement.strip():
        raise InvalidInput("a CMO configuration needs a short statement", field="statement")
    if stance not in STANCES:
        raise InvalidInput(f"stance must be one of {', '.join(STANCES)}, not {stance!r}")
    role_of: dict[str, str] = {}
    for role, codes in roles.items():
        for code_id in codes:
            code = codebook.require(code_id)
            if code.kind != role:
                raise InvalidInput(
                    f"code {code_id!r} ({code.name}) is a {code.kind} code and cannot fill "
                    f"the {role} of a CMO configuration"
                )
            if not code.codable:
                raise InvalidInput(f"code {code_id!r} ({code.name}) groups other codes and is not codable")
            role_of[code_id] = role
    contra = _as_list(list(contradicts))
    for code_id in contra:
        if code_id not in role_of:
            raise InvalidInput(
                f"{code_id} is marked as contradicting but is not an element of this CMO configuration",
                field="contradicts",
            )
    evidence = _evidence_pairs(excerpts)
    for code_id, _ in evidence:
        if code_id not in role_of:
            raise InvalidInput(f"excerpt for {code_id!r}: not an element of this CMO configuration")
    based = sorted({int(b) for b in based_on})
    with review.session() as session:
        target = resolve_study(session, review.review_id, study) if study is not None else None
        if based and target is not None:
            raise InvalidInput("only a review-level statement (no study) is based on other CMO configurations")
        for cid in based:
            other = session.get(Cmoc, cid)
            if other is None or other.review_id != review.review_id or other.study_id is None:
                raise NotFound(f"no study CMO configuration {cid} in this review")
        for _code_id, eid in evidence:
            ex = session.get(Excerpt, eid)
            if ex is None or ex.review_id != review.review_id:
                raise NotFound(f"no excerpt {eid} in this review")
            if target is not None and ex.study_id != target.id:
                raise InvalidInput(f"excerpt {eid} belongs to another study, not {target.key}")
        cmoc = Cmoc(
            review_id=review.review_id,
            study_id=target.id if target else None,
            statement=statement.strip(),
            memo=memo,
            stance=stance,
            based_on=based,
            created_by=review.actor,
        )
        session.add(cmoc)
        session.flush()
        elements: dict[str, CmocElement] = {}
        for role in ROLES:
            for pos, code_id in enumerate(roles[role]):
                el = CmocElement(
                    review_id=review.review_id,
                    cmoc_id=cmoc.id,
                    role=role,
                    code=code_id,
                    stance="contradicts" if code_id in contra else "supports",
                    position=pos,
                )
                session.add(el)
                elements[code_id] = el
        session.flush()
        for code_id, eid in dict.fromkeys(evidence):
            session.add(CmocEvidence(review_id=review.review_id, element_id=elements[code_id].id, excerpt_id=eid))
        session.flush()
        review.log(
            session,
            "cmoc.added",
            entity="cmoc",
            entity_id=cmoc.id,
            study_id=cmoc.study_id,
            statement=cmoc.statement,
            stance=stance,
            elements={r: roles[r] for r in ROLES},
            contradicts=contra,
            excerpts=[f"{c}={e}" for c, e in evidence],
            based_on=based,
        )
        return _cmoc_infos(session, review.review_id, [cmoc], codebook)[0]


def _cmoc_infos(session: Session, review_id: int, cmocs: list[Cmoc], codebook: Codebook) -> list[CmocInfo]:
    ids = [c.id for c in cmocs]
    els = (
        session.scalars(
            select(CmocElement)
            .where(CmocElement.review_id == review_id, CmocElement.cmoc_id.in_(ids))
            .order_by(CmocElement.position, CmocElement.id)
        ).all()
        if ids
        else []
    )
    ev: dict[int, list[int]] = defaultdict(list)
    if els:
        for element_id, excerpt_id in session.execute(
            select(CmocEvidence.element_id, CmocEvidence.excerpt_id)
            .where(CmocEvidence.element_id.in_([e.id for e in els]))
            .order_by(CmocEvidence.id)
        ):
            ev[element_id].append(excerpt_id)
    by_cmoc: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: {r: [] for r in ROLES})
    index = codebook.by_id()
    for e in els:
        code = index.get(e.code)
        by_cmoc[e.cmoc_id][e.role].append(
            {"code": e.code, "name": code.name if code else None, "stance": e.stance, "excerpt_ids": ev.get(e.id, [])}
        )
    studies = {s.id: s for s in session.scalars(select(Study).where(Study.review_id == review_id))}
    out = []
    for c in cmocs:
        s = studies.get(c.study_id) if c.study_id else None
        out.append(
            CmocInfo(
                id=c.id,
                study_id=c.study_id,
                study_key=s.key if s else None,
                ref_number=s.ref_number if s else None,
                statement=c.statement,
                memo=c.memo,
                stance=c.stance,
                based_on=list(c.based_on or []),
                elements=by_cmoc[c.id],
                created_by=c.created_by,
                created_at=c.created_at.isoformat(),
            )
        )
    return out


def list_cmocs(review: ReviewHandle, *, study: StudyRef | None = None, level: str = "all") -> list[CmocInfo]:
    """CMOCs in the order made; ``level`` is ``study``, ``review`` (statements) or ``all``."""
    if level not in ("study", "review", "all"):
        raise InvalidInput("level must be study, review or all")
    codebook = load_codebook(review)
    with review.session() as session:
        query = select(Cmoc).where(Cmoc.review_id == review.review_id)
        if study is not None:
            query = query.where(Cmoc.study_id == resolve_study(session, review.review_id, study).id)
        elif level == "study":
            query = query.where(Cmoc.study_id.is_not(None))
        elif level == "review":
            query = query.where(Cmoc.study_id.is_(None))
        return _cmoc_infos(session, review.review_id, list(session.scalars(query.order_by(Cmoc.id))), codebook)


def _study_dict(s: Study, cmoc_ids: Iterable[int]) -> dict[str, Any]:
    return {
        "study_id": s.id,
        "key": s.key,
        "label": s.label,
        "ref_number": s.ref_number,
        "design": s.design,
        "cmoc_ids": sorted(set(cmoc_ids)),
    }


def _study_order(s: dict[str, Any]) -> tuple[Any, ...]:
    return (s["ref_number"] is None, s["ref_number"] or 0, s["key"])


def programme_theory(
    review: ReviewHandle, *, by: Sequence[str] = ("intervention", "mechanism", "outcome"), rollup: bool = False
) -> ProgrammeTheory:
    """Group study CMOCs into recurring chains and relate the review's statements (module docstring)."""
    by = list(dict.fromkeys(by))
    bad = [r for r in by if r not in ROLES]
    if bad or not by:
        raise InvalidInput(f"group by one or more of {', '.join(ROLES)}")
    codebook = load_codebook(review)
    cmocs = list_cmocs(review)
    with review.session() as session:
        studies = {s.id: s for s in session.scalars(select(Study).where(Study.review_id == review.review_id))}
    order = {c.id: i for i, c in enumerate(codebook)}
    index = codebook.by_id()

    def up(code: str) -> str:
        return codebook.rollup(code) if rollup and code in index else code

    def name(code: str | None) -> str | None:
        return index[code].name if code in index else None

    chains: dict[tuple[str | None, ...], dict[str, Any]] = {}
    for c in (c for c in cmocs if c.study_id is not None):
        per_role: list[list[tuple[str | None, Any]]] = []
        for role in by:
            els = c.elements[role]
            per_role.append([(up(e["code"]), e["stance"]) for e in els] or [(None, "supports")])
        for combo in itertools.product(*per_role):
            key = tuple(code for code, _ in combo)
            against = c.stance == "contradicts" or any(st == "contradicts" for _, st in combo)
            g = chains.setdefault(
                key,
                {"for": defaultdict(set), "against": defaultdict(set), "other": defaultdict(lambda: defaultdict(set))},
            )
            g["against" if against else "for"][c.study_id].add(c.id)
            if not against:
                for role in ROLES:
                    if role not in by:
                        for e in c.elements[role]:
                            g["other"][role][up(e["code"])].add(c.study_id)
    groups = []
    for key, g in chains.items():
        support = sorted((_study_dict(studies[sid], ids) for sid, ids in g["for"].items()), key=_study_order)
        contra = sorted(
            (_study_dict(studies[sid], ids) for sid, ids in g["against"].items() if sid not in g["for"]),
            key=_study_order,
        )
        other = {
            role: [
                {
                    "code": code,
                    "name": name(code),
                    "studies": [
                        s["key"] for s in sorted((_study_dict(studies[sid], []) for sid in sids), key=_study_order)
                    ],
                }
                for code, sids in sorted(g["other"][role].items(), key=lambda kv: (-len(kv[1]), order.get(kv[0], 0)))
            ]
            for role in ROLES
            if role not in by
        }
        groups.append(
            TheoryGroup(
                key=dict(zip(by, key)),
                names={r: name(k) for r, k in zip(by, key)},
                supporting=support,
                contradicting=contra,
                other_elements=other,
            )
        )
    groups.sort(key=lambda g: (-g.n_supporting, [order.get(v or "", len(order)) for v in g.key.values()]))
    statements = [_statement(c, cmocs, studies, codebook, up) for c in cmocs if c.study_id is None]
    rule = (
        f"Study CMOCs expanded into one chain per combination of one {'/'.join(by)} code"
        f"{' (rolled up to the highest codable ancestor)' if rollup else ''}; identical chains grouped; "
        "a study supports a group through a CMOC of stance 'supports' with no chain element marked "
        "'contradicts', else contradicts it."
    )
    return ProgrammeTheory(by=by, rollup=rollup, rule=rule, groups=groups, statements=statements)


def _statement(
    stmt: CmocInfo, cmocs: list[CmocInfo], studies: dict[int, Study], codebook: Codebook, up: Any
) -> dict[str, Any]:
    def matches(code: str, target: str) -> bool:
        return code == target or target in {a.id for a in codebook.ancestors(code)} or up(code) == up(target)

    support: dict[str, dict[str, set[int]]] = {r: defaultdict(set) for r in ROLES}
    full_for: dict[int, set[int]] = defaultdict(set)
    full_against: dict[int, set[int]] = defaultdict(set)
    roles = [r for r in ROLES if stmt.elements[r]]
    for c in cmocs:
        if c.study_id is None:
            continue
        sid = c.study_id
        hit_all = True
        for role in ROLES:
            hit = False
            for target in stmt.codes(role):
                if any(matches(e["code"], target) for e in c.elements[role]):
                    hit = True
                    if c.stance == "supports":
                        support[role][target].add(sid)
            if role in roles and not hit:
                hit_all = False
        if hit_all:
            (full_for if c.stance == "supports" else full_against)[sid].add(c.id)

    def keyed(sids: Iterable[int]) -> list[dict[str, Any]]:
        return sorted((_study_dict(studies[s], []) for s in sids), key=_study_order)

    return {
        **stmt.to_dict(),
        "element_support": {
            r: [
                {"code": t, "name": e["name"], "studies": [s["key"] for s in keyed(support[r][t])]}
                for t, e in zip(stmt.codes(r), stmt.elements[r])
            ]
            for r in ROLES
        },
        "supporting_studies": sorted((_study_dict(studies[s], ids) for s, ids in full_for.items()), key=_study_order),
        "contradicting_studies": sorted(
            (_study_dict(studies[s], ids) for s, ids in full_against.items()), key=_study_order
        ),
    }


def update_cmoc(
    review: ReviewHandle,
    cmoc_id: int,
    *,
    statement: str | None = None,
    memo: str | None = None,
    stance: str | None = None,
) -> CmocInfo:
    """Change a CMOC's statement, memo or stance (``None`` leaves a field; memo ``""`` clears it)."""
    if statement is not None and not statement.strip():
        raise InvalidInput("a CMO configuration needs a short statement", field="statement")
    if stance is not None and stance not in STANCES:
        raise InvalidInput(f"stance must be one of {', '.join(STANCES)}, not {stance!r}")
    codebook = load_codebook(review)
    with review.session() as session:
        cmoc = session.get(Cmoc, cmoc_id)
        if cmoc is None or cmoc.review_id != review.review_id:
            raise NotFound(f"no CMO configuration {cmoc_id} in this review")
        after: dict[str, Any] = {}
        if statement is not None:
            after["statement"] = statement.strip()
        if memo is not None:
            after["memo"] = memo.strip() or None
        if stance is not None:
            after["stance"] = stance
        before = {k: getattr(cmoc, k) for k in after}
        for k, v in after.items():
            setattr(cmoc, k, v)
        session.flush()
        review.log(session, "cmoc.updated", entity="cmoc", entity_id=cmoc.id, before=before, after=after)
        return _cmoc_infos(session, review.review_id, [cmoc], codebook)[0]


def get_cmoc(review: ReviewHandle, cmoc_id: int) -> CmocInfo:
    codebook = load_codebook(review)
    with review.session() as session:
        cmoc = session.get(Cmoc, cmoc_id)
        if cmoc is None or cmoc.review_id != review.review_id:
            raise NotFound(f"no CMO configuration {cmoc_id} in this review")
        return _cmoc_infos(session, review.review_id, [cmoc], codebook)[0]


def theory_evidence(review: ReviewHandle, links: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """The study CMOCs behind a node or edge of the programme theory, with their excerpts.

    ``links`` is one ``(role, code)`` (a node) or two (an edge); a CMOC
    counts when it names every one of them.  Each answer: ``cmoc``
    (:class:`CmocInfo`), ``study`` (key, label, reference number) and
    ``excerpts`` (``{code, role, excerpt}`` with an
    :class:`~realist.code.coding.ExcerptInfo`) backing those elements.
    """
    from .coding import _excerpt_info

    bad = [r for r, _ in links if r not in ROLES]
    if bad or not links:
        raise InvalidInput(f"name a node or edge by role ({', '.join(ROLES)}) and code")
    cmocs = [c for c in list_cmocs(review, level="study") if all(code in c.codes(role) for role, code in links)]
    out: list[dict[str, Any]] = []
    with review.session() as session:
        studies = {s.id: s for s in session.scalars(select(Study).where(Study.review_id == review.review_id))}
        for c in cmocs:
            wanted = []
            for role, code in links:
                for e in c.elements[role]:
                    if e["code"] == code:
                        wanted += [(code, role, eid) for eid in e["excerpt_ids"]]
            rows = (
                {e.id: e for e in session.scalars(select(Excerpt).where(Excerpt.id.in_([w[2] for w in wanted])))}
                if wanted
                else {}
            )
            s = studies[c.study_id] if c.study_id else None
            out.append(
                {
                    "cmoc": c,
                    "study": _study_dict(s, [c.id]) if s else None,
                    "excerpts": [
                        {"code": code, "role": role, "excerpt": _excerpt_info(rows[eid])}
                        for code, role, eid in wanted
                        if eid in rows
                    ],
                }
            )
    out.sort(key=lambda x: (_study_order(x["study"]) if x["study"] else (True, 0, ""), x["cmoc"].id))
    return out
