"""Full texts: PDF, HTML and text extraction with pages; refused files leave the record as it was."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from realist.errors import DuplicateImport, ImportFormatError, InvalidInput
from realist.fulltext import add_fulltext, add_fulltexts, extract_text, get_fulltext, list_fulltexts, remove_fulltext
from realist.identify import import_records
from realist.records import RecordData
from realist.store.models import FullText


def make_pdf(pages: list[str], *, first_label: int | None = None) -> bytes:
    """A minimal valid PDF with one line of Helvetica text per page (written by hand)."""
    n = len(pages)
    objects = [
        "<< /Type /Catalog /Pages 2 0 R"
        + (f" /PageLabels << /Nums [0 << /S /D /St {first_label} >>] >>" if first_label else "")
        + " >>",
        "<< /Type /Pages /Kids [" + " ".join(f"{4 + 2 * i} 0 R" for i in range(n)) + f"] /Count {n} >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, text in enumerate(pages):
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        stream = f"BT /F1 11 Tf 72 720 Td ({escaped}) Tj ET" if text else ""
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >>"
            f" /Contents {5 + 2 * i} 0 R >>"
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for num, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{num} 0 obj\n{body}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


@pytest.fixture
def two(review):
    import_records(
        review,
        [
            RecordData(
                title="Ayon",
                abstract="Peer educators in Kenya.",
                authors=["Ayon, S."],
                year=2017,
                doi="10.1186/s12954-017-0001-x",
            ),
            RecordData(
                title="Le", abstract="Networks in Vietnam.", authors=["Le, G."], year=2016, doi="10.1000/le.2016"
            ),
        ],
        source="s",
        kind="other",
    )
    with review.session() as s:
        from realist.store.models import Record

        review.ids = list(s.scalars(select(Record.id).where(Record.review_id == review.review_id).order_by(Record.id)))  # type: ignore[attr-defined]
    return review


def _count(review):
    with review.session() as s:
        return s.scalar(select(func.count(FullText.id)).where(FullText.review_id == review.review_id))


def test_pdf_text_is_extracted_with_page_numbers_and_labels(two, tmp_path):
    path = tmp_path / "ayon.pdf"
    path.write_bytes(make_pdf(["Peer educators build trust.", "Bridging to clinics (p. 483)."], first_label=482))
    info = add_fulltext(two, two.ids[0], path)
    assert (info.media_type, info.page_count) == ("pdf", 2)
    stored = get_fulltext(two, two.ids[0])
    assert "Peer educators build trust." in stored.text and "\f" in stored.text
    second = stored.text.index("Bridging")
    assert stored.pages[1][0] == 2 and stored.pages[1][1] <= second and stored.pages[1][2] == "483"
    assert len(stored.sha256) == 64


def test_the_same_file_twice_is_refused(two, tmp_path):
    path = tmp_path / "a.pdf"
    path.write_bytes(make_pdf(["Some text about peers and trust."]))
    add_fulltext(two, two.ids[0], path)
    with pytest.raises(DuplicateImport, match="already the full text of record"):
        add_fulltext(two, two.ids[1], path)
    other = tmp_path / "b.pdf"
    other.write_bytes(make_pdf(["Different text about networks."]))
    with pytest.raises(InvalidInput, match="already has a full text"):
        add_fulltext(two, two.ids[0], other)
    assert _count(two) == 1


def _encrypted() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["Secret text about peers."]))))
    writer.encrypt("secret", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("scan.pdf", lambda: make_pdf(["", ""]), "looks scanned (image-only)"),
        ("locked.pdf", _encrypted, "encrypted with a password"),
        ("cut.pdf", lambda: make_pdf(["Some text about peers."])[:150], "damaged or incomplete"),
        ("empty.pdf", lambda: b"", "the file is empty"),
    ],
)
def test_unreadable_pdfs_get_a_clear_message_and_the_record_stays(two, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content())
    with pytest.raises(ImportFormatError) as err:
        add_fulltext(two, two.ids[0], path)
    assert message in str(err.value) and name in str(err.value)
    assert _count(two) == 0 and get_fulltext(two, two.ids[0]) is None


def test_html_and_text_full_texts(two, tmp_path):
    html = tmp_path / "le.html"
    html.write_text(
        "<html><head><title>x</title><script>var a=1;</script></head><body>"
        "<h1>Networks</h1><p>People who use drugs lead   networks.</p><p>Second para.</p></body></html>"
    )
    add_fulltext(two, two.ids[1], html)
    text = get_fulltext(two, two.ids[1]).text
    assert "var a" not in text and "People who use drugs lead networks." in text
    assert text.splitlines()[0] == "Networks"
    ex = extract_text(b"page one\fpage two", file_name="x.txt")
    assert ex.media_type == "text" and ex.pages == [[1, 0, None], [2, 9, None]]


def test_bulk_matches_files_by_doi_name_record_id_and_doi_in_text(two, tmp_path):
    folder = tmp_path / "pdfs"
    folder.mkdir()
    (folder / "10.1186_s12954-017-0001-x.pdf").write_bytes(make_pdf(["Ayon full text about peers."]))
    (folder / "unknown.pdf").write_bytes(make_pdf(["Le full text, doi:10.1000/le.2016 here."]))
    (folder / "nothing.pdf").write_bytes(make_pdf(["No identifier anywhere in this text."]))
    (folder / "scan.pdf").write_bytes(make_pdf([""]))
    items = {i.file.rsplit("/", 1)[-1]: i for i in add_fulltexts(two, [folder])}
    assert (items["10.1186_s12954-017-0001-x.pdf"].status, items["10.1186_s12954-017-0001-x.pdf"].record_id) == (
        "added",
        two.ids[0],
    )
    assert (items["unknown.pdf"].status, items["unknown.pdf"].matched_by) == ("added", "DOI in text")
    assert items["nothing.pdf"].status == "unmatched"
    assert items["scan.pdf"].status == "failed" and "scanned" in items["scan.pdf"].message
    assert [f.record_id for f in list_fulltexts(two)] == two.ids


def test_remove_is_refused_while_an_excerpt_quotes_the_text(two, tmp_path):
    from realist.code.coding import add_excerpt
    from realist.code.studies import add_study

    path = tmp_path / "a.pdf"
    path.write_bytes(make_pdf(["Peers act as a bridge between clients and clinics."]))
    add_fulltext(two, two.ids[0], path)
    add_study(two, two.ids[0])
    ex = add_excerpt(two, "ayon2017", quote="a bridge", source="fulltext")
    assert (ex.source, ex.page) == ("fulltext", 1)
    with pytest.raises(InvalidInput, match="excerpt"):
        remove_fulltext(two, two.ids[0])


def test_fulltext_commands(run, tmp_path):
    ris = tmp_path / "one.ris"
    ris.write_text("TY  - JOUR\nTI  - A\nAU  - Ayon, S.\nPY  - 2017\nDO  - 10.1000/a\nER  - \n")
    run.ok("import", str(ris), "--source", "s")
    rid = str(json.loads(run.ok("records", "--json").output)[0]["id"])
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(make_pdf(["Trust and bridging in peer work."]))
    assert "1 pages" in run.ok("fulltext", "add", rid, str(pdf)).output
    again = run("fulltext", "add", rid, str(pdf))
    assert again.exit_code == 1 and "already" in again.output
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(make_pdf([""]))
    assert "scanned" in run("fulltext", "bulk", str(scan)).output
    assert "Trust and bridging" in run.ok("fulltext", "show", rid).output
    assert "a.pdf" in run.ok("fulltext", "list").output
    run.ok("fulltext", "remove", rid)
    assert json.loads(run.ok("fulltext", "list", "--json").output) == []
