"""Fixtures for the code stage: a review with the realist codebook and three studies."""

from __future__ import annotations

import pytest

from realist.code.codebook import install_template
from realist.code.studies import add_study
from realist.identify import import_records
from realist.records import RecordData

AYON = (
    "Peer educators provide peer support and counselling, deliver services and make referrals. "
    "Trust between peers and clients, bridging and community knowledge offset difficult clinic "
    "environments and stigma. Outcomes: reduced stigma and increased access to services."
)
BARTLETT = (
    "A peer overdose prevention programme in China. People who inject drugs avoided hospitals "
    "due to fear of police and high costs. Peers were better prepared and more experienced."
)
LE = (
    "Drug user-led networks in Vietnam overcame mistrust between peers and law enforcement "
    "through community knowledge and bridging, decreasing stigma."
)


@pytest.fixture
def coded(review):
    """The review with the template codebook and the studies [40], [42], [49] of the reference review."""
    install_template(review, "realist")
    import_records(
        review,
        [
            RecordData(
                title="Ayon 2017",
                abstract=AYON,
                authors=["Ayon, S.", "Ndimbii, J.", "Jeneby, F."],
                year=2017,
                doi="10.1000/ayon",
            ),
            RecordData(
                title="Bartlett 2011", abstract=BARTLETT, authors=["Bartlett, N."], year=2011, doi="10.1000/bartlett"
            ),
            RecordData(title="Le 2016", abstract=LE, authors=["Le, G."], year=2016),
            RecordData(title="Ayon second report", abstract="A second report.", authors=["Ayon, S."], year=2018),
        ],
        source="network search",
        kind="other",
    )
    from sqlalchemy import select

    from realist.store.models import Record

    with review.session() as s:
        ids = list(s.scalars(select(Record.id).where(Record.review_id == review.review_id).order_by(Record.id)))
    review.record_ids = ids  # type: ignore[attr-defined]
    add_study(review, ids[0], ref_number=40, design="Qualitative", countries=["KEN"])
    add_study(review, ids[1], ref_number=42, design="Mixed methods", countries=["CHN"])
    add_study(review, ids[2], ref_number=49, design="Qualitative", countries=["VNM"])
    return review
