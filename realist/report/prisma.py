"""PRISMA 2020 flow-diagram counts, derived from the review's own store.

:func:`prisma_counts` walks the sources, duplicates and screening decisions
and fills every box of the official PRISMA 2020 template (Page et al., BMJ
2021;372:n71): the *databases and registers* column, the *other methods*
column (citation searching, hand searching, websites, organisations) and,
for an updated review, the *previous studies* column.

Two ways to enter counts that happened outside the tool, both marked as such
in every output (``PrismaCounts.manual``):

* a source's ``details["outside_tool"]`` — records that came from that
  source but were never imported (e.g. papers screened out on paper)::

      {"identified": 19, "excluded": 19, "reason": "Not eligible", "note": "..."}

  ``identified`` is added to the source's count and ``excluded`` to the
  column's excluded reports (other methods) or records (databases) under
  ``reason``.
* a ``prisma:`` section of ``protocol.yaml`` whose keys are the field names
  of the PRISMA2020 R package / Shiny app (``previous_studies``,
  ``register_results``, ``excluded_automatic``, ``dbr_excluded`` ...): each
  value *replaces* the computed one.  Counts per source or per reason are
  mappings, e.g. ``dbr_excluded: {Wrong population: 4}``.

Column membership follows each record's source: ``database`` sources (and
registers: ``details["register"]: true``) feed the left column, every other
kind the *other methods* column.  In the template, other-methods records
are assessed as reports, so their title/abstract exclusions are counted as
reports excluded, with their reasons.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from ..errors import InvalidInput
from ..review import ReviewHandle
from ..screen.decisions import exclusion_criteria, statuses
from ..store.models import Assignment, Decision, Record, Source

__all__ = [
    "PrismaCounts",
    "prisma_counts",
    "prisma_csv",
    "write_prisma_csv",
    "OTHER_CATEGORIES",
    "RPKG_FIELDS",
]

# Source kind -> the label the "other methods" box uses (PRISMA 2020 template
# wording; hand searching is an "etc." of the template).
OTHER_CATEGORIES: dict[str, str] = {
    "citation": "Citation searching",
    "hand_search": "Hand searching",
    "website": "Websites",
    "organisation": "Organisations",
    "other": "Other sources",
}
_CATEGORY_ALIASES = {
    "citation_searching": "citation",
    "citations": "citation",
    "citation": "citation",
    "hand_searching": "hand_search",
    "hand_search": "hand_search",
    "handsearch": "hand_search",
    "websites": "website",
    "website": "website",
    "organisations": "organisation",
    "organisation": "organisation",
    "organizations": "organisation",
    "other": "other",
}

NOT_RETRIEVED = re.compile(r"retriev|no full[- ]?text|not available|unavailable|not obtain", re.I)
NO_REASON = "Reason not recorded"

# Field names of the PRISMA2020 R package / Shiny app data sheet, in its
# order, with the text of each box.  Written from the field names; ``None``
# as field means a title or phase box without a count.
RPKG_FIELDS: list[tuple[str | None, str | None, str, str, str]] = [
    # (data, node, box, description, boxtext)
    (None, "node4", "prevstud", "Grey title box; Previous studies", "Previous studies"),
    (
        "previous_studies",
        "node5",
        "box1",
        "Studies included in previous version of review",
        "Studies included in previous version of review",
    ),
    (
        "previous_reports",
        None,
        "box1",
        "Reports of studies included in previous version of review",
        "Reports of studies included in previous version of review",
    ),
    (
        None,
        "node6",
        "newstud",
        "Yellow title box; Identification of new studies via databases and registers",
        "Identification of new studies via databases and registers",
    ),
    ("database_results", "node7", "box2", "Records identified from: Databases", "Databases"),
    ("database_specific_results", None, "box2", "Records identified from: specific databases", "Specific Databases"),
    ("register_results", None, "box2", "Records identified from: Registers", "Registers"),
    ("register_specific_results", None, "box2", "Records identified from: specific registers", "Specific Registers"),
    (
        None,
        "node16",
        "othstud",
        "Grey title box; Identification of new studies via other methods",
        "Identification of new studies via other methods",
    ),
    ("website_results", "node17", "box11", "Records identified from: Websites", "Websites"),
    ("organisation_results", None, "box11", "Records identified from: Organisations", "Organisations"),
    ("citations_results", None, "box11", "Records identified from: Citation searching", "Citation searching"),
    ("duplicates", "node8", "box3", "Duplicate records", "Duplicate records"),
    (
        "excluded_automatic",
        None,
        "box3",
        "Records marked as ineligible by automation tools",
        "Records marked as ineligible by automation tools",
    ),
    ("excluded_other", None, "box3", "Records removed for other reasons", "Records removed for other reasons"),
    ("records_screened", "node9", "box4", "Records screened (databases and registers)", "Records screened"),
    ("records_excluded", "node10", "box5", "Records excluded (databases and registers)", "Records excluded"),
    (
        "dbr_sought_reports",
        "node11",
        "box6",
        "Reports sought for retrieval (databases and registers)",
        "Reports sought for retrieval",
    ),
    (
        "dbr_notretrieved_reports",
        "node12",
        "box7",
        "Reports not retrieved (databases and registers)",
        "Reports not retrieved",
    ),
    ("other_sought_reports", "node18", "box12", "Reports sought for retrieval (other)", "Reports sought for retrieval"),
    ("other_notretrieved_reports", "node19", "box13", "Reports not retrieved (other)", "Reports not retrieved"),
    (
        "dbr_assessed",
        "node13",
        "box8",
        "Reports assessed for eligibility (databases and registers)",
        "Reports assessed for eligibility",
    ),
    (
        "dbr_excluded",
        "node14",
        "box9",
        "Reports excluded (databases and registers): reasons and numbers separated by ;",
        "Reports excluded",
    ),
    (
        "other_assessed",
        "node20",
        "box14",
        "Reports assessed for eligibility (other)",
        "Reports assessed for eligibility",
    ),
    (
        "other_excluded",
        "node21",
        "box15",
        "Reports excluded (other): reasons and numbers separated by ;",
        "Reports excluded",
    ),
    ("new_studies", "node15", "box10", "New studies included in review", "New studies included in review"),
    ("new_reports", None, "box10", "Reports of new included studies", "Reports of new included studies"),
    ("total_studies", "node22", "box16", "Total studies included in review", "Total studies included in review"),
    ("total_reports", None, "box16", "Reports of total included studies", "Reports of total included studies"),
    (None, "node1", "identification", "Blue identification box", "Identification"),
    (None, "node2", "screening", "Blue screening box", "Screening"),
    (None, "node3", "included", "Blue included box", "Included"),
    (
        "total_studies_ma",
        "node23",
        "box17",
        "Total studies included in meta-analysis",
        "Total studies included in meta-analysis",
    ),
    (
        "total_reports_ma",
        None,
        "box17",
        "Reports of total included studies in meta-analysis",
        "Reports of total included studies in meta-analysis",
    ),
]
_RPKG_SLOTS = ("website_results", "organisation_results", "citations_results")


@dataclass
class PrismaCounts:
    """Every count of a PRISMA 2020 flow diagram.

    Mappings keep their parts (per database, per other-methods category,
    per exclusion reason); the box totals are properties.  ``manual`` names
    the fields (and ``"other:<category>"`` entries) counted outside the tool;
    ``awaiting`` counts what still waits for a decision (screening not
    finished): ``records`` (databases, title/abstract), ``dbr_reports``
    (databases, full text) and ``other_reports`` (other methods, any stage).
    """

    databases: dict[str, int] = field(default_factory=dict)
    registers: dict[str, int] = field(default_factory=dict)
    other_methods: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    excluded_automatic: int = 0
    excluded_other: int = 0
    records_screened: int = 0
    records_excluded: int = 0
    dbr_sought_reports: int = 0
    dbr_notretrieved_reports: int = 0
    dbr_assessed: int = 0
    dbr_excluded: dict[str, int] = field(default_factory=dict)
    other_sought_reports: int = 0
    other_notretrieved_reports: int = 0
    other_assessed: int = 0
    other_excluded: dict[str, int] = field(default_factory=dict)
    new_studies: int = 0
    new_reports: int = 0
    previous_studies: int | None = None
    previous_reports: int | None = None
    awaiting: dict[str, int] = field(default_factory=dict)
    manual: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    full_text_used: bool = True

    # ----------------------------------------------------------- totals
    @property
    def database_results(self) -> int:
        return sum(self.databases.values())

    @property
    def register_results(self) -> int:
        return sum(self.registers.values())

    @property
    def other_results(self) -> int:
        return sum(self.other_methods.values())

    @property
    def identified(self) -> int:
        """All records identified, every column (the diagram's entry count)."""
        return self.database_results + self.register_results + self.other_results

    @property
    def removed_before_screening(self) -> int:
        return self.duplicates + self.excluded_automatic + self.excluded_other

    def summary(self) -> list[tuple[str, int]]:
        """The main boxes of the PRISMA 2020 diagram, in its words and order (dashboards, quick views)."""
        rows = [
            ("Records identified from databases and registers", self.database_results + self.register_results),
            ("Records removed before screening", self.removed_before_screening),
            ("Records screened", self.records_screened),
            ("Records excluded", self.records_excluded),
            ("Reports sought for retrieval", self.dbr_sought_reports),
            ("Reports not retrieved", self.dbr_notretrieved_reports),
            ("Reports assessed for eligibility", self.dbr_assessed),
            ("Reports excluded", sum(self.dbr_excluded.values())),
        ]
        if self.has_other_methods:
            rows += [
                ("Records identified from other methods", self.other_results),
                ("Reports assessed from other methods", self.other_assessed),
                ("Reports excluded (other methods)", sum(self.other_excluded.values())),
            ]
        rows += [("Studies included in review", self.total_studies)]
        return rows

    @property
    def is_update(self) -> bool:
        return self.previous_studies is not None or self.previous_reports is not None

    @property
    def has_other_methods(self) -> bool:
        return bool(self.other_methods) or self.other_sought_reports > 0

    @property
    def total_studies(self) -> int:
        return self.new_studies + (self.previous_studies or 0)

    @property
    def total_reports(self) -> int:
        return self.new_reports + (self.previous_reports or 0)

    @property
    def has_screening(self) -> bool:
        return bool(self.records_screened or self.other_sought_reports)

    def is_manual(self, name: str) -> bool:
        return name in self.manual

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict: every field and total."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            out[name] = sorted(value) if isinstance(value, set) else value
        for name in (
            "database_results",
            "register_results",
            "other_results",
            "identified",
            "removed_before_screening",
            "total_studies",
            "total_reports",
        ):
            out[name] = getattr(self, name)
        return out


# ------------------------------------------------------------------ derivation


def _category(source: Source) -> str:
    details = source.details or {}
    if details.get("prisma_label"):  # the team's own wording for the box line
        return str(details["prisma_label"])
    wanted = str(details.get("prisma_category") or "").strip().lower().replace(" ", "_")
    key = _CATEGORY_ALIASES.get(wanted) or _CATEGORY_ALIASES.get(source.kind, "other")
    return OTHER_CATEGORIES[key]


def _is_register(source: Source) -> bool:
    return bool((source.details or {}).get("register"))


def _add(mapping: dict[str, int], key: str, n: int) -> None:
    mapping[key] = mapping.get(key, 0) + n


def _stage_used(review: ReviewHandle, stage: str) -> bool:
    with review.session() as session:
        decided = (
            session.scalar(
                select(func.count())
                .select_from(Decision)
                .where(Decision.review_id == review.review_id, Decision.stage == stage)
            )
            or 0
        )
        assigned = (
            session.scalar(
                select(func.count())
                .select_from(Assignment)
                .where(Assignment.review_id == review.review_id, Assignment.stage == stage)
            )
            or 0
        )
    return bool(decided or assigned)


def prisma_counts(review: ReviewHandle) -> PrismaCounts:
    """The PRISMA 2020 counts of a review, from its store and protocol."""
    counts = PrismaCounts()
    with review.session() as session:
        sources = {
            s.id: s
            for s in session.scalars(select(Source).where(Source.review_id == review.review_id).order_by(Source.id))
        }
        rows = session.execute(
            select(Record.id, Record.source_id, Record.duplicate_of_id, Record.study_id).where(
                Record.review_id == review.review_id
            )
        ).all()
        for src in sources.values():
            session.expunge(src)
    # identification, per source
    per_source = Counter(src_id for _, src_id, _, _ in rows)
    column: dict[int, str] = {}
    for sid, src in sources.items():
        n = per_source.get(sid, 0)
        if src.kind == "database":
            column[sid] = "dbr"
            _add(counts.registers if _is_register(src) else counts.databases, src.name, n)
        else:
            column[sid] = "other"
            _add(counts.other_methods, _category(src), n)
    record_column = {rid: column[src_id] for rid, src_id, _, _ in rows}
    study_of = {rid: study_id for rid, _, _, study_id in rows}
    other_duplicates = 0
    for rid, _, dup, _ in rows:
        if dup is not None:
            if record_column[rid] == "dbr":
                counts.duplicates += 1
            else:
                other_duplicates += 1
    if other_duplicates:
        counts.notes.append(
            f"{other_duplicates} record(s) found by other methods duplicated records already "
            "identified and are not counted again after identification."
        )

    ta_labels = exclusion_criteria(review, "title_abstract")
    ft_labels = exclusion_criteria(review, "full_text")
    ta = statuses(review, "title_abstract") if rows else {}
    counts.full_text_used = _stage_used(review, "full_text") if rows else True
    ft = statuses(review, "full_text") if rows and counts.full_text_used else {}
    if rows and not counts.full_text_used and any(s.status == "included" for s in ta.values()):
        counts.notes.append(
            "No full-text screening is recorded: reports are counted as assessed and included "
            "as decided at title/abstract screening."
        )

    def label(reason: str | None, labels: dict[str, str]) -> str:
        if not reason:
            return NO_REASON
        return labels.get(reason, reason)

    waiting: Counter[str] = Counter()
    included: list[int] = []
    for rid, state in ta.items():
        col = record_column[rid]
        if state.status in ("pending", "conflict"):
            waiting["records" if col == "dbr" else "other_reports"] += 1
        if col == "dbr":
            counts.records_screened += 1
            if state.status == "excluded":
                counts.records_excluded += 1
            elif state.status == "included":
                counts.dbr_sought_reports += 1
        else:
            counts.other_sought_reports += 1
            if state.status == "excluded":
                _add(counts.other_excluded, label(state.reason, ta_labels), 1)
        if state.status == "included" and not counts.full_text_used:
            included.append(rid)
    for rid, state in ft.items():
        col = record_column[rid]
        if state.status in ("pending", "conflict"):
            waiting["dbr_reports" if col == "dbr" else "other_reports"] += 1
        elif state.status == "excluded":
            reason = label(state.reason, ft_labels)
            if state.reason and (NOT_RETRIEVED.search(state.reason) or NOT_RETRIEVED.search(reason)):
                if col == "dbr":
                    counts.dbr_notretrieved_reports += 1
                else:
                    counts.other_notretrieved_reports += 1
            else:
                _add(counts.dbr_excluded if col == "dbr" else counts.other_excluded, reason, 1)
        elif state.status == "included":
            included.append(rid)
    counts.dbr_assessed = counts.dbr_sought_reports - counts.dbr_notretrieved_reports
    counts.other_assessed = counts.other_sought_reports - counts.other_notretrieved_reports
    counts.awaiting = {k: v for k, v in sorted(waiting.items()) if v}
    counts.new_reports = len(included)
    studies = {study_of[rid] if study_of.get(rid) is not None else f"record:{rid}" for rid in included}
    counts.new_studies = len(studies)

    _apply_outside_tool(counts, sources.values())
    _apply_protocol(counts, review.protocol().get("prisma"))
    return counts


def _apply_outside_tool(counts: PrismaCounts, sources: Any) -> None:
    for src in sources:
        extra = (src.details or {}).get("outside_tool")
        if not extra:
            continue
        if not isinstance(extra, dict):
            raise InvalidInput(f"source {src.name!r}: details.outside_tool must be a mapping")
        identified = _as_count(extra.get("identified", 0), f"source {src.name!r} outside_tool.identified")
        excluded = _as_count(extra.get("excluded", 0), f"source {src.name!r} outside_tool.excluded")
        reason = str(extra.get("reason") or NO_REASON)
        if src.kind == "database":
            target = counts.registers if _is_register(src) else counts.databases
            _add(target, src.name, identified)
            counts.records_screened += identified
            counts.records_excluded += excluded
            counts.manual.update({"database_results", "records_screened", "records_excluded"})
            counts.manual.add(f"source:{src.name}")
            # identified but not excluded records stay unexplained: say so.
            if identified > excluded:
                counts.notes.append(
                    f"{identified - excluded} record(s) of {src.name!r} counted "
                    "outside realist were neither imported nor excluded."
                )
        else:
            cat = _category(src)
            _add(counts.other_methods, cat, identified)
            counts.other_sought_reports += identified
            counts.other_assessed += identified
            if excluded:
                _add(counts.other_excluded, reason, excluded)
                counts.manual.add(f"other_excluded:{reason}")
            counts.manual.update({f"other:{cat}", "other_sought_reports", "other_assessed"})
            if identified > excluded:
                counts.notes.append(
                    f"{identified - excluded} record(s) of {src.name!r} counted "
                    "outside realist were neither imported nor excluded."
                )
        if extra.get("note"):
            counts.notes.append(f"{src.name}: {extra['note']}")


def _as_count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"{where} must be a whole number of records, not {value!r}")
    return value


