"""Checklist items no data can answer, answered by the authors (CLI and library)."""

from __future__ import annotations

import json

import pytest

from realist.errors import InvalidInput
from realist.report.checklists import manual_items, set_checklist_answer
from realist.review import open_review


def test_an_answer_given_on_the_command_line_is_in_the_report_and_can_be_cleared(run, tmp_path):
    text = "No review has yet explained how peer roles work in harm reduction."
    assert "Answered rameses item 3" in run.ok("checklist", "answer", "rameses", "3", text).output
    items = json.loads(run.ok("checklist", "items", "--json").output)
    answered = [i for i in items if i["checklist"] == "rameses" and i["item"] == "3"]
    assert answered and answered[0]["answer"] == text
    assert all(i["answer"] == "" for i in items if i is not answered[0])
    out = tmp_path / "out"
    run.ok("report", "--format", "md", "--out", str(out))
    assert f"Stated by the authors: {text}" in (out / "checklist_rameses.csv").read_text(encoding="utf-8")
    run.ok("checklist", "answer", "rameses", "3")
    assert all(i["answer"] == "" for i in json.loads(run.ok("checklist", "items", "--json").output))
    run.ok("report", "--format", "md", "--out", str(out))
    assert text not in (out / "checklist_rameses.csv").read_text(encoding="utf-8")


def test_answers_are_refused_for_data_items_and_unknown_items_and_leave_the_protocol_alone(run):
    review = open_review(run.path, database_url=run.database_url)
    try:
        before = review.protocol_path.read_bytes()
        with pytest.raises(InvalidInput, match="answered from the review's data"):
            set_checklist_answer(review, "PRISMA 2020", "1", "A title")
        with pytest.raises(InvalidInput, match="has no item '99'"):
            set_checklist_answer(review, "rameses", "99", "x")
        with pytest.raises(InvalidInput, match="unknown checklist"):
            set_checklist_answer(review, "consort", "1", "x")
        assert review.protocol_path.read_bytes() == before
        assert {i.checklist for i in manual_items(review.protocol())} == {"prisma2020", "rameses"}
    finally:
        review.close()
