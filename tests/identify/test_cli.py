"""Import, listing, export and dedup through the command line, on the shipped sample."""

from __future__ import annotations

import csv
import io
import json

from support import SAMPLE

RIS = str(SAMPLE / "pubmed_peer.ris")
CSV = str(SAMPLE / "scopus_peer.csv")


def _records(run, *args):
    return json.loads(run.ok("records", "--json", *args).stdout)


def test_import_reports_count_and_format(run):
    out = run.ok("import", RIS, "--source", "PubMed").output
    assert "12 records (ris)" in out
    rows = _records(run)
    assert len(rows) == 12
    assert {r["source"] for r in rows} == {"PubMed"}


def test_records_json_is_the_documented_interface(run):
    run.ok("import", CSV, "--source", "Scopus")
    rows = _records(run)
    for key in ("id", "source", "source_record_id", "title", "authors", "year", "doi", "duplicate_of"):
        assert key in rows[0]
    by_title = {r["title"]: r for r in rows}
    hammett = next(r for t, r in by_title.items() if t.startswith("Controlling HIV"))
    assert hammett["doi"] == "10.1371/journal.pone.0043141"
    assert hammett["year"] == 2012
    assert all(r["duplicate_of"] is None for r in rows)


def test_records_csv_has_a_header_and_one_row_per_record(run):
    run.ok("import", RIS, "--source", "PubMed")
    rows = list(csv.DictReader(io.StringIO(run.ok("records", "--csv").stdout)))
    assert len(rows) == 12 and "title" in rows[0]


def test_same_file_twice_is_refused_unless_forced(run):
    run.ok("import", RIS, "--source", "PubMed")
    again = run("import", RIS, "--source", "PubMed")
    assert again.exit_code == 1
    assert "already imported" in again.output
    assert len(_records(run)) == 12
    run.ok("import", RIS, "--source", "PubMed", "--force")
    assert len(_records(run)) == 24


def test_broken_file_changes_nothing_and_names_the_file(run, tmp_path):
    bad = tmp_path / "broken.xml"
    bad.write_text("<?xml version='1.0'?><PubmedArticleSet><PubmedArticle><MedlineCitation>")
    result = run("import", str(bad), "--source", "PubMed")
    assert result.exit_code == 1
    assert "broken.xml" in result.output
    assert "Traceback" not in result.output
    status = json.loads(run.ok("status", "--json").stdout)
    assert status["records"] == 0 and status["sources"] == []


def test_missing_file_is_a_clear_error(run, tmp_path):
    result = run("import", str(tmp_path / "nope.ris"))
    assert result.exit_code == 1 and "no such file" in result.output


