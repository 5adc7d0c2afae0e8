"""Build a bundled example review from data files shipped in the package.

``build_example("peer-harm-reduction", DIR)`` creates a review in ``DIR``
and fills it, through the stages' own public functions (so the event log
tells how it was made), from ``realist/example/data/peer-harm-reduction/``:

1. ``protocol.yaml`` — question, criteria, codebook, synthesis settings;
2. ``search.yaml`` and ``studies.yaml`` — one source, the 29 included
   records (Table 1), the 19 unlisted exclusions as counts (``outside_tool``);
3. ``screening.yaml`` — the reported consensus on inclusion;
4. ``studies.yaml`` — one study per record, with its reference number,
   design, countries and the evidence for the number;
5. ``appraisals.yaml`` — the reported language judgements;
6. ``codings.yaml`` — every coding the Results state, with its sentence;
7. ``cmocs.yaml`` — the three CMO configurations and the overall theme.

The data files and what they represent are described in their README and in
docs/example.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from .. import protocol as protocol_mod
from ..errors import InvalidInput
from ..records import RecordData
from ..review import ReviewHandle, init_review
from ..synthesise.claims import parse_citations

__all__ = ["EXAMPLES", "CODER", "build_example", "example_data", "list_examples", "ExampleData"]

EXAMPLES = ("peer-harm-reduction",)
CODER = "Chang et al. 2021 (as reported)"
ACTOR = "realist example"


@dataclass
class ExampleData:
    """The parsed data files of one example."""

    name: str
    protocol_text: str
    protocol: dict[str, Any]
    search: dict[str, Any]
    studies: list[dict[str, Any]]
    screening: dict[str, Any]
    appraisals: dict[str, Any]
    codings: list[dict[str, Any]]
    cmocs: dict[str, Any]


def list_examples() -> list[str]:
    return list(EXAMPLES)


def _folder(name: str) -> Traversable:
    if name not in EXAMPLES:
        raise InvalidInput(f"no example called {name!r}: the examples are {', '.join(EXAMPLES)}")
    return resources.files("realist.example").joinpath("data", name)


def _yaml(folder: Traversable, file: str) -> Any:
    return yaml.safe_load(folder.joinpath(file).read_text(encoding="utf-8"))


def example_data(name: str = "peer-harm-reduction") -> ExampleData:
    """The example's data files, parsed (no review is made)."""
    folder = _folder(name)
    text = folder.joinpath("protocol.yaml").read_text(encoding="utf-8")
    return ExampleData(
        name=name,
        protocol_text=text,
        protocol=yaml.safe_load(text),
        search=_yaml(folder, "search.yaml"),
        studies=_yaml(folder, "studies.yaml"),
        screening=_yaml(folder, "screening.yaml"),
        appraisals=_yaml(folder, "appraisals.yaml"),
        codings=_yaml(folder, "codings.yaml"),
        cmocs=_yaml(folder, "cmocs.yaml"),
    )


def _record(row: dict[str, Any]) -> RecordData:
    printed = {
        k: row[k]
        for k in (
            "authors",
            "year",
            "title",
            "journal",
            "volume",
            "issue",
            "pages",
            "design_reported",
            "country_reported",
        )
        if row.get(k) is not None
    }
    first = row["authors"].removesuffix(", et al.").strip()
    return RecordData(
        raw={"table1_row": str(row["row"]), **{k: str(v) for k, v in printed.items()}},
        source_record_id=f"table1-row{row['row']}",
        title=row["title"],
        authors=[first],
        year=int(row["year"]),
        journal=row.get("journal"),
        volume=row.get("volume"),
        issue=row.get("issue"),
        pages=row.get("pages"),
        language="English",
    )


def _at(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(str(value))


def build_example(
    directory: str | Path,
    name: str = "peer-harm-reduction",
    *,
    database_url: str | None = None,
) -> ReviewHandle:
    """Create the example review ``name`` in ``directory`` (new or empty) and return it open."""
    from ..appraise.store import record_judgement
    from ..code.cmoc import add_cmoc
    from ..code.coding import apply_code
    from ..code.studies import add_study
    from ..identify import import_records
    from ..screen.decisions import decide

    data = example_data(name)
    path = Path(directory)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise InvalidInput(f"{path} is not an empty folder: give a new or empty folder for the example")
    path.mkdir(parents=True, exist_ok=True)
    (path / protocol_mod.PROTOCOL_FILE).write_text(data.protocol_text, encoding="utf-8")
    review = init_review(path, data.protocol["title"], database_url=database_url, actor=ACTOR)
    try:
        rows = sorted(data.studies, key=lambda r: r["row"])
        src = data.search["source"]
        source_id, _ = import_records(
            review,
            [_record(r) for r in rows],
            source=src["name"],
            kind=src["kind"],
            format="example",
            details=src.get("details") or {},
        )
        record_ids = _record_ids(review, source_id)

        screening = data.screening
        at = _at(screening["at"])
        for rid in record_ids:
            for stage in screening["stages"]:
                decide(
                    review,
                    rid,
                    screening["decision"],
                    reviewer=screening["reviewer"],
                    stage=stage,
                    note=screening["note"],
                    at=at,
                )

        for row, rid in zip(rows, record_ids):
            et_al = row["authors"].endswith("et al.")
            details = {
                "first_author": row["first_author"],
                "et_al": et_al,
                "table1_row": row["row"],
                "authors_printed": row["authors"],
                "design_reported": row["design_reported"],
                "country_reported": row["country_reported"],
                "mapping": row["mapping"],
            }
            if row.get("places_unspecified"):
                details["places_unspecified"] = row["places_unspecified"]
            add_study(
                review,
                rid,
                key=row["key"],
                ref_number=row["ref"],
                design=row["design"],
                countries=row["countries"],
                year=int(row["year"]),
                label=f"{row['first_author']}{' et al.' if et_al else ''} {row['year']}",
                details=details,
            )

        for entry in data.appraisals.get("language", []):
            for ref in parse_citations(entry["refs"]):
                record_judgement(review, f"[{ref}]", entry["classification"], note=entry["evidence"], by=CODER)

        for entry in data.codings:
            memo = f"{entry['section']}: \u201c{entry['evidence']}\u201d"
            if entry.get("note"):
                memo += f"\nNote: {' '.join(str(entry['note']).split())}"
            for ref in parse_citations(entry["refs"]):
                apply_code(review, f"[{ref}]", entry["code"], coder=CODER, memo=memo)

        ids = []
        for c in data.cmocs["study_level"]:
            info = add_cmoc(
                review,
                f"[{c['study']}]",
                intervention=c["intervention"],
                context=c["context"],
                mechanism=c["mechanism"],
                outcome=c["outcome"],
                statement=c["statement"],
                memo=c.get("memo"),
            )
            ids.append(info.id)
        theme = data.cmocs["theme"]
        add_cmoc(
            review,
            None,
            intervention=theme["intervention"],
            context=theme["context"],
            mechanism=theme["mechanism"],
            outcome=theme["outcome"],
            statement=theme["statement"],
            memo=" ".join(str(theme.get("memo") or "").split()) or None,
            based_on=ids,
        )
    except BaseException:
        review.close()
        raise
    return review


def _record_ids(review: ReviewHandle, source_id: int) -> list[int]:
    from sqlalchemy import select

    from ..store.models import Record

    with review.session() as session:
        return list(session.scalars(select(Record.id).where(Record.source_id == source_id).order_by(Record.position)))
