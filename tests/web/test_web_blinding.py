"""Blinding on the dashboard and in the JSON API: while a stage is blinded a reviewer sees
how many records each reviewer has decided (progress), never how they decided, and nothing
downstream that would tell it (which records reached full-text screening)."""

from __future__ import annotations

import json

from web_support import Team

from realist.screen import decisions as dec


def _blind_title_abstract_and_include_three(team: Team) -> list[int]:
    olu = team.client("owner")
    review = team.review.review_id
    assert olu.post(f"/reviews/{review}/blinding", {"stage": "title_abstract", "blinded": "yes"}).status_code == 303
    included, excluded = team.record_ids[:3], team.record_ids[3:5]
    for name in ("rae", "ren"):
        for rid in included:
            dec.decide(team.review, rid, "include", reviewer=name)
        for rid in excluded:
            dec.decide(team.review, rid, "exclude", reviewer=name, reason="wrong-topic")
    dec.decide(team.review, included[0], "include", reviewer="rae", stage="full_text")
    assert len(dec.statuses(team.review, "full_text")) == 3
    return included


def test_blinded_dashboard_shows_reviewers_decided_counts_but_no_include_or_exclude_counts(team: Team) -> None:
    _blind_title_abstract_and_include_three(team)
    review = team.review.review_id
    ren = team.client("reviewer2")
    page = ren.get(f"/reviews/{review}").text
    assert "Screening is blinded" in page
    for withheld in ("Included", "Excluded", "Conflicts waiting", "Agreement", "Stopping rule", "PRISMA"):
        assert withheld not in page, withheld
    # Progress per reviewer stays: rae and ren decided 5 records each at title and abstract.
    assert "rae: 5 of 12" in page and "ren: 5 of 12" in page
    progress = ren.api("GET", f"/api/v1/reviews/{review}/progress").json()
    assert progress["blinded"] is True and set(progress) == {"stage", "eligible", "blinded", "reviewers"}
    assert progress["reviewers"] == {"rae": {"assigned": 0, "decided": 5}, "ren": {"assigned": 0, "decided": 5}}
    assert ren.api("GET", f"/api/v1/reviews/{review}/agreement").status_code == 403


def test_while_title_abstract_is_blinded_full_text_does_not_tell_which_records_were_included(team: Team) -> None:
    _blind_title_abstract_and_include_three(team)
    review = team.review.review_id
    olu, ren = team.client("owner"), team.client("reviewer2")
    page = ren.get(f"/reviews/{review}").text
    assert "An earlier stage is blinded" in page
    assert "Eligible" not in page
    assert "rae: 1 of 3" not in page and "of 3" not in page  # rae's full-text progress, without the total
    progress = ren.api("GET", f"/api/v1/reviews/{review}/progress?stage=full_text").json()
    assert progress["eligible"] is None and "included" not in json.dumps(progress)
    assert progress["reviewers"]["rae"]["decided"] == 1
    assert ren.api("GET", f"/api/v1/reviews/{review}/agreement?stage=full_text").status_code == 403
    assert ren.api("GET", f"/api/v1/reviews/{review}/conflicts?stage=full_text").json() == []
    records = ren.get(f"/reviews/{review}/records?stage=full_text").text
    assert "not eligible" not in records
    assert "An earlier stage is blinded" in ren.get(f"/reviews/{review}/assign?stage=full_text").text
    # The owner sees everything, and the reviewers do once the stage is unblinded.
    assert "Eligible" in olu.get(f"/reviews/{review}").text
    assert olu.api("GET", f"/api/v1/reviews/{review}/progress?stage=full_text").json()["eligible"] == 3
    assert "not eligible" in olu.get(f"/reviews/{review}/records?stage=full_text").text
    assert olu.post(f"/reviews/{review}/blinding", {"stage": "title_abstract", "blinded": "no"}).status_code == 303
    assert ren.api("GET", f"/api/v1/reviews/{review}/progress?stage=full_text").json()["eligible"] == 3
    assert "rae: 1 of 3" in ren.get(f"/reviews/{review}").text
