"""Development helper: compare ranking-model variants against the stored ASReview runs.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/screening_variants.py --seeds 3 \
        --variant default --variant 'mine={"features": "tfidf", "classifier": "svm"}'

Each variant is a registered model name, or ``label={ModelSpec kwargs as JSON}``.
Runs :func:`realist.screen.simulate.simulate` (same priors as the benchmark)
text-only and with citations, and prints per variant the mean WSS@95 delta vs
ASReview (per-seed ASReview numbers read from the benchmark's ``raw.json``),
the worst dataset's delta, the worst recall@10% delta and the time per
retrain.  Not the benchmark: the default is still chosen by
``screening_benchmark.py``.

Without ``raw.json`` (ASReview's virtualenv not built) the deltas are against
the *first* variant's runs on the same seeds instead (pass ``--variant
default`` first), and the per-dataset means of every variant are printed
(``--json FILE`` also writes every run's numbers).
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from realist.screen.ranking import ModelSpec  # noqa: E402
from realist.screen.simulate import load_labelled_csv, simulate  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "synergy"
DATASETS = ["Donners_2021", "Meijboom_2021", "Menon_2022", "Oud_2018", "van_der_Valk_2021"]
_ROWS: dict = {}


def _model(spec):
    if isinstance(spec, str):
        return spec
    kw = dict(spec)
    for k in ("features_params", "classifier_params", "query_params"):
        if k in kw and "ngram_range" in kw[k]:
            kw[k] = dict(kw[k], ngram_range=tuple(kw[k]["ngram_range"]))
    return ModelSpec(**kw)


def _task(args):
    vname, spec, name, seed, refs = args
    rows = _ROWS.get(name) or _ROWS.setdefault(name, load_labelled_csv(DATA / f"{name}.csv.gz"))
    res = simulate(rows, seed=seed, model=_model(spec), use_references=refs)
    m = res.metrics
    return vname, name, seed, refs, m["wss_95"], m["recall_at_10"], res.time_per_retrain


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--datasets", default=",".join(DATASETS))
    ap.add_argument("--variant", action="append", default=[])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--text-only", action="store_true")
    ap.add_argument("--cit-only", action="store_true")
    ap.add_argument("--raw", default=str(ROOT / "benchmarks" / "out" / "screening" / "raw.json"))
    ap.add_argument("--json", default=None, help="write every run's WSS@95, recall@10%% and time here")
    args = ap.parse_args(argv)
    raw = json.loads(Path(args.raw).read_text()) if Path(args.raw).exists() else None
    if raw is None:
        print(f"no {args.raw}: deltas are against the first variant's runs on the same seeds", flush=True)
    names = args.datasets.split(",")
    variants = []
    for v in args.variant or ["default"]:
        if "=" in v:
            label, js = v.split("=", 1)
            variants.append((label, json.loads(js)))
        else:
            variants.append((v, v))
    conds = [False] if args.text_only else [True] if args.cit_only else [False, True]
    tasks = [(vn, sp, n, s, c) for vn, sp in variants for n in names for s in range(args.seeds) for c in conds]
    results: dict = {}
    with ProcessPoolExecutor(args.jobs) as ex:
        for vn, n, _s, c, w, r10, t in ex.map(_task, tasks, chunksize=1):
            results.setdefault((vn, c), {}).setdefault(n, []).append((w, r10, t))
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                [
                    {"variant": vn, "references": c, "dataset": n, "runs": runs}
                    for (vn, c), per in results.items()
                    for n, runs in per.items()
                ],
                indent=1,
            )
        )
    base = variants[0][0]
    for vn, _ in variants:
        for c in conds:
            per = results[(vn, c)]
            dw, dr, ts = [], [], []
            cells = []
            for n in names:
                if raw is not None:
                    a = raw[n]["asreview"][: args.seeds]
                    bw, br = np.mean([x["wss_95"] for x in a]), np.mean([x["recall_at_10"] for x in a])
                else:
                    bw = np.mean([x[0] for x in results[(base, c)][n]])
                    br = np.mean([x[1] for x in results[(base, c)][n]])
                print(
                    f"  {vn} {'cit ' if c else 'text'} {n}: WSS@95 {np.mean([x[0] for x in per[n]]):.3f} "
                    f"recall@10% {np.mean([x[1] for x in per[n]]):.3f}",
                    flush=True,
                )
                w = np.mean([x[0] for x in per[n]]) - bw
                r = np.mean([x[1] for x in per[n]]) - br
                dw.append(w)
                dr.append(r)
                ts.append(np.mean([x[2] for x in per[n]]))
                cells.append(f"{n[:6]} {100 * w:+.1f}/{100 * r:+.1f}")
            print(
                f"{vn:28s} {'cit ' if c else 'text'} mean {100 * np.mean(dw):+.2f} worst {100 * min(dw):+.1f} "
                f"r10worst {100 * min(dr):+.1f} {1000 * np.mean(ts):.1f}ms | " + " ".join(cells),
                flush=True,
            )


if __name__ == "__main__":
    main()
