"""Run ASReview's default model on given data and priors (run with its own venv).

Usage (called by screening_benchmark.py):
    benchmarks/.venv-asreview/bin/python benchmarks/screening_asreview_runner.py JOB.json OUT.json

JOB.json: {"csv": path, "runs": [{"seed": s, "priors": [row indices]}]}.
OUT.json: per run the order of row indices screened after the priors (until the
last relevant record: ASReview's default stopper), the time spent in fit+rank
per retrain, and the wall time.
"""

import csv
import gzip
import io
import json
import sys
import time

import numpy as np
import pandas as pd
from asreview.learner import ActiveLearningCycle
from asreview.models.models import get_ai_config
from asreview.models.queriers import TopDown
from asreview.models.stoppers import IsFittable
from asreview.simulation.simulate import Simulate


def load(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    csv.field_size_limit(2**31 - 1)
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def main(job_path, out_path):
    with open(job_path) as f:
        job = json.load(f)
    rows = load(job["csv"])
    df = pd.DataFrame({"title": [r["title"] for r in rows], "abstract": [r["abstract"] for r in rows]})
    labels = np.array([int(r["label_included"]) for r in rows])
    out = []
    for run in job["runs"]:
        np.random.seed(run["seed"])
        meta = get_ai_config(None)["value"]
        default = ActiveLearningCycle.from_meta(meta)
        timings = []
        fit, rank = default.fit, default.rank

        def timed_fit(X, y, _fit=fit, timings=timings):
            t0 = time.perf_counter()
            r = _fit(X, y)
            timings.append([time.perf_counter() - t0, 0.0])
            return r

        def timed_rank(X, _rank=rank, timings=timings):
            t0 = time.perf_counter()
            r = _rank(X)
            timings[-1][1] = time.perf_counter() - t0
            return r

        default.fit, default.rank = timed_fit, timed_rank
        cycles = [ActiveLearningCycle(querier=TopDown(), stopper=IsFittable()), default]
        t0 = time.perf_counter()
        sim = Simulate(df, labels, cycles, print_progress=False)
        sim.label(list(run["priors"]))
        sim.review()
        wall = time.perf_counter() - t0
        ids = [int(i) for i in sim._results["record_id"].tolist()]
        n_prior = len(run["priors"])
        out.append(
            {
                "seed": run["seed"],
                "priors": ids[:n_prior],
                "order": ids[n_prior:],
                "n_retrains": len(timings),
                "time_per_retrain_s": float(np.mean([a + b for a, b in timings])) if timings else 0.0,
                "wall_time_s": wall,
                "model": meta.classifier + "/" + meta.feature_extractor,
            }
        )
    with open(out_path, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
