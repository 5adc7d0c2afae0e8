"""The report page: built as a background job, downloaded by members, the same files
as ``realist report``; checklist items answered by hand appear in the report."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import delete
from web_support import PASSWORD, Client, Team

from realist import accounts
from realist.cli import cli
from realist.review import ReviewHandle

# What legitimately differs between two builds of the same report: when it was built.
_STAMP = re.compile(rb"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?")
_TEXT = {".html", ".md", ".csv", ".svg"}


def _build(client: Client, review_id: int, formats: tuple[str, ...] = ("html", "docx", "md")) -> tuple[str, Any]:
    """Build the report through the web (immediate jobs) and return the build id and its job page."""
    response = client.post(f"/reviews/{review_id}/report/build", {"formats": list(formats), "style": "vancouver"})
    assert response.status_code == 303, response.text
    job = client.get(response.headers["location"])
    assert job.status_code == 200, job.text
    found = re.search(rf"/reviews/{review_id}/report/builds/([0-9a-f-]+)/report\.", job.text)
    assert found, job.text
    return found.group(1), job


def _download(client: Client, review_id: int, build: str, name: str) -> bytes:
    response = client.get(f"/reviews/{review_id}/report/builds/{build}/{name}")
    assert response.status_code == 200, (name, response.status_code)
    assert response.headers["content-disposition"].startswith("attachment;")
    return bytes(response.content)


def _docx_text(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("word/document.xml")


def _same(name: str, a: bytes, b: bytes) -> bool:
    if name.endswith(".docx"):
        a, b = _docx_text(a), _docx_text(b)
    elif Path(name).suffix not in _TEXT:
        return True  # PNG and PDF embed their creation time; their sources (the SVG) are compared
    return _STAMP.sub(b"<time>", a) == _STAMP.sub(b"<time>", b)


@pytest.fixture
def example(tmp_path: Path, database_url: str | None) -> Any:
    """The reference review (``realist example peer-harm-reduction``) with an owner and a viewer."""
    from realist.example.build import build_example
    from realist.store.models import (
        Account,
        ApiToken,
        LoginAttempt,
        Membership,
        RequestKey,
        SetupToken,
        StoredRanking,
        WebSession,
    )
    from realist.web import WebStore, create_app

    handle: ReviewHandle = build_example(tmp_path / "example", database_url=database_url)
    with handle.session() as session:  # the PostgreSQL store is shared by every test: no accounts left over
        for table in (Membership, WebSession, ApiToken, SetupToken, LoginAttempt, RequestKey, StoredRanking):
            session.execute(delete(table))
        session.execute(delete(Account))
    for name, role in (("olu", "owner"), ("vic", "viewer")):
        accounts.add_user(handle.engine, name, PASSWORD)
        accounts.add_member(handle, name, role)
    app = create_app(WebStore(handle.engine, {handle.review_id: handle.path}), immediate_jobs=True)
    try:
        yield handle, app
    finally:
        handle.close()


def test_the_report_built_through_the_web_is_the_command_lines_report(
    example: Any, tmp_path: Path, database_url: str | None
) -> None:
    review, app = example
    owner = Client(app, "olu")
    build, _job = _build(owner, review.review_id)
    base = ["--review", str(review.path), "--as", "tester"] + (["--database-url", database_url] if database_url else [])
    out = tmp_path / "cli-report"
    result = CliRunner().invoke(cli, [*base, "report", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    cli_files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    page = owner.get(f"/reviews/{review.review_id}/report")
    listed = set(re.findall(rf"/report/builds/{build}/([^\"]+)\"", page.text))
    assert listed == set(cli_files)  # the page offers every file the command line writes, and no other
    viewer = Client(app, "vic")  # members download; the viewer did not build it
    differ = [
        name
        for name in cli_files
        if not _same(name, _download(viewer, review.review_id, build, name), (out / name).read_bytes())
    ]
    assert differ == []
    assert {"report.html", "report.docx", "report.md", "prisma_flow.csv", "prisma_flow.svg"} <= set(cli_files)


def test_a_checklist_answer_given_on_the_page_is_in_the_report(team: Team) -> None:
    rid = team.review.review_id
    owner, reviewer = team.client("owner"), team.client("reviewer")
    page = owner.get(f"/reviews/{rid}/report")
    assert 'id="item-rameses-3"' in page.text  # RAMESES 3 (rationale) cannot come from data
    text = "Peer workers are central to harm reduction yet no review explains how their roles work."
    refused = reviewer.post(f"/reviews/{rid}/report/checklist", {"checklist": "rameses", "item": "3", "answer": "x"})
    assert refused.status_code == 403
    saved = owner.post(f"/reviews/{rid}/report/checklist", {"checklist": "rameses", "item": "3", "answer": text})
    assert saved.status_code == 303
    assert text in owner.get(f"/reviews/{rid}/report").text
    build, _job = _build(reviewer, rid, ("html", "md"))
    html = _download(owner, rid, build, "report.html").decode()
    assert f"Stated by the authors: {text}" in html
    assert text in _download(owner, rid, build, "checklist_rameses.csv").decode()
    assert text in _download(owner, rid, build, "report.md").decode()


def test_a_checklist_answer_for_an_item_the_data_answer_is_refused_and_nothing_changes(team: Team) -> None:
    rid = team.review.review_id
    owner = team.client("owner")
    before = team.review.protocol_path.read_bytes()
    data_item = owner.post(f"/reviews/{rid}/report/checklist", {"checklist": "rameses", "item": "1", "answer": "A"})
    assert data_item.status_code == 400 and "answered from the review&#39;s data" in data_item.text
    unknown = owner.post(f"/reviews/{rid}/report/checklist", {"checklist": "rameses", "item": "99", "answer": "A"})
    assert unknown.status_code == 400 and "no item" in unknown.text
    assert team.review.protocol_path.read_bytes() == before


def test_report_downloads_only_name_files_of_a_finished_build(team: Team) -> None:
    rid = team.review.review_id
    owner = team.client("owner")
    build, _job = _build(owner, rid, ("md",))
    assert owner.get(f"/reviews/{rid}/report/builds/{build}/report.md").status_code == 200
    progress = team.app.state.jobs.progress(build)  # the build's id is its job's id
    assert progress["step"] == "Done" and progress["done"] == progress["total"] > 1
    for bad in ("../../protocol.yaml", ".done", "report.html", "..%2F..%2Fprotocol.yaml"):
        assert owner.get(f"/reviews/{rid}/report/builds/{build}/{bad}").status_code == 404, bad
    assert owner.get(f"/reviews/{rid}/report/builds/not-a-build/report.md").status_code == 404
    assert team.client("outsider").get(f"/reviews/{rid}/report/builds/{build}/report.md").status_code == 404
    assert team.client("viewer").post(f"/reviews/{rid}/report/build", {"formats": ["md"]}).status_code == 403


def test_while_screening_is_blinded_only_owners_build_and_download_reports(team: Team) -> None:
    from realist.screen.decisions import set_blinded

    rid = team.review.review_id
    owner, reviewer, viewer = team.client("owner"), team.client("reviewer"), team.client("viewer")
    build, _job = _build(owner, rid, ("md",))
    set_blinded(team.review, "title_abstract", True)
    assert reviewer.post(f"/reviews/{rid}/report/build", {"formats": ["md"]}).status_code == 403
    assert viewer.get(f"/reviews/{rid}/report/builds/{build}/report.md").status_code == 403
    assert build not in reviewer.get(f"/reviews/{rid}/report").text
    assert owner.get(f"/reviews/{rid}/report/builds/{build}/report.md").status_code == 200
    _build(owner, rid, ("md",))
    set_blinded(team.review, "title_abstract", False)
    assert viewer.get(f"/reviews/{rid}/report/builds/{build}/report.md").status_code == 200


def test_a_build_that_fails_says_why_on_its_job_page_and_leaves_no_build(team: Team) -> None:
    rid = team.review.review_id
    owner = team.client("owner")
    protocol = team.review.protocol()
    protocol["report"] = {"heatmaps": ["intervention"]}  # not a pair: the report cannot be assembled
    team.review.write_protocol(protocol)
    response = owner.post(f"/reviews/{rid}/report/build", {"formats": ["md"]})
    job = owner.get(response.headers["location"])
    assert job.status_code == 200 and 'role="alert"' in job.text  # the failed job's page says why
    assert "report.heatmaps" in job.text and "is not a pair" in job.text
    reports = team.review.path / ".realist" / "reports"
    assert not reports.exists() or not any(reports.iterdir())
    assert "No report has been built yet." in owner.get(f"/reviews/{rid}/report").text
