"""Studies: the unit of synthesis, reported by one or more records.

A study is made from a record (its first report); further records (reports)
are linked to it.  ``key`` is a short stable label made from the first
author's surname and the year (``ayon2017``; ``ayon2017b`` on a clash);
``ref_number`` is the number a manuscript cites it by; ``countries`` are
ISO 3166-1 alpha-3 codes.

Public functions: :func:`add_study`, :func:`link_record`,
:func:`update_study`, :func:`get_study`, :func:`list_studies`,
:func:`studies_from_included`, :func:`study_texts`; and, for other core
modules, :func:`resolve_study` (inside a session).  A *study reference* is a
study id (int or digits), a key, or a reference number written ``[40]``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InvalidInput, NotFound
from ..review import ReviewHandle
from ..store.models import FullText, Record, Study
from ..study import StudyInfo, first_author

__all__ = [
    "StudyInfo",
    "StudyText",
    "StudyRef",
    "add_study",
    "link_record",
    "update_study",
    "get_study",
    "list_studies",
    "studies_from_included",
    "study_texts",
    "resolve_study",
    "study_info",
]

StudyRef = int | str
_FIELDS = ("key", "label", "design", "countries", "ref_number", "year", "data_years", "details")
_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass
class StudyText:
    """One text of a study: a record's abstract or full text, with page starts."""

    record_id: int
    source: str  # abstract | fulltext
    text: str
    pages: list[Any] = field(default_factory=list)  # [page, start, label]
    fulltext_id: int | None = None
    file_name: str | None = None

    def page_at(self, offset: int) -> int | None:
        page = None
        for number, start, *_ in self.pages:
            if start <= offset:
                page = number
            else:
                break
        return page


def study_info(session: Session, study: Study) -> StudyInfo:
    ids = session.scalars(
        select(Record.id).where(Record.review_id == study.review_id, Record.study_id == study.id).order_by(Record.id)
    ).all()
    first = (study.details or {}).get("first_record_id")
    ordered = sorted(ids, key=lambda i: (i != first, i))
    authors = session.scalar(select(Record.authors).where(Record.id == ordered[0])) if ordered else None
    surname, count = first_author(list(authors or []), study.details or {})
    return StudyInfo(
        id=study.id,
        key=study.key,
        label=study.label,
        ref_number=study.ref_number,
        design=study.design,
        countries=list(study.countries or []),
        data_years=list(study.data_years or []),
        year=study.year,
        record_ids=ordered,
        details=dict(study.details or {}),
        first_author=surname,
        authors_count=count,
    )


def resolve_study(session: Session, review_id: int, ref: StudyRef) -> Study:
    """The study named by ``ref`` (id, key or ``[ref_number]``); NotFound otherwise."""
    text = str(ref).strip()
    query = select(Study).where(Study.review_id == review_id)
    m = re.fullmatch(r"\[(\d+)\]", text)
    if m:
        rows = session.scalars(query.where(Study.ref_number == int(m.group(1)))).all()
        if len(rows) > 1:
            raise InvalidInput(f"{len(rows)} studies have reference number {m.group(1)}: name one by key")
        study = rows[0] if rows else None
    elif isinstance(ref, int) or text.isdigit():
        study = session.scalar(query.where(Study.id == int(text)))
    else:
        study = session.scalar(query.where(Study.key == text))
    if study is None:
        raise NotFound(
            f"no study {text} in this review (name a study by id, key or [reference number])", key="no-such-study"
        )
    return study


def _record(session: Session, review_id: int, record_id: int) -> Record:
    record = session.get(Record, record_id)
    if record is None or record.review_id != review_id:
        raise NotFound(f"no record {record_id} in this review")
    if record.duplicate_of_id is not None:
        raise InvalidInput(
            f"record {record_id} is a duplicate of record {record.duplicate_of_id}: use record {record.duplicate_of_id}"
        )
    return record


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _surname(record: Record) -> str:
    authors = record.authors or []
    first = str(authors[0]) if authors else ""
    surname = first.split(",")[0].strip() if "," in first else (first.split()[-1] if first.split() else "")
    return surname


