"""Development helper: compare ranking model variants quickly (not the benchmark)."""

import csv
import gzip
import json
import math
import sys
import time

import numpy as np

from realist.screen.ranking import MODELS, ModelSpec, Ranker, RetrainSchedule

csv.field_size_limit(10**9)
D = "/work/shared/data/synergy/"


def load(name):
    with gzip.open(D + name + ".csv.gz", "rt", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def run(rows, spec, seed, schedule, criteria=None):
    rng = np.random.default_rng(seed)
    y = np.array([int(r["label_included"]) for r in rows])
    inc = np.flatnonzero(y == 1)
    exc = np.flatnonzero(y == 0)
    priors = list(rng.choice(inc, 1, replace=False)) + list(rng.choice(exc, 1, replace=False))
    ranker = Ranker(rows, model=spec, criteria_text=criteria)
    labels = {int(i): int(y[i]) for i in priors}
    order = []
    R = int(y.sum()) - 1
    found = 0
    last_fit = -(10**9)
    queue = []
    t = 0.0
    while found < R:
        if not queue or schedule.due(last_fit, len(labels)):
            t0 = time.perf_counter()
            queue = list(ranker.fit_rank(labels, rng=rng))
            t += time.perf_counter() - t0
            last_fit = len(labels)
        i = int(queue.pop(0))
        labels[i] = int(y[i])
        order.append(i)
        found += y[i]
    N = len(rows) - 2
    hits = np.cumsum(y[order])
    n95 = int(np.searchsorted(hits, math.ceil(0.95 * R)) + 1)
    r10 = hits[min(len(hits), int(0.1 * N)) - 1] / R if int(0.1 * N) <= len(hits) else 1.0
    return (N - n95) / N - 0.05, r10, t / max(ranker.n_fits, 1)


if __name__ == "__main__":
    names = sys.argv[1].split(",")
    seeds = range(int(sys.argv[2]))
    variants = json.loads(sys.argv[3])
    growth = float(sys.argv[4]) if len(sys.argv) > 4 else 0.02
    with open(D + "eligibility_criteria.json") as f:
        crit = json.load(f)
    for vname, kw in variants.items():
        use_crit = kw.pop("_criteria", False)
        spec = ModelSpec(**kw) if kw else MODELS.create(vname)
        res = {}
        for name in names:
            rows = load(name)
            out = [run(rows, spec, s, RetrainSchedule(growth=growth), crit[name] if use_crit else None) for s in seeds]
            res[name] = np.mean(out, axis=0)
        mean = np.mean([v[0] for v in res.values()])
        print(
            f"{vname:30s} mean WSS95 {mean:.3f} | "
            + " ".join(f"{n[:6]} {v[0]:.3f}/{v[1]:.2f}/{v[2] * 1000:.1f}ms" for n, v in res.items()),
            flush=True,
        )
