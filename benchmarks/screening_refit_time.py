"""Time one refit + re-rank of ranking models at 10,000 and 50,000 records.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/screening_refit_time.py \
        --model default --model adaptive_svm --out benchmarks/out/refit_time

The five SYNERGY datasets are repeated up to the size asked for (each copy's
OpenAlex id made unique, so the citation links stay within a copy); 1,000
records drawn at random (seed 0) are labelled.  For each size and condition
(text only: ``referenced_works`` hidden; with citations) the features are
built once per model, then ``Ranker.fit_rank`` is timed ``--repeats`` times,
the models in turn; the median and its ratio to the first model's are
reported.  The machine's 1-minute load average is read before and after
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


def time_refit(
    n_records: int, *, citations: bool, models: list[str], repeats: int, seed: int = 0
) -> list[dict[str, Any]]:
    """Median refit + re-rank time of each model on the same records and labels.

    The models' timings are interleaved (one refit of each, in turn, per
    repeat), so a change in the machine's load touches every model alike and
    their ratio stays readable on a shared machine.
    """
    rng = np.random.default_rng(seed)
    rows = big_rows(n_records, citations=citations)
    y = np.array([int(r["label_included"]) for r in rows])
    labelled = rng.choice(len(rows), 1000, replace=False)
    labels = {int(i): int(y[i]) for i in labelled}
    load_before = os.getloadavg()[0]
    rankers, builds = [], []
    for model in models:
        t0 = time.perf_counter()
        rankers.append(Ranker(rows, model=model))
        builds.append(time.perf_counter() - t0)
    times: list[list[float]] = [[] for _ in models]
    for _ in range(repeats):
        for k, ranker in enumerate(rankers):
            t0 = time.perf_counter()
            ranker.fit_rank(labels, rng=np.random.default_rng(seed))
            times[k].append(time.perf_counter() - t0)
    load_after = os.getloadavg()[0]
    return [
        {
            "records": len(rows),
            "citations": citations,
            "model": model,
            "features_s": build,
            "fit_rank_s": statistics.median(ts),
            "fit_rank_all_s": ts,
            "load_before": load_before,
            "load_after": load_after,
            "cpus": os.cpu_count(),
        }
        for model, build, ts in zip(models, builds, times)
    ]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10000,50000")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument(
        "--model",
        action="append",
        default=[],
        help="a registered ranking model (repeatable; default: the default model); the first is the reference",
    )
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "out" / "refit_time"))
    args = ap.parse_args(argv)
    models = args.model or ["default"]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, Any]] = []
    lines = [
        "| records | condition | model | features built (s) | refit + re-rank, median (ms) "
        f"| ratio to {models[0]} | load average before / after |",
        "|---:|---|---|---:|---:|---:|---|",
    ]
    for size in [int(s) for s in args.sizes.split(",")]:
        for citations in (False, True):
            ts = time_refit(size, citations=citations, models=models, repeats=args.repeats)
            results.extend(ts)
            (out / "refit_time.json").write_text(json.dumps(results, indent=1))
            for t in ts:
                line = (
                    f"| {t['records']:,} | {'with citations' if citations else 'text only'} | {t['model']} | "
                    f"{t['features_s']:.1f} | {1000 * t['fit_rank_s']:.0f} | "
                    f"{t['fit_rank_s'] / ts[0]['fit_rank_s']:.2f} | "
                    f"{t['load_before']:.1f} / {t['load_after']:.1f} ({t['cpus']} CPUs) |"
                )
                lines.append(line)
                print(line, file=sys.stderr, flush=True)
    report = "\n".join(lines) + "\n"
    (out / "report.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