def _default_key(session: Session, review_id: int, record: Record) -> str:
    base = re.sub(r"[^a-z0-9]+", "", _ascii(_surname(record)).lower()) or f"record{record.id}"
    base += str(record.year or "")
    taken = set(session.scalars(select(Study.key).where(Study.review_id == review_id)))
    if base not in taken:
        return base
    for suffix in "bcdefghijklmnopqrstuvwxyz":
        if base + suffix not in taken:
            return base + suffix
    return f"{base}-{record.id}"


def _default_label(record: Record) -> str:
    surname = _surname(record)
    n = len(record.authors or [])
    who = surname + (" et al." if n > 2 else "") if surname else f"Record {record.id}"
    return f"{who} {record.year}" if record.year else who


def _check_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown study field(s) {', '.join(sorted(unknown))} (fields: {', '.join(_FIELDS)})")
    out = dict(fields)
    if "key" in out and out["key"] is not None:
        if not _KEY_RE.match(str(out["key"])) or len(str(out["key"])) > 100:
            raise InvalidInput(f"study key {out['key']!r} must be letters, digits, '.', '_' or '-'")
    if out.get("countries") is not None:
        codes = [str(c).strip().upper() for c in out["countries"] if str(c).strip()]
        bad = [c for c in codes if not re.fullmatch(r"[A-Z]{3}", c)]
        if bad:
            raise InvalidInput(f"countries must be ISO 3166-1 alpha-3 codes (e.g. KEN, VNM): {', '.join(bad)}")
        out["countries"] = codes
    if out.get("ref_number") is not None:
        try:
            out["ref_number"] = int(out["ref_number"])
        except (TypeError, ValueError):
            raise InvalidInput(f"reference number must be a whole number, not {out['ref_number']!r}") from None
    if out.get("data_years") is not None:
        out["data_years"] = list(out["data_years"])
    return out


def _key_free(session: Session, review_id: int, key: str, study_id: int | None = None) -> None:
    other = session.scalar(select(Study).where(Study.review_id == review_id, Study.key == key))
    if other is not None and other.id != study_id:
        raise InvalidInput(f"study key {key!r} is taken by study {other.id}")


def _new_study(review: ReviewHandle, session: Session, record: Record, fields: dict[str, Any]) -> Study:
    if record.study_id is not None:
        existing = session.get(Study, record.study_id)
        raise InvalidInput(
            f"record {record.id} already belongs to study {existing.key if existing else record.study_id}"
        )
    key = fields.get("key") or _default_key(session, review.review_id, record)
    _key_free(session, review.review_id, key)
    details = dict(fields.get("details") or {})
    details["first_record_id"] = record.id
    study = Study(
        review_id=review.review_id,
        key=key,
        label=fields.get("label") or _default_label(record),
        ref_number=fields.get("ref_number"),
        design=fields.get("design"),
        countries=fields.get("countries") or [],
        data_years=fields.get("data_years") or [],
        year=fields.get("year") or record.year,
        details=details,
    )
    session.add(study)
    session.flush()
    record.study_id = study.id
    review.log(session, "study.created", entity="study", entity_id=study.id, key=study.key, record_id=record.id)
    return study


def add_study(review: ReviewHandle, record_id: int, **fields: Any) -> StudyInfo:
    """Create a study whose first report is ``record_id``.

    Fields: ``key`` (default surname+year), ``label`` (default "Surname et
    al. YEAR"), ``design``, ``countries``, ``ref_number``, ``year`` (default
    the record's), ``data_years``, ``details``.
    """
    fields = _check_fields({k: v for k, v in fields.items() if v is not None})
    with review.session() as session:
        record = _record(session, review.review_id, record_id)
        study = _new_study(review, session, record, fields)
        return study_info(session, study)


