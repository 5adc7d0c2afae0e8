"""How long a reviewer waits for the next record in a 10,000-record review.

Builds a review of 10,000 records (the SYNERGY datasets in ../shared,
repeated with distinct titles until there are 10,000), records a few hundred
decisions, then times what the screening loop does per record: decide, then
ask the queue for the next record (derive statuses from the store, retrain,
re-rank).  Side by side, in the same run, the ranker alone
(``Ranker.fit_rank`` on the same labels): the difference is the store's
share.

    .venv/bin/python benchmarks/screening_loop_benchmark.py [--records 10000] [--steps 20] [--database-url URL]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from realist.identify import import_records  # noqa: E402
from realist.records import RecordData  # noqa: E402
from realist.review import init_review  # noqa: E402
from realist.screen import decisions as d  # noqa: E402
from realist.screen.queue import next_records  # noqa: E402
from realist.screen.ranking.learner import Ranker  # noqa: E402

SYNERGY = ROOT.parent / "shared" / "data" / "synergy"


def load_rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted(SYNERGY.glob("*.csv.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            rows.extend(csv.DictReader(fh))
    if not rows:
        sys.exit(f"no SYNERGY data in {SYNERGY}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--labelled", type=int, default=300)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    base = load_rows()
    records, labels = [], []
    for i in range(args.records):
        row = base[i % len(base)]
        copy = i // len(base)
        records.append(
            RecordData(
                title=f"{row['title']}" + (f" (copy {copy})" if copy else ""),
                abstract=row.get("abstract") or None,
                openalex_id=row.get("openalex_id") or None,
                referenced_works=(row.get("referenced_works") or "").split(),
            )
        )
        labels.append(row["label_included"] == "1")

    with tempfile.TemporaryDirectory() as tmp:
        review = init_review(Path(tmp) / "r", "loop benchmark", database_url=args.database_url, actor="bench")
        import_records(review, records, source="synergy x", kind="database")
        ids = sorted(d.statuses(review, "title_abstract"))
        by_id = dict(zip(ids, labels))
        rng = np.random.default_rng(1)
        seeded = [ids[i] for i in rng.choice(len(ids), size=args.labelled, replace=False)]
        seeded += [r for r in ids if by_id[r]][:10]
        for rid in dict.fromkeys(seeded):
            d.decide(review, rid, "include" if by_id[rid] else "exclude", reviewer="ana")

        cache: dict = {}
        t0 = time.perf_counter()
        nxt = next_records(review, "ana", limit=1, ranker_cache=cache)
        first = time.perf_counter() - t0

        loop, ranker_only = [], []
        for _ in range(args.steps):
            t0 = time.perf_counter()
            d.decide(review, nxt[0], "include" if by_id[nxt[0]] else "exclude", reviewer="ana")
            nxt = next_records(review, "ana", limit=1, ranker_cache=cache)
            loop.append(time.perf_counter() - t0)

            ranker: Ranker = cache["ranker"]
            pos = {r: i for i, r in enumerate(ids)}
            decided = d.statuses(review, "title_abstract")
            lab = {
                pos[r]: int(s.status == "included") for r, s in decided.items() if s.status in ("included", "excluded")
            }
            t0 = time.perf_counter()
            ranker.fit_rank(lab, rng=np.random.default_rng(0))
            ranker_only.append(time.perf_counter() - t0)
        backend = review.engine.dialect.name
        review.close()

    med_loop, med_rank = statistics.median(loop), statistics.median(ranker_only)
    print(
        "| backend | records | labelled | first next record (features built) s | per record: decide + next (median) ms | ranker alone (median) ms | ratio |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {backend} | {args.records:,} | {args.labelled + 10 + args.steps} | {first:.2f} | {med_loop * 1000:.0f} | {med_rank * 1000:.0f} | {med_loop / med_rank:.1f}× |"
    )


if __name__ == "__main__":
    main()
