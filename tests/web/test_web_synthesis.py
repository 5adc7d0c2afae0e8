"""The synthesis pages on the reference review, in-process over HTTP (both backends).

Every expected number is the library's own synthesis of the same review
(``realist.synthesise.synthesis``), computed here, never typed in: the page
must show what the library says, and each number must lead to the studies the
library counted.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from web_support import PASSWORD, TEAM, Client

from realist.review import ReviewHandle
from realist.synthesise import synthesis

from support import BACKENDS, PG_URL

HOSTILE_NAME = '<script>alert("code")</script>'
HOSTILE_MEMO = '<img src=x onerror="alert(1)">'


@dataclass
class Example:
    review: ReviewHandle
    app: Any
    synth: dict[str, Any]

    def client(self, role: str) -> Client:
        return Client(self.app, TEAM[role])

    @property
    def base(self) -> str:
        return f"/reviews/{self.review.review_id}/synthesis"


@pytest.fixture(scope="module", params=BACKENDS)
def example(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, _postgres_ready: bool
) -> Iterator[Example]:
    from realist import accounts
    from realist.code.codebook import load_codebook, parse_codebook, save_codebook
    from realist.code.coding import apply_code
    from realist.example import build_example
    from realist.web import WebStore, create_app

    url = PG_URL if request.param == "postgresql" else None
    review = build_example(tmp_path_factory.mktemp("synthesis") / "peer", database_url=url)
    # A code and a memo whose text is markup: the pages must show it as text.
    tree = load_codebook(review).to_list()
    tree.append({"id": "hostile", "name": HOSTILE_NAME, "kind": "outcome"})
    save_codebook(review, parse_codebook(tree))
    apply_code(review, "[40]", "hostile", coder="tester", memo=HOSTILE_MEMO)
    _empty_account_tables(review)
    for role, name in TEAM.items():
        accounts.add_user(review.engine, name, PASSWORD)
        if role != "outsider":
            accounts.add_member(review, name, "reviewer" if role.startswith("reviewer") else role)
    app = create_app(WebStore(review.engine, {review.review_id: review.path}), immediate_jobs=True)
    yield Example(review, app, synthesis(review))
    review.close()


def _empty_account_tables(review: ReviewHandle) -> None:
    """The PostgreSQL test store is shared: start without accounts (as tests/web/conftest.py does)."""
    from sqlalchemy import delete

    from realist.store.models import Account, ApiToken, LoginAttempt, Membership, RequestKey, SetupToken, WebSession

    with review.session() as session:
        for table in (Membership, WebSession, ApiToken, SetupToken, LoginAttempt, RequestKey):
            session.execute(delete(table))
        session.execute(delete(Account))


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def _count_link(cell: str) -> tuple[int, str] | None:
    """The number and target of the count link in a table cell."""
    found = re.search(r'<a class="num" href="([^"]+)">(\d+)<', cell)
    return (int(found.group(2)), html.unescape(found.group(1))) if found else None


def _code_rows(page: str) -> dict[str, list[str]]:
    rows = {}
    for code_id, body in re.findall(r'<tr id="code-([^"]+)">(.*?)</tr>', page, re.S):
        rows[html.unescape(code_id)] = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", body, re.S)
    return rows


def test_the_page_shows_the_librarys_count_and_citation_for_every_code(example: Example) -> None:
    page = example.client("viewer").get(example.base)
    assert page.status_code == 200, page.text
    rows = _code_rows(page.text)
    assert set(rows) == {c["id"] for c in example.synth["codes"]}
    for code in example.synth["codes"]:
        name, count, direct, citation = rows[code["id"]]
        assert _text(name) == code["name"]
        link = _count_link(count)
        assert (link[0] if link else int(_text(count))) == code["n"], code["id"]
        assert int(_text(direct)) == code["n_direct"]
        assert _text(citation) == code["citation"]


def _cells(page: str) -> dict[tuple[str, str], tuple[int, str]]:
    """(row name, column name) -> (count, evidence link) of the heatmap table."""
    table = re.search(r'<table class="heatmap">(.*?)</table>', page, re.S)
    assert table, "no heatmap table"
    head = re.search(r"<thead>(.*?)</thead>", table.group(1), re.S)
    assert head
    columns = [_text(c) for c in re.findall(r"<th scope=\"col\">(.*?)</th>", head.group(1), re.S)][1:]
    out = {}
    for body in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", table.group(1), re.S):
        name, rest = body.split("</th>", 1)
        for column, cell in zip(columns, re.findall(r"<td class=\"heat-\d\">(.*?)</td>", rest, re.S)):
            link = _count_link(cell)
            out[(_text(name), column)] = link if link else (int(_text(cell)), "")
    return out


@pytest.mark.parametrize(("rows", "columns"), [("intervention", "outcome"), ("mechanism", "region")])
def test_the_chosen_crosstab_shows_the_librarys_cells(example: Example, rows: str, columns: str) -> None:
    page = example.client("viewer").get(f"{example.base}?rows={rows}&columns={columns}")
    assert page.status_code == 200
    expected = synthesis(example.review, crosstabs=[(rows, columns)])["crosstabs"][0]
    names_r = {v["id"]: v["name"] for v in expected["row_values"]}
    names_c = {v["id"]: v["name"] for v in expected["column_values"]}
    shown = _cells(page.text)
    assert len(shown) == len(names_r) * len(names_c)
    counted = {(names_r[c["row"]], names_c[c["column"]]): c["n"] for c in expected["cells"]}
    assert {k: v[0] for k, v in shown.items() if v[0]} == counted
    # the darkest shade is the largest cell, and an empty cell has no link
    assert re.search(rf'<td class="heat-4"><a class="num" [^>]*>{max(counted.values())}<', page.text)
    assert all(link == "" for n, link in shown.values() if n == 0)


def _evidence_keys(client: Client, url: str) -> list[str]:
    page = client.get(url)
    assert page.status_code == 200, page.text
    return re.findall(r'<li id="study-([^"]+)">', page.text)


def test_a_code_count_clicks_through_to_its_studies_and_excerpts(example: Example) -> None:
    vic = example.client("viewer")
    rows = _code_rows(vic.get(example.base).text)
    for code in example.synth["codes"]:
        link = _count_link(rows[code["id"]][1])
        if link is None:
            continue
        assert _evidence_keys(vic, link[1]) == code["studies"], code["id"]
    management = next(c for c in example.synth["codes"] if c["id"] == "management")
    page = vic.get(_count_link(rows["management"][1])[1]).text  # type: ignore[index]
    # the coders' memos (the paper's sentences) are the evidence shown
    assert "Only seven studies reported on the role of peers in the management" in html.unescape(page)
    assert _text(re.search(r'<p class="evidence-count"[^>]*>(.*?)</p>', page, re.S).group(1)).startswith(  # type: ignore[union-attr]
        f"{management['n']} studies"
    )


def test_a_crosstab_cell_leads_to_the_studies_with_both(example: Example) -> None:
    vic = example.client("viewer")
    page = vic.get(f"{example.base}?rows=intervention&columns=region").text
    expected = synthesis(example.review, crosstabs=[("intervention", "region")])["crosstabs"][0]
    names_r = {v["id"]: v["name"] for v in expected["row_values"]}
    names_c = {v["id"]: v["name"] for v in expected["column_values"]}
    shown = _cells(page)
    for cell in expected["cells"]:
        n, link = shown[(names_r[cell["row"]], names_c[cell["column"]])]
        assert n == cell["n"]
        assert sorted(_evidence_keys(vic, link)) == sorted(cell["studies"])


def test_countries_configurations_and_language_lead_to_their_studies(example: Example) -> None:
    vic = example.client("viewer")
    page = vic.get(example.base).text
    countries = re.search(r'<table class="countries">(.*?)</table>', page, re.S).group(1)  # type: ignore[union-attr]
    for row in example.synth["characteristics"]["country"]:
        cell = re.search(rf"<th scope=\"row\">{re.escape(html.escape(row['value']))}</th><td>(.*?)</td>", countries)
        assert cell, row["value"]
        n, link = _count_link(cell.group(1))  # type: ignore[misc]
        assert n == row["n"]
        assert sorted(_evidence_keys(vic, link)) == sorted(row["studies"])
    configs = re.search(r'<table class="configurations">(.*?)</table>', page, re.S).group(1)  # type: ignore[union-attr]
    links = [_count_link(c) for c in re.findall(r"<td>(<a class=\"num\".*?)</td>", configs, re.S)]
    assert [n for n, _ in links] == [r["support"] for r in example.synth["cmo_configurations"]]  # type: ignore[misc]
    first = example.synth["cmo_configurations"][0]
    evidence = vic.get(links[0][1]).text  # type: ignore[index]
    assert re.findall(r'<li id="study-([^"]+)">', evidence) == first["studies"]
    assert evidence.count('<ul class="cmocs">') == len(first["studies"])
    for cls in example.synth["language"]["by_classification"]:
        url = f"{example.base}/evidence?language={cls['classification']}"
        assert _evidence_keys(vic, url) == cls["studies"]


def test_markup_in_code_names_and_memos_is_shown_as_text(example: Example) -> None:
    vic = example.client("viewer")
    page = vic.get(example.base).text
    assert HOSTILE_NAME not in page and "&lt;script&gt;alert(" in page
    evidence = vic.get(f"{example.base}/evidence?code=hostile").text
    assert HOSTILE_MEMO not in evidence and "&lt;img src=x onerror=" in evidence
    assert "<script>alert" not in evidence


def test_unknown_numbers_and_axes_are_named_not_guessed(example: Example) -> None:
    vic = example.client("viewer")
    missing = vic.get(f"{example.base}/evidence?code=no-such-code")
    assert missing.status_code == 404 and "no-such-code" in html.unescape(missing.text)
    bad = vic.get(f"{example.base}?rows=colour&columns=outcome")
    assert bad.status_code == 200 and "choose rows and columns among" in bad.text
    nothing = vic.get(f"{example.base}/evidence")
    assert nothing.status_code == 400 and "say which number" in nothing.text
    half = vic.get(f"{example.base}/evidence?rows=intervention&row=management")
    assert half.status_code == 400 and "a crosstab cell needs" in half.text


def test_the_world_map_is_an_svg_image_named_in_a_table(example: Example) -> None:
    vic = example.client("viewer")
    svg = vic.get(f"{example.base}/map.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "<script" not in svg.text and 'role="img"' in svg.text
    assert "default-src 'none'" in svg.headers["content-security-policy"]
    page = vic.get(example.base).text
    assert f'<img src="{example.base}/map.svg" alt="' in page
    # the page itself keeps the strict policy (no inline styles)
    assert "unsafe-inline" not in vic.get(example.base).headers["content-security-policy"]
    assert " style=" not in page


# ---------------------------------------------------------------- claims check

MANUSCRIPT = (
    "# Results\n"
    "\n"
    "Only seven studies reported on the role of peers in the management of service organisations "
    "[44, 46, 49, 51, 53, 54].\n"
    "\n"
    "Two studies took place in Kenya [40, 41].\n"
)


def _docx(paragraphs: list[str]) -> bytes:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f"<w:p><w:r><w:t>{html.escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", f'<w:document xmlns:w="{w}"><w:body>{body}</w:body></w:document>')
    return buf.getvalue()


def _check(client: Client, example: Example, name: str, data: bytes, numbering: str = "review") -> Any:
    files = [("manuscript", (name, io.BytesIO(data), "application/octet-stream"))]
    return client.post(f"{example.base}/claims", {"numbering": numbering}, files=files)


def _stored(example: Example) -> tuple[list[str], int]:
    from realist.activity import activity

    files = sorted(str(p.relative_to(example.review.path)) for p in Path(example.review.path).rglob("*"))
    _, total = activity(example.review, "olu", limit=1)
    return files, total


def _flagged_lines(page: str) -> dict[int, str]:
    return {
        int(n): _text(body)
        for n, body in re.findall(r'<li id="line-(\d+)" class="flagged" value="\d+">(.*?)</li>', page, re.S)
    }


@pytest.mark.parametrize("fmt", ["md", "txt", "docx"])
def test_a_miscount_is_shown_beside_its_line(example: Example, fmt: str) -> None:
    rae = example.client("reviewer")
    before = _stored(example)
    if fmt == "docx":
        data = _docx(MANUSCRIPT.splitlines())
    else:
        data = MANUSCRIPT.encode()
    page = _check(rae, example, f"draft.{fmt}", data)
    assert page.status_code == 200, page.text
    flagged = _flagged_lines(page.text)
    # "seven" with six citations, on the manuscript's third line (paragraph, for DOCX)
    assert list(flagged) == [3]
    assert "Only seven studies" in flagged[3] and "7" in flagged[3] and "6" in flagged[3]
    assert "Kenya" not in "".join(flagged.values())
    assert _stored(example) == before, "the manuscript was stored or logged"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("draft.pdf", b"%PDF-1.4 not a manuscript", "cannot read .pdf"),
        ("draft.txt", b"\x00\x01\x02binary", "not a text file"),
        ("draft.docx", b"PK not really a zip", "not a readable DOCX"),
        ("draft.md", b"   \n", "empty"),
        ("draft.md", b"x" * (5 * 1024 * 1024 + 1), "larger than the limit"),
    ],
)
def test_a_bad_file_gets_a_clear_message_and_nothing_is_stored(
    example: Example, name: str, data: bytes, message: str
) -> None:
    rae = example.client("reviewer")
    before = _stored(example)
    page = _check(rae, example, name, data)
    assert page.status_code == 400
    error = re.search(r'<p class="error" role="alert">(.*?)</p>', page.text, re.S)
    assert error and message in html.unescape(error.group(1)) and name in html.unescape(error.group(1))
    assert "Nothing was checked and nothing was stored." in page.text
    assert _stored(example) == before


def test_viewers_read_the_claims_page_but_cannot_run_a_check(example: Example) -> None:
    vic = example.client("viewer")
    page = vic.get(f"{example.base}/claims")
    assert page.status_code == 200 and 'name="manuscript"' not in page.text
    assert _check(vic, example, "draft.md", MANUSCRIPT.encode()).status_code == 403
    refused = example.client("reviewer").post(
        f"{example.base}/claims",
        {"numbering": "review", "csrf_token": "forged"},
        files=[("manuscript", ("draft.md", io.BytesIO(MANUSCRIPT.encode()), "text/markdown"))],
    )
    assert refused.status_code == 403


def test_an_empty_crosstab_cell_has_no_studies_and_says_so(example: Example) -> None:
    table = synthesis(example.review, crosstabs=[("intervention", "outcome")])["crosstabs"][0]
    filled = {(c["row"], c["column"]) for c in table["cells"]}
    row, column = next(
        (r["id"], c["id"])
        for r in table["row_values"]
        for c in table["column_values"]
        if (r["id"], c["id"]) not in filled
    )
    url = f"{example.base}/evidence?rows=intervention&row={row}&columns=outcome&column={column}"
    page = example.client("viewer").get(url)
    assert page.status_code == 200
    assert re.findall(r'<li id="study-', page.text) == [] and "No study is counted here." in page.text