def link_record(review: ReviewHandle, study: StudyRef, record_id: int) -> StudyInfo:
    """Add ``record_id`` as a further report of ``study``."""
    with review.session() as session:
        target = resolve_study(session, review.review_id, study)
        record = _record(session, review.review_id, record_id)
        if record.study_id == target.id:
            raise InvalidInput(f"record {record_id} is already a report of study {target.key}")
        if record.study_id is not None:
            other = session.get(Study, record.study_id)
            raise InvalidInput(f"record {record_id} is a report of study {other.key if other else record.study_id}")
        record.study_id = target.id
        review.log(session, "study.linked", entity="study", entity_id=target.id, record_id=record_id)
        session.flush()
        return study_info(session, target)


def update_study(review: ReviewHandle, study: StudyRef, **fields: Any) -> StudyInfo:
    """Set fields of a study (only those given; ``None`` leaves a field as it is)."""
    fields = _check_fields({k: v for k, v in fields.items() if v is not None})
    with review.session() as session:
        target = resolve_study(session, review.review_id, study)
        if "key" in fields:
            _key_free(session, review.review_id, fields["key"], target.id)
        before = {k: getattr(target, k) for k in fields}
        for name, value in fields.items():
            if name == "details":
                value = {**(target.details or {}), **value}
            setattr(target, name, value)
        review.log(
            session,
            "study.updated",
            entity="study",
            entity_id=target.id,
            before=before,
            after={k: getattr(target, k) for k in fields},
        )
        session.flush()
        return study_info(session, target)


def get_study(review: ReviewHandle, study: StudyRef) -> StudyInfo:
    with review.session() as session:
        return study_info(session, resolve_study(session, review.review_id, study))


def list_studies(review: ReviewHandle) -> list[StudyInfo]:
    """Every study, by reference number (studies without one last), then key."""
    with review.session() as session:
        rows = session.scalars(select(Study).where(Study.review_id == review.review_id)).all()
        infos = [study_info(session, s) for s in rows]
    return sorted(infos, key=lambda s: (s.ref_number is None, s.ref_number or 0, s.key))


def studies_from_included(review: ReviewHandle) -> list[StudyInfo]:
    """One study per record included at the last screening stage with decisions.

    That is ``full_text`` when any full-text decision exists, else
    ``title_abstract``.  Records already in a study are skipped, so running
    it again is harmless.  Returns the studies created.
    """
    from ..screen.decisions import statuses
    from ..store.models import Decision, Resolution

    with review.session() as session:
        has_ft = (
            session.scalar(
                select(Decision.id)
                .where(Decision.review_id == review.review_id, Decision.stage == "full_text")
                .limit(1)
            )
            is not None
        )
        has_ft = (
            has_ft
            or session.scalar(
                select(Resolution.id)
                .where(Resolution.review_id == review.review_id, Resolution.stage == "full_text")
                .limit(1)
            )
            is not None
        )
    stage = "full_text" if has_ft else "title_abstract"
    included = sorted(rid for rid, st in statuses(review, stage).items() if st.status == "included")
    created = []
    with review.session() as session:
        for rid in included:
            record = _record(session, review.review_id, rid)
            if record.study_id is None:
                created.append(_new_study(review, session, record, {}))
        session.flush()
        review.log(session, "study.from_included", stage=stage, included=len(included), created=len(created))
        return [study_info(session, s) for s in created]


def study_texts(review: ReviewHandle, study: StudyRef) -> list[StudyText]:
    """A study's prose: for each report, its abstract (if any) and full text (if any)."""
    with review.session() as session:
        target = resolve_study(session, review.review_id, study)
        return _study_texts(session, target)


def _study_texts(session: Session, study: Study) -> list[StudyText]:
    info = study_info(session, study)
    out = []
    for rid in info.record_ids:
        record = session.get(Record, rid)
        assert record is not None
        if record.abstract:
            out.append(StudyText(rid, "abstract", record.abstract))
        ft = session.scalar(select(FullText).where(FullText.review_id == study.review_id, FullText.record_id == rid))
        if ft is not None:
            out.append(StudyText(rid, "fulltext", ft.text, [list(p) for p in ft.pages or []], ft.id, ft.file_name))
    return out
