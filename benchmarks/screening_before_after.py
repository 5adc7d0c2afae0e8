"""Issue 13's table: ASReview, realist before and after, and the oracle, per dataset.

    .venv/bin/python benchmarks/screening_before_after.py \
        benchmarks/out/screening/raw_before.json benchmarks/out/screening/raw.json

Both files are ``screening_benchmark.py``'s ``raw.json`` (same seeds, same
priors): the first made with the previous default ranking model, the second
with the current one; ASReview's runs are taken from the second (they are
the same runs: the priors do not depend on the model).  For each dataset and
condition: WSS@95, recall@10% and the median time per retrain (mean over
seeds), and the share of the distance from ASReview's WSS@95 to the
oracle's (every relevant record first) that realist closes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def mean(xs):
    xs = list(xs)
    return sum(xs) / len(xs)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    before, after = (json.loads(Path(p).read_text()) for p in argv[:2])
    names = [k for k in after if not k.startswith("_")]
    print(
        "| dataset | condition | ASReview WSS@95 | oracle WSS@95 | realist before | realist after | "
        "closed before → after | recall@10% ASReview | before | after | time per retrain (ms) ASReview / before / after |"
    )
    print("|---|---|---:|---:|---:|---:|---|---:|---:|---:|---|")
    tot: dict = {}
    for n in names:
        a = after[n]["asreview"]
        aw, ar, at = (mean(r[k] for r in a) for k in ("wss_95", "recall_at_10", "time_per_retrain"))
        for cond, label in (("text", "text only"), ("citations", "with citations")):
            b, f = before[n][cond], after[n][cond]
            o = mean(r["oracle_wss_95"] for r in f)
            bw, fw = mean(r["wss_95"] for r in b), mean(r["wss_95"] for r in f)
            br, fr = mean(r["recall_at_10"] for r in b), mean(r["recall_at_10"] for r in f)
            bt, ft = mean(r["time_per_retrain"] for r in b), mean(r["time_per_retrain"] for r in f)
            row = (aw, o, bw, fw, ar, br, fr, at, bt, ft)
            tot.setdefault(label, []).append(row)
            print(_line(n, label, row))
    for label, rows in tot.items():
        print(_line("**mean**", label, tuple(mean(r[i] for r in rows) for i in range(10))))


def _line(name, label, row):
    aw, o, bw, fw, ar, br, fr, at, bt, ft = row
    gap = o - aw

    def closed(w):
        return f"{100 * (w - aw) / gap:.0f}%" if gap > 0 else "-"

    return (
        f"| {name} | {label} | {aw:.3f} | {o:.3f} | {bw:.3f} | {fw:.3f} | {closed(bw)} → {closed(fw)} | "
        f"{ar:.3f} | {br:.3f} | {fr:.3f} | {1000 * at:.1f} / {1000 * bt:.1f} / {1000 * ft:.1f} |"
    )


if __name__ == "__main__":
    main()
