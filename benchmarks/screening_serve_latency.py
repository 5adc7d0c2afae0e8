"""Latency of one decide + next through the library, at a given review size.

The web app's screening loop is ``realist.screen.decisions.decide`` followed by
``realist.screen.served.next_record`` (from a stored ranking).  This times that
pair in one process, with no HTTP, no concurrency and no ranking refit, so it
separates the core's cost from the server's (see the web load benchmark in
docs/benchmarks.md).  Records are synthetic (seeded), imported through the
library into a temporary SQLite review (or ``--database-url``).

    .venv/bin/python benchmarks/screening_serve_latency.py --records 50000
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from realist.identify import import_records
from realist.records import RecordData
from realist.review import init_review
from realist.screen import decisions as d
from realist.screen.served import next_record
from realist.store.models import Record, StoredRanking

WORDS = ["peer", "drug", "hiv", "harm", "reduction", "outreach", "needle", "syringe", "stigma", "services"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--decisions", type=int, default=40)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        review = init_review(Path(tmp) / "review", "latency", database_url=args.database_url, actor="bench")
        records = [
            RecordData(title=f"Study {i}: " + " ".join(rng.choice(WORDS) for _ in range(8)), year=2000 + i % 20)
            for i in range(args.records)
        ]
        import_records(review, records, source="synthetic")
        with review.session() as session:
            ids = list(session.scalars(select(Record.id).where(Record.review_id == review.review_id)))
            rng.shuffle(ids)
            for reviewer in ("ana", "ben"):
                session.add(
                    StoredRanking(
                        review_id=review.review_id,
                        stage="title_abstract",
                        reviewer=reviewer,
                        record_ids=ids,
                        decisions_seen=0,
                    )
                )
        times = []
        for i in range(args.decisions):
            reviewer = "ana" if i % 2 else "ben"
            t0 = time.perf_counter()
            served = next_record(review, reviewer, compute_if_missing=False)
            assert served.record_id is not None
            d.decide(review, served.record_id, "exclude", reviewer=reviewer, idempotency_key=f"{reviewer}-{i}")
            times.append((time.perf_counter() - t0) * 1000)
        review.close()
    times = times[5:]  # warm-up
    q = statistics.quantiles(times, n=20)
    print(
        f"{args.records} records, {len(times)} decide + next: "
        f"median {statistics.median(times):.1f} ms, p95 {q[-1]:.1f} ms, max {max(times):.1f} ms"
    )


if __name__ == "__main__":
    main()
