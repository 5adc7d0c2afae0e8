"""The ``--json`` outputs are an interface for scripts: their fields are pinned here.

Each test names the fields a script may rely on.  Changes must be additive
(new fields) and documented in docs/cli.md's command help or docs/python-api.md;
removing or renaming a field fails here.  The same field sets come from the
typed results' ``to_dict()`` (the web app serves those).
"""

from __future__ import annotations

import json
from pathlib import Path

from support import SAMPLE

RIS = str(SAMPLE / "pubmed_peer.ris")
CSV = str(SAMPLE / "scopus_peer.csv")

RECORD_FIELDS = {
    "id",
    "source",
    "source_kind",
    "source_record_id",
    "title",
    "abstract",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "pmcid",
    "openalex_id",
    "issn",
    "keywords",
    "language",
    "publication_type",
    "url",
    "referenced_works",
    "duplicate_of",
    # Added (issue 12), additive: notice links (errata, retractions...) and the retraction flag.
    "notices",
    "retracted",
    # Added (issue 12), additive: how citation chasing found the record.
    "provenance",
}

# Two reports of one title with different DOIs: the matcher asks a person.
TWIN_RIS = """\
TY  - JOUR
TI  - Peer navigation for people who inject drugs in Hanoi: a randomised trial
AU  - Nguyen, Van An
AU  - Tran, Thi Binh
PY  - 2019
JO  - Harm Reduction Journal
VL  - 16
SP  - 12
DO  - 10.1186/s12954-019-0001-1
ER  -

TY  - JOUR
TI  - Peer navigation for people who inject drugs in Hanoi: a randomised trial
AU  - Nguyen, Van An
AU  - Tran, Thi Binh
PY  - 2019
JO  - Harm Reduction Journal
VL  - 16
SP  - 12
DO  - 10.1186/s12954-019-0099-9
ER  -
"""


def _json(run, *args):  # type: ignore[no-untyped-def]
    return json.loads(run.ok(*args).stdout)


def test_records_json_fields_are_pinned(run):  # type: ignore[no-untyped-def]
    run.ok("import", RIS, "--source", "PubMed")
    rows = _json(run, "records", "--json")
    assert rows and all(set(r) == RECORD_FIELDS for r in rows)
    assert isinstance(rows[0]["authors"], list) and isinstance(rows[0]["id"], int)


def test_status_json_fields_are_pinned(run):  # type: ignore[no-untyped-def]
    run.ok("import", RIS, "--source", "PubMed")
    run.ok("screen", "assign", "--reviewers", "ana,ben", "--per-record", "2")
    status = _json(run, "status", "--json")
    assert set(status) == {
        "title",
        "records",
        "unique",
        "duplicates",
        "pending_duplicate_pairs",
        "sources",
        "stages",
        "retracted",
    }  # retracted: added (issue 12)
    assert set(status["sources"][0]) == {
        "id",
        "name",
        "kind",
        "format",
        "file",
        "imported_at",
        "records",
        "duplicates",
        "identified_outside",
    }
    assert set(status["stages"]["title_abstract"]) == {"eligible", "included", "excluded", "conflict", "pending"}


def test_dedup_json_fields_are_pinned(run):  # type: ignore[no-untyped-def]
    run.ok("import", RIS, "--source", "PubMed")
    run.ok("import", CSV, "--source", "Scopus")
    summary = _json(run, "dedup", "--json")
    assert set(summary) == {
        "records",
        "groups",
        "duplicates",
        "new_merges",
        "pending",
        "dry_run",
        "merges",
        "notices",
    }  # notices: added (issue 12)
    assert summary["merges"], "the sample holds duplicates across PubMed and Scopus"
    assert all(set(m) == {"record_id", "other_id", "score", "matched_fields", "reason"} for m in summary["merges"])


def test_pending_pairs_json_fields_are_pinned(run, tmp_path: Path):  # type: ignore[no-untyped-def]
    twins = tmp_path / "twins.ris"
    twins.write_text(TWIN_RIS)
    run.ok("import", str(twins), "--source", "Embase")
    assert _json(run, "dedup", "--json")["pending"] == 1
    pairs = _json(run, "dedup", "--pending", "--json")
    assert len(pairs) == 1
    assert set(pairs[0]) == {"pair", "score", "matched_fields", "differing_fields", "reason", "records"}
    assert [set(r) for r in pairs[0]["records"]] == [{"id", "title", "authors", "year", "journal", "doi"}] * 2


def test_screen_progress_json_fields_are_pinned(run):  # type: ignore[no-untyped-def]
    run.ok("import", RIS, "--source", "PubMed")
    run.ok("screen", "assign", "--reviewers", "ana,ben", "--per-record", "2")
    first = _json(run, "records", "--json")[0]["id"]
    run.ok("screen", "decide", str(first), "include", "--reviewer", "ana")
    run.ok("screen", "decide", str(first), "exclude", "--reviewer", "ben")
    progress = _json(run, "screen", "progress", "--json")
    assert set(progress) == {
        "stage",
        "eligible",
        "included",
        "excluded",
        "conflict",
        "pending",
        "resolved",
        "exclusion_reasons",
        "reviewers",
        "stopping",
    }
    assert set(progress["reviewers"]) == {"ana", "ben"}
    assert set(progress["reviewers"]["ana"]) == {"assigned", "decided"}
    # additive since the typed results: every StoppingEstimate field (docs/python-api.md)
    assert set(progress["stopping"]) >= {
        "recommendation",
        "phase",
        "recall_estimate",
        "recall_lower_bound",
        "p_value",
        "heuristics",
        "explanation",
    }
    conflicts = _json(run, "screen", "conflicts", "--json")
    assert [set(c) for c in conflicts] == [{"record", "decisions"}]
    assert set(conflicts[0]["decisions"]) == {"ana", "ben"}
    assert set(conflicts[0]["decisions"]["ana"]) == {"decision", "reason", "note", "at"}


def test_screen_next_json_lists_records_with_the_record_fields(run):  # type: ignore[no-untyped-def]
    run.ok("import", RIS, "--source", "PubMed")
    rows = _json(run, "screen", "next", "--reviewer", "ana", "--limit", "3", "--json")
    assert len(rows) == 3 and all(set(r) == RECORD_FIELDS for r in rows)
