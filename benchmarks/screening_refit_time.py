"""Time one refit + re-rank of the default ranking model at 10,000 and 50,000 records.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/screening_refit_time.py \
        --out benchmarks/out/refit_time

The five SYNERGY datasets are repeated up to the size asked for (each copy's
OpenAlex id made unique, so the citation links stay within a copy); 1,000
records drawn at random (seed 0) are labelled.  For each size and condition
(text only: ``referenced_works`` hidden; with citations) the features are
built once, then ``Ranker.fit_rank`` is timed ``--repeats`` times; the median
is reported.  The machine's 1-minute load average is read before and after
each timing, because the figures mean little on a busy machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from realist.screen.ranking import Ranker  # noqa: E402
from realist.screen.simulate import load_labelled_csv  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "synergy"
DATASETS = ["Donners_2021", "Meijboom_2021", "Menon_2022", "Oud_2018", "van_der_Valk_2021"]


def big_rows(n_records: int, *, citations: bool) -> list[dict[str, Any]]:
    rows_all = [r for n in DATASETS for r in load_labelled_csv(DATA / f"{n}.csv.gz")]
    reps = -(-n_records // len(rows_all))
    out = []
    for k in range(reps):
        for r in rows_all:
            row = dict(r, openalex_id=f"{r.get('openalex_id', '')}-{k}")
            if not citations:
                row["referenced_works"] = ""
            out.append(row)
    return out[:n_records]


def time_refit(n_records: int, *, citations: bool, model: str | None, repeats: int, seed: int = 0) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    rows = big_rows(n_records, citations=citations)
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    ranker = Ranker(rows) if model is None else Ranker(rows, model=model)
    build = time.perf_counter() - t0
    y = np.array([int(r["label_included"]) for r in rows])
    labelled = rng.choice(len(rows), 1000, replace=False)
    labels = {int(i): int(y[i]) for i in labelled}
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        ranker.fit_rank(labels, rng=rng)
        times.append(time.perf_counter() - t0)
    return {
        "records": len(rows),
        "citations": citations,
        "model": model or "default",
        "features_s": build,
        "fit_rank_s": statistics.median(times),
        "fit_rank_all_s": times,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "cpus": os.cpu_count(),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10000,50000")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--model", default=None, help="a registered ranking model (default: the default model)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "out" / "refit_time"))
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = []
    lines = [
        "| records | condition | model | features built (s) | refit + re-rank, median (ms) | load average before / after |",
        "|---:|---|---|---:|---:|---|",
    ]
    for size in [int(s) for s in args.sizes.split(",")]:
        for citations in (False, True):
            t = time_refit(size, citations=citations, model=args.model, repeats=args.repeats)
            results.append(t)
            (out / "refit_time.json").write_text(json.dumps(results, indent=1))
            line = (
                f"| {t['records']:,} | {'with citations' if citations else 'text only'} | {t['model']} | "
                f"{t['features_s']:.1f} | {1000 * t['fit_rank_s']:.0f} | "
                f"{t['load_before']:.1f} / {t['load_after']:.1f} ({t['cpus']} CPUs) |"
            )
            lines.append(line)
            print(line, file=sys.stderr, flush=True)
    report = "\n".join(lines) + "\n"
    (out / "report.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