_SCALAR_OVERRIDES = (
    "duplicates",
    "excluded_automatic",
    "excluded_other",
    "records_screened",
    "records_excluded",
    "dbr_sought_reports",
    "dbr_notretrieved_reports",
    "dbr_assessed",
    "other_sought_reports",
    "other_notretrieved_reports",
    "other_assessed",
    "new_studies",
    "new_reports",
    "previous_studies",
    "previous_reports",
)
_MAPPING_OVERRIDES = {
    "database_specific_results": "databases",
    "register_specific_results": "registers",
    "dbr_excluded": "dbr_excluded",
    "other_excluded": "other_excluded",
}
_TOTAL_OVERRIDES = {  # a single total replaces the parts
    "database_results": ("databases", "Databases"),
    "register_results": ("registers", "Registers"),
}
_OTHER_OVERRIDES = {
    "website_results": "Websites",
    "organisation_results": "Organisations",
    "citations_results": "Citation searching",
    "hand_search_results": "Hand searching",
    "other_results": "Other sources",
}


def _apply_protocol(counts: PrismaCounts, section: Any) -> None:
    if not section:
        return
    if not isinstance(section, dict):
        raise InvalidInput("protocol.yaml: the 'prisma' section must map PRISMA fields to counts")
    for key, value in section.items():
        where = f"protocol.yaml prisma.{key}"
        if key == "notes":
            notes = value if isinstance(value, list) else [value]
            counts.notes.extend(str(n) for n in notes if n)
        elif key in _SCALAR_OVERRIDES:
            setattr(counts, key, _as_count(value, where))
            counts.manual.add(key)
        elif key in _MAPPING_OVERRIDES:
            if not isinstance(value, dict):
                raise InvalidInput(f"{where} must map names to counts, e.g. {{Reason: 3}}")
            setattr(counts, _MAPPING_OVERRIDES[key], {str(k): _as_count(v, f"{where}.{k}") for k, v in value.items()})
            counts.manual.add(_MAPPING_OVERRIDES[key] if key.endswith("excluded") else key.replace("_specific", ""))
        elif key in _TOTAL_OVERRIDES:
            attr, name = _TOTAL_OVERRIDES[key]
            setattr(counts, attr, {name: _as_count(value, where)})
            counts.manual.add(key)
        elif key in _OTHER_OVERRIDES:
            cat = _OTHER_OVERRIDES[key]
            counts.other_methods[cat] = _as_count(value, where)
            counts.manual.add(f"other:{cat}")
        else:
            known = sorted([*_SCALAR_OVERRIDES, *_MAPPING_OVERRIDES, *_TOTAL_OVERRIDES, *_OTHER_OVERRIDES])
            raise InvalidInput(f"{where}: unknown PRISMA field; use one of {', '.join(known)}")