def test_commands_outside_a_review_explain_how_to_start(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from realist.cli import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REALIST_DATABASE_URL", raising=False)
    result = CliRunner().invoke(cli, ["status"])
    assert result.exit_code == 1
    assert "realist init" in result.output


def test_status_counts_per_source(run):
    run.ok("import", RIS, "--source", "PubMed")
    run.ok("import", CSV, "--source", "Scopus", "--kind", "database")
    status = json.loads(run.ok("status", "--json").stdout)
    assert [(s["name"], s["records"]) for s in status["sources"]] == [("PubMed", 12), ("Scopus", 8)]
    assert status["records"] == 20


def test_import_is_logged_with_actor(run):
    run.ok("import", RIS, "--source", "PubMed")
    log = json.loads(run.ok("log", "--json").stdout)
    imported = [e for e in log if e["action"] == "source.imported"]
    assert imported and imported[0]["actor"] == "tester"
    assert imported[0]["payload"]["records"] == 12


def _import_both(run):
    run.ok("import", RIS, "--source", "PubMed")
    run.ok("import", CSV, "--source", "Scopus")


def _groups(rows):
    groups = {}
    for r in rows:
        if r["duplicate_of"] is not None:
            groups.setdefault(r["duplicate_of"], {r["duplicate_of"]}).add(r["id"])
    return groups


def test_dedup_merges_the_same_study_across_databases(run):
    _import_both(run)
    run.ok("dedup")
    rows = _records(run)
    by_id = {r["id"]: r for r in rows}
    groups = _groups(rows)
    merged_titles = sorted(by_id[c]["title"].lower()[:30] for c in groups)
    # The four studies present in both exports (written that way in the sample).
    assert len(groups) == 4, merged_titles
    for members in groups.values():
        sources = {by_id[m]["source"] for m in members}
        assert sources == {"PubMed", "Scopus"}
        titles = {by_id[m]["title"].lower().rstrip(".") for m in members}
        assert len({t[:40] for t in titles}) == 1


def test_dedup_never_merges_two_papers_by_one_author(run):
    _import_both(run)
    run.ok("dedup")
    rows = _records(run)
    booth = [r for r in rows if r["authors"] and r["authors"][0].startswith("Booth")]
    # Booth 2009, 2011 (twice: PubMed and Scopus) and 2016: three distinct papers.
    distinct = {r["id"] if r["duplicate_of"] is None else r["duplicate_of"] for r in booth}
    assert len(distinct) == 3


def test_dedup_dry_run_changes_nothing(run):
    _import_both(run)
    out = run.ok("dedup", "--dry-run").output
    assert "would merge 4" in out
    assert all(r["duplicate_of"] is None for r in _records(run))


def test_dedup_is_idempotent(run):
    _import_both(run)
    first = json.loads(run.ok("dedup", "--json").stdout)
    second = json.loads(run.ok("dedup", "--json").stdout)
    assert first["duplicates"] == second["duplicates"] == 4
    assert second["new_merges"] == 0


def test_undone_merge_stays_undone(run):
    _import_both(run)
    run.ok("dedup")
    rows = _records(run)
    dup = next(r for r in rows if r["duplicate_of"] is not None)
    run.ok("dedup", "undo", str(dup["id"]))
    assert next(r for r in _records(run) if r["id"] == dup["id"])["duplicate_of"] is None
    run.ok("dedup")
    assert next(r for r in _records(run) if r["id"] == dup["id"])["duplicate_of"] is None
    log = [e["action"] for e in json.loads(run.ok("log", "--json").stdout)]
    assert "dedup.undone" in log


def test_undo_of_an_unmerged_record_is_refused(run):
    _import_both(run)
    run.ok("dedup")
    rows = _records(run)
    canonical = {r["duplicate_of"] for r in rows}
    lone = next(r["id"] for r in rows if r["duplicate_of"] is None and r["id"] not in canonical)
    result = run("dedup", "undo", str(lone))
    assert result.exit_code == 1 and "not merged" in result.output


def test_export_then_import_keeps_the_records(run, tmp_path):
    _import_both(run)
    run.ok("dedup")
    for fmt in ("ris", "bibtex", "csv", "csl-json"):
        out = tmp_path / f"out.{fmt}"
        run.ok("export", "--format", fmt, "--output", str(out))
        before = {(r["title"], r["year"]) for r in _records(run, "--duplicates", "exclude")}
        from realist.identify.formats import read_file

        parsed = read_file(out)
        assert {(r.title, r.year) for r in parsed.records} == before


def test_library_error_carries_facts_and_the_cli_adds_the_force_hint(run, database_url):
    from realist.errors import DuplicateImport
    from realist.identify import import_file
    from realist.review import open_review

    run.ok("import", RIS, "--source", "PubMed")
    with open_review(run.path, database_url=database_url) as review:
        try:
            import_file(review, RIS, source="PubMed")
        except DuplicateImport as exc:
            assert exc.file == RIS and exc.key == "already-imported"
            assert "--force" not in str(exc)
        else:
            raise AssertionError("a second import of the same file was not refused")
    again = run("import", RIS, "--source", "PubMed")
    assert "already imported" in again.output and "use --force" in again.output


def test_invalid_option_values_are_pointed_at_their_option(run):
    run.ok("import", RIS, "--source", "PubMed")
    result = run("screen", "assign", "--reviewers", "ana,ben", "--per-record", "3")
    assert result.exit_code == 1
    assert "reviewers per record must be between 1 and the number of reviewers (2)" in result.output
    assert "see --per-record" in result.output
