"""Screening benchmark: realist's default ranking model vs ASReview, on SYNERGY data.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/screening_benchmark.py \
        --seeds 5 --out benchmarks/out/screening

For every dataset and seed, the priors (1 included, 1 excluded) are drawn by
``realist.screen.simulate`` from ``numpy.random.default_rng(seed)``; the same
row indices are given to ASReview 3.0.8 (its default model, ELAS u4), run in
its own virtualenv ``benchmarks/.venv-asreview`` (see
requirements-asreview.txt) through ``screening_asreview_runner.py``.

Conditions: realist default model text only (``referenced_works`` hidden),
realist default model with citation links, ASReview default; plus a retrain
schedule comparison (realist, retrain after every record vs the default
schedule) and the time to refit and re-rank 10,000 records.

Prints a Markdown report and writes it, with the raw numbers as JSON, under
``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from realist.screen.ranking import Ranker, RetrainSchedule  # noqa: E402
from realist.screen.simulate import load_labelled_csv, screening_metrics, simulate, wss  # noqa: E402
from realist.screen.stopping import DEFAULT_RULE  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "synergy"
DATASETS = ["Donners_2021", "Meijboom_2021", "Menon_2022", "Oud_2018", "van_der_Valk_2021"]


def run_ours(rows, seed, *, use_references, schedule=None):
    res = simulate(rows, seed=seed, use_references=use_references, schedule=schedule)
    out = dict(res.metrics)
    out.update(
        {
            k: res.stopping[k]
            for k in (
                "stop_recall",
                "stop_work_saved",
                "stop_reached_target",
                "heuristic_recall",
                "heuristic_work_saved",
            )
        }
    )
    out.update(
        time_per_retrain=res.time_per_retrain, n_retrains=res.n_retrains, wall=res.wall_seconds, priors=res.priors
    )
    after = [int(rows[i]["label_included"]) for i in res.order[len(res.priors) :]]
    out["oracle_wss_95"] = wss(sorted(after, reverse=True), 0.95)  # every relevant record first
    return out


def run_asreview(py, csv_path, runs, y):
    with tempfile.TemporaryDirectory() as tmp:
        job, out = Path(tmp, "job.json"), Path(tmp, "out.json")
        job.write_text(json.dumps({"csv": str(csv_path), "runs": runs}))
        subprocess.run(
            [py, str(ROOT / "benchmarks" / "screening_asreview_runner.py"), str(job), str(out)],
            check=True,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
        )
        results = json.loads(out.read_text())
    rows = []
    for r in results:
        seen = set(r["priors"]) | set(r["order"])
        rest = [i for i in range(len(y)) if i not in seen]  # all irrelevant (LastRelevant stopper)
        labels = [int(y[i]) for i in r["order"] + rest]
        m = screening_metrics(labels)
        m.update(time_per_retrain=r["time_per_retrain_s"], n_retrains=r["n_retrains"], wall=r["wall_time_s"])
        rows.append(m)
    return rows


def time_10k(seed=0, n_records=10_000):
    """Build features and time one refit + re-rank on ``n_records`` (the datasets repeated)."""
    rng = np.random.default_rng(seed)
    rows_all = [r for n in DATASETS for r in load_labelled_csv(DATA / f"{n}.csv.gz")]
    reps = -(-n_records // len(rows_all))
    big = [dict(r, openalex_id=f"{r.get('openalex_id', '')}-{k}") for k in range(reps) for r in rows_all][:n_records]
    t0 = time.perf_counter()
    ranker = Ranker(big)
    build = time.perf_counter() - t0
    y = np.array([int(r["label_included"]) for r in big])
    labelled = rng.choice(len(big), 1000, replace=False)
    labels = {int(i): int(y[i]) for i in labelled}
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        ranker.fit_rank(labels, rng=rng)
        times.append(time.perf_counter() - t0)
    return {"records": len(big), "features_s": build, "fit_rank_s": statistics.median(times)}


def mean(xs):
    return sum(xs) / len(xs) if xs else float("nan")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--datasets", default=",".join(DATASETS))
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "out" / "screening"))
    ap.add_argument("--asreview-python", default=str(ROOT / "benchmarks" / ".venv-asreview" / "bin" / "python"))
    ap.add_argument("--skip-asreview", action="store_true")
    ap.add_argument("--skip-schedule", action="store_true")
    args = ap.parse_args(argv)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    seeds = list(range(args.seeds))
    raw: dict = {}
    all_rows = []
    for name in args.datasets.split(","):
        path = DATA / f"{name}.csv.gz"
        rows = load_labelled_csv(path)
        all_rows.extend(rows)
        y = np.array([int(r["label_included"]) for r in rows])
        has_refs = sum(1 for r in rows if r.get("referenced_works", "").strip())
        d = raw[name] = {"records": len(rows), "included": int(y.sum()), "with_references": has_refs}
        d["text"] = [run_ours(rows, s, use_references=False) for s in seeds]
        print(f"{name}: text done", file=sys.stderr, flush=True)
        d["citations"] = [run_ours(rows, s, use_references=True) for s in seeds]
        print(f"{name}: citations done", file=sys.stderr, flush=True)
        if not args.skip_schedule:
            d["every_record"] = [
                run_ours(rows, s, use_references=True, schedule=RetrainSchedule(growth=0)) for s in seeds
            ]
            print(f"{name}: every-record schedule done", file=sys.stderr, flush=True)
        if not args.skip_asreview:
            runs = [{"seed": s, "priors": r["priors"]} for s, r in zip(seeds, d["text"])]
            d["asreview"] = run_asreview(args.asreview_python, path, runs, y)
            print(f"{name}: asreview done", file=sys.stderr, flush=True)
        (out_dir / "raw.json").write_text(json.dumps(raw, indent=1, default=str))
    raw["_10k"] = time_10k()
    raw["_50k"] = time_10k(n_records=50_000)
    (out_dir / "raw.json").write_text(json.dumps(raw, indent=1, default=str))
    report = render(raw, seeds)
    (out_dir / "report.md").write_text(report)
    print(report)


def render(raw, seeds):
    names = [k for k in raw if not k.startswith("_")]
    conds = [
        ("asreview", "ASReview 3.0.8 (ELAS u4)"),
        ("text", "realist default, text only"),
        ("citations", "realist default, with citations"),
    ]
    conds = [(c, label) for c, label in conds if all(c in raw[n] for n in names)]
    L = [
        f"Seeds: {len(seeds)} per dataset ({seeds[0]}..{seeds[-1]}); priors 1 included + 1 excluded, "
        "the same rows for every condition. Means over seeds.",
        "",
    ]
    L.append(
        "| dataset | records / incl. | condition | recall@10% | recall@20% | WSS@95 | WSS@100 | records to 95% | ATD | time per retrain (ms) | retrains |"
    )
    L.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in names:
        for c, label in conds:
            rs = raw[n][c]
            L.append(
                f"| {n} | {raw[n]['records']} / {raw[n]['included']} | {label} | "
                f"{mean([r['recall_at_10'] for r in rs]):.3f} | {mean([r['recall_at_20'] for r in rs]):.3f} | "
                f"{mean([r['wss_95'] for r in rs]):.3f} | {mean([r['wss_100'] for r in rs]):.3f} | "
                f"{mean([r['n_to_95'] for r in rs]):.0f} | {mean([r['atd'] for r in rs]):.3f} | "
                f"{1000 * mean([r['time_per_retrain'] for r in rs]):.1f} | {mean([r['n_retrains'] for r in rs]):.0f} |"
            )
    for c, label in conds:
        per = [[r for r in raw[n][c]] for n in names]
        L.append(
            f"| **mean** | | {label} | {mean([mean([r['recall_at_10'] for r in p]) for p in per]):.3f} | "
            f"{mean([mean([r['recall_at_20'] for r in p]) for p in per]):.3f} | "
            f"{mean([mean([r['wss_95'] for r in p]) for p in per]):.3f} | "
            f"{mean([mean([r['wss_100'] for r in p]) for p in per]):.3f} | "
            f"{mean([mean([r['n_to_95'] for r in p]) for p in per]):.0f} | "
            f"{mean([mean([r['atd'] for r in p]) for p in per]):.3f} | "
            f"{1000 * mean([mean([r['time_per_retrain'] for r in p]) for p in per]):.1f} | |"
        )
    if "asreview" in dict(conds):
        L += [
            "",
            "Distance to the oracle (every relevant record first): share of the gap from "
            "ASReview's WSS@95 to the oracle's that realist closes.",
            "",
            "| dataset | ASReview | oracle | text only | closed | with citations | closed |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        rows_ = []
        for n in names:
            a = mean([r["wss_95"] for r in raw[n]["asreview"]])
            o = mean([r["oracle_wss_95"] for r in raw[n]["citations"]])
            t = mean([r["wss_95"] for r in raw[n]["text"]])
            c = mean([r["wss_95"] for r in raw[n]["citations"]])
            rows_.append((a, o, t, c))
            L.append(
                f"| {n} | {a:.3f} | {o:.3f} | {t:.3f} | {(t - a) / (o - a):.0%} | {c:.3f} | {(c - a) / (o - a):.0%} |"
            )
        a, o, t, c = (mean([r[i] for r in rows_]) for i in range(4))
        L.append(
            f"| **mean** | {a:.3f} | {o:.3f} | {t:.3f} | {(t - a) / (o - a):.0%} | {c:.3f} | {(c - a) / (o - a):.0%} |"
        )
    L += [
        "",
        f"Stopping rule (the default, {DEFAULT_RULE!r}; target recall 95%, confidence 95%) "
        "and the 50-consecutive-exclusions heuristic for comparison; every rule side by side: "
        "benchmarks/screening_stopping.py:",
        "",
    ]
    L.append(
        "| dataset | runs reaching 95% | mean recall at stop | min recall at stop | mean work saved | heuristic: runs reaching 95% | heuristic mean recall | heuristic work saved |"
    )
    L.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    for n in names + ["all"]:
        rs = (
            [r for m in names for c in ("text", "citations") for r in raw[m][c]]
            if n == "all"
            else raw[n]["text"] + raw[n]["citations"]
        )
        ok = sum(r["stop_reached_target"] for r in rs)
        hok = sum(r["heuristic_recall"] >= 0.95 for r in rs)
        L.append(
            f"| {n} | {ok}/{len(rs)} | {mean([r['stop_recall'] for r in rs]):.3f} | "
            f"{min(r['stop_recall'] for r in rs):.3f} | {mean([r['stop_work_saved'] for r in rs]):.3f} | "
            f"{hok}/{len(rs)} | {mean([r['heuristic_recall'] for r in rs]):.3f} | "
            f"{mean([r['heuristic_work_saved'] for r in rs]):.3f} |"
        )
    L.append("")
    L.append("(stopping rows pool the text-only and with-citations runs)")
    if all("every_record" in raw[n] for n in names):
        L += [
            "",
            "Retrain schedule (realist default with citations): after every record vs the default "
            "(every record up to 100 labelled, then batches of ceil(2% of labelled)):",
            "",
        ]
        L.append(
            "| dataset | WSS@95 every record | WSS@95 schedule | retrains every record | retrains schedule | fit+rank time every record (s) | schedule (s) |"
        )
        L.append("|---|---:|---:|---:|---:|---:|---:|")
        for n in names:
            a, b = raw[n]["every_record"], raw[n]["citations"]
            L.append(
                f"| {n} | {mean([r['wss_95'] for r in a]):.3f} | {mean([r['wss_95'] for r in b]):.3f} | "
                f"{mean([r['n_retrains'] for r in a]):.0f} | {mean([r['n_retrains'] for r in b]):.0f} | "
                f"{mean([r['n_retrains'] * r['time_per_retrain'] for r in a]):.2f} | "
                f"{mean([r['n_retrains'] * r['time_per_retrain'] for r in b]):.2f} |"
            )
    for key in ("_10k", "_50k"):
        t = raw.get(key)
        if t:
            L += [
                "",
                f"{t['records']:,} records (the five datasets repeated), 1,000 labelled: features "
                f"built once in {t['features_s']:.2f} s; one refit + re-rank "
                f"{1000 * t['fit_rank_s']:.0f} ms (median of 5).",
            ]
    return "\n".join(L) + "\n"


if __name__ == "__main__":
    main()
