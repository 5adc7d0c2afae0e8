"""Run one deduplicator on one CSV and write its groups as JSON (a child process).

Usage (called by ``dedup_benchmark.py``)::

    <python> dedup_bibdedupe_runner.py {bibdedupe|realist} records.csv out.json

The CSV has BibTeX-like columns (``ID, ENTRYTYPE, title, author, year,
journal, booktitle, volume, number, pages, doi, abstract``; authors joined
by `` and ``; a conference paper's or chapter's container in ``booktitle``).
bib-dedupe runs with its default settings: ``prep`` → ``block`` → ``match``
→ ``cluster`` (the steps ``merge`` runs); its *maybe* pairs are counted as
uncertain.  The output holds the groups, the uncertain pairs,
the wall seconds of the deduplication itself (reading the CSV excluded) and
the peak resident memory of this process and its children (MiB); for
realist also the notice links (notice, article), which are never merges.
"""

from __future__ import annotations

import csv
import json
import resource
import sys
import time


def _peak_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024.0


def run_bibdedupe(path: str) -> tuple[list[list[str]], list[tuple[str, ...]], list[tuple[str, ...]]]:
    import pandas as pd
    from bib_dedupe.bib_dedupe import block, cluster, match, prep

    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    start = time.perf_counter()
    prepped = prep(df, verbosity_level=0)
    pairs = block(prepped, verbosity_level=0)
    matched = match(pairs, verbosity_level=0)
    groups = cluster(matched[matched["duplicate_label"] == "duplicate"], verbosity_level=0)
    maybe_df = matched[matched["duplicate_label"] == "maybe"]
    maybe = sorted({tuple(sorted((str(a), str(b)))) for a, b in zip(maybe_df["ID_1"], maybe_df["ID_2"])})
    run_bibdedupe.seconds = time.perf_counter() - start  # type: ignore[attr-defined]
    return [sorted(map(str, g)) for g in groups], maybe, []


def run_realist(path: str) -> tuple[list[list[str]], list[tuple[str, ...]], list[tuple[str, ...]]]:
    from realist.deduplicate import find_duplicates
    from realist.records import RecordData

    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    records = []
    for row in rows:
        year = row["year"][:4]
        records.append(
            (
                int(row["ID"]),
                RecordData(
                    title=row["title"] or None,
                    abstract=row["abstract"] or None,
                    authors=[a for a in row["author"].split(" and ") if a],
                    year=int(year) if year.isdigit() else None,
                    journal=row["journal"] or row.get("booktitle") or None,
                    publication_type=row.get("ENTRYTYPE") or None,
                    volume=row["volume"] or None,
                    issue=row["number"] or None,
                    pages=row["pages"] or None,
                    doi=row["doi"] or None,
                ),
            )
        )
    start = time.perf_counter()
    result = find_duplicates(records)
    run_realist.seconds = time.perf_counter() - start  # type: ignore[attr-defined]
    return (
        [[str(i) for i in g] for g in result.groups],
        [(str(m.a), str(m.b)) for m in result.uncertain],
        [(str(m.a), str(m.b)) for m in result.notices],
    )


def main() -> None:
    tool, src, dst = sys.argv[1:4]
    runner = run_bibdedupe if tool == "bibdedupe" else run_realist
    groups, uncertain, notices = runner(src)
    with open(dst, "w", encoding="utf-8") as fh:
        json.dump(
            {
                "groups": groups,
                "uncertain": len(uncertain),
                "uncertain_pairs": uncertain,
                "notice_pairs": notices,
                "seconds": runner.seconds,
                "peak_mib": _peak_mib(),
            },
            fh,
        )  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