# ------------------------------------------------------------------ CSV export


def _pairs(mapping: dict[str, int]) -> str:
    return "; ".join(f"{k.replace(';', ',')}, {v}" for k, v in mapping.items())


def prisma_csv(counts: PrismaCounts) -> str:
    """The counts in the data-sheet layout of the PRISMA2020 R package / Shiny app.

    Columns ``data, node, box, description, boxtext, tooltips, url, n``.
    The three "other methods" rows are slots whose ``boxtext`` is the
    label shown; hand searching and other sources take a free slot (and
    are merged into the last one when more than three categories are used).
    """
    values: dict[str, Any] = {
        "previous_studies": counts.previous_studies or 0,
        "previous_reports": counts.previous_reports or 0,
        "database_results": counts.database_results,
        "database_specific_results": _pairs(counts.databases),
        "register_results": counts.register_results,
        "register_specific_results": _pairs(counts.registers),
        "duplicates": counts.duplicates,
        "excluded_automatic": counts.excluded_automatic,
        "excluded_other": counts.excluded_other,
        "records_screened": counts.records_screened,
        "records_excluded": counts.records_excluded,
        "dbr_sought_reports": counts.dbr_sought_reports,
        "dbr_notretrieved_reports": counts.dbr_notretrieved_reports,
        "other_sought_reports": counts.other_sought_reports,
        "other_notretrieved_reports": counts.other_notretrieved_reports,
        "dbr_assessed": counts.dbr_assessed,
        "dbr_excluded": _pairs(counts.dbr_excluded),
        "other_assessed": counts.other_assessed,
        "other_excluded": _pairs(counts.other_excluded),
        "new_studies": counts.new_studies,
        "new_reports": counts.new_reports,
        "total_studies": counts.total_studies,
        "total_reports": counts.total_reports,
        "total_studies_ma": 0,
        "total_reports_ma": 0,
    }
    slots = _other_slots(counts.other_methods)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"])
    for data, node, box, description, boxtext in RPKG_FIELDS:
        n: Any = 0 if data is None else values.get(data, 0)
        if data in _RPKG_SLOTS:
            boxtext, n = slots[data]
            description = f"Records identified from: {boxtext}"
        if data and (data in counts.manual or (data == "database_results" and "databases" in counts.manual)):
            description += " [counted outside realist]"
        url = f"{data or box}.html"
        tooltip = description if node else "NA"
        writer.writerow([data or "NA", node or "NA", box, description, boxtext, tooltip, url, n])
    return buf.getvalue()


def _other_slots(other: dict[str, int]) -> dict[str, tuple[str, int]]:
    home = {
        "website_results": "Websites",
        "organisation_results": "Organisations",
        "citations_results": "Citation searching",
    }
    slots = {key: (label, other.get(label, 0)) for key, label in home.items()}
    free = [key for key, label in home.items() if label not in other]
    rest = [(label, n) for label, n in other.items() if label not in home.values()]
    if not rest:
        return slots
    if not free:  # every slot used: merge the rest into "Organisations"
        free, rest = ["organisation_results"], [slots["organisation_results"], *rest]
    if len(rest) > len(free):  # more categories than free slots: merge the overflow
        keep = rest[: len(free) - 1]
        merged = rest[len(free) - 1 :]
        rest = [*keep, ("; ".join(label for label, _ in merged), sum(n for _, n in merged))]
    for key, (label, n) in zip(free, rest):
        slots[key] = (label, n)
    return slots


def write_prisma_csv(counts: PrismaCounts, path: str | Path) -> Path:
    path = Path(path)
    path.write_text(prisma_csv(counts), encoding="utf-8")
    return path
