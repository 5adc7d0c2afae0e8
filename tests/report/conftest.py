"""Fixtures for the report stage: a small review built through the public APIs.

``screened`` has two database sources (with a duplicate), a citation chase and
a hand search (with records counted outside realist), two screening stages,
and exclusion reasons.  ``reviewed`` adds studies, codes and CMO configurations.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from realist.identify import import_records
from realist.protocol import read_protocol, write_protocol
from realist.records import RecordData
from realist.review import ReviewHandle
from realist.screen.decisions import assign, decide, resolve, statuses
from realist.store.models import Record


def _records(prefix: str, n: int, start_year: int = 2005) -> list[RecordData]:
    return [
        RecordData(
            title=f"{prefix} study {i}",
            authors=[f"{prefix.capitalize()}, A.", "Other, B."],
            year=start_year + i,
            journal="Harm Reduction Journal",
            volume=str(10 + i),
            issue="2",
            pages=f"{i + 1}-{i + 9}",
            doi=f"10.1000/{prefix}{i}",
        )
        for i in range(n)
    ]


def set_protocol(review: ReviewHandle, **sections: object) -> None:
    protocol = read_protocol(review.protocol_path)
    protocol.update(sections)
    write_protocol(review.protocol_path, protocol)


@pytest.fixture
def screened(review: ReviewHandle) -> ReviewHandle:
    set_protocol(
        review,
        question="What do peers do in harm reduction services, and why does it work?",
        eligibility={
            "title_abstract": {
                "include": ["Peer involvement"],
                "exclude": [
                    {"id": "wrong-population", "label": "Wrong population"},
                    {"id": "commentary", "label": "Editorial or commentary"},
                ],
            },
            "full_text": {
                "include": ["Peer involvement"],
                "exclude": [
                    {"id": "high-income", "label": "High-income country"},
                    {"id": "not-retrieved", "label": "Full text not retrieved"},
                ],
            },
        },
    )
    import_records(
        review,
        _records("pubmed", 10),
        source="PubMed",
        details={"searched": "2024-03-01", "query": "peer AND (harm reduction)"},
    )
    import_records(review, _records("scopus", 6), source="Scopus")
    import_records(review, _records("chase", 4), source="Backward chase", kind="citation")
    import_records(
        review,
        _records("hand", 3),
        source="Hand search IJDP",
        kind="hand_search",
        details={
            "journals": ["International Journal of Drug Policy"],
            "terms": ["peer"],
            "dates": "2024-01 to 2024-02",
            "outside_tool": {"identified": 5, "excluded": 5, "reason": "Not about peers"},
        },
    )
    with review.session() as session:
        ids = list(session.scalars(select(Record.id).where(Record.review_id == review.review_id).order_by(Record.id)))
        # Scopus records 11 and 12 duplicate PubMed records 1 and 2
        session.get(Record, ids[10]).duplicate_of_id = ids[0]
        session.get(Record, ids[11]).duplicate_of_id = ids[1]
    review.ids = ids  # type: ignore[attr-defined]
    assign(review, "title_abstract", ["ana", "ben"], mode="all")
    for n, rid in enumerate(ids):
        if n in (10, 11):
            continue
        if n in (2, 3, 12):  # databases: excluded by both
            decide(review, rid, "exclude", reviewer="ana", reason="wrong-population")
            decide(review, rid, "exclude", reviewer="ben", reason="wrong-population")
        elif n == 16:  # citation chase: excluded at title/abstract
            decide(review, rid, "exclude", reviewer="ana", reason="commentary")
            decide(review, rid, "exclude", reviewer="ben", reason="commentary")
        elif n == 4:  # a conflict, resolved as include
            decide(review, rid, "include", reviewer="ana")
            decide(review, rid, "exclude", reviewer="ben", reason="wrong-population")
            resolve(review, rid, "include")
        elif n == 22:  # hand search: not decided yet
            decide(review, rid, "include", reviewer="ana")
        else:
            decide(review, rid, "include", reviewer="ana")
            decide(review, rid, "include", reviewer="ben")
    for rid in statuses(review, "full_text"):
        n = ids.index(rid)
        if n == 5:
            decide(review, rid, "exclude", reviewer="ana", stage="full_text", reason="not-retrieved")
        elif n in (6, 13, 18):
            decide(review, rid, "exclude", reviewer="ana", stage="full_text", reason="high-income")
        else:
            decide(review, rid, "include", reviewer="ana", stage="full_text")
    return review


@pytest.fixture
def reviewed(screened: ReviewHandle) -> ReviewHandle:
    """Studies (two reports of one study), codes and CMO configurations on top of ``screened``."""
    from realist.code import cmoc as cm
    from realist.code.codebook import install_template
    from realist.code.coding import apply_code
    from realist.code.studies import add_study, link_record

    review = screened
    install_template(review, "realist")
    ids = review.ids  # type: ignore[attr-defined]
    included = [rid for rid, s in statuses(review, "full_text").items() if s.status == "included"]
    plan = {
        0: ("KEN", "Qualitative study"),
        1: ("VNM", "Randomised controlled trial"),
        4: ("VNM", "Qualitative study"),
        7: ("IND", "Cohort study"),
        8: ("THA", "Qualitative study"),
        9: ("UKR", "Cross-sectional survey"),
        14: ("CHN", "Qualitative study"),
        15: ("SGP", "Ethnography"),
        17: ("KEN", "Mixed methods"),
        20: ("RUS", "Qualitative study"),
    }
    ref = 40
    for n, rid in enumerate(ids):
        if rid not in included or n == 21:
            continue
        country, design = plan.get(n, ("VNM", "Qualitative study"))
        add_study(review, rid, ref_number=ref, design=design, countries=[country])
        ref += 1
    link_record(review, "[40]", ids[21])  # a second report of the first study
    roles = ["harm-reduction-education", "support-counselling-referral", "direct-services"]
    outcomes = ["access-acceptability-quality", "stigma-outcome"]
    for i in range(ref - 40):
        apply_code(review, f"[{40 + i}]", roles[i % 3], coder="ana")
        apply_code(review, f"[{40 + i}]", outcomes[i % 2], coder="ana")
        apply_code(review, f"[{40 + i}]", "trust-empathy-commitment" if i % 2 else "bridging", coder="ana")
    cm.add_cmoc(
        review,
        "[40]",
        intervention=["support-counselling-referral"],
        context=["clinic-environments"],
        mechanism=["trust-empathy-commitment", "bridging"],
        outcome=["access-acceptability-quality"],
        statement="Peer educators build trust and bridge clinics (M), improving access (O).",
    )
    cm.add_cmoc(
        review,
        "[41]",
        intervention=["direct-services"],
        context=["clinic-environments"],
        mechanism=["bridging"],
        outcome=["access-acceptability-quality", "stigma-outcome"],
        statement="Peers bridge services and clients, improving access and reducing stigma.",
    )
    return review
