"""Leave-one-dataset-out check of a choice between ranking-model variants.

    .venv/bin/python benchmarks/screening_loo.py benchmarks/out/variants/ramp.json [more.json ...] \
        --raw benchmarks/out/screening/raw.json

Reads the ``--json`` output of ``screening_variants.py`` (every run's WSS@95,
recall@10% and time per retrain) and ASReview's runs on the same seeds from
``screening_benchmark.py``'s ``raw.json``.  Prints every variant beside
ASReview and the baseline (the first variant in the files, normally
``default``), per dataset and condition.  Then, for each dataset left out,
the variant is chosen on the *other* datasets by the rule the default is
chosen by - one model for both conditions (text only, with citations): the
highest mean WSS@95 gain over ASReview among the variants whose worst
dataset-and-condition gain is no lower than the baseline's (the mean and
the worst dataset, never per dataset) - and its WSS@95 and recall@10% on
the dataset left out are printed beside the baseline's: a change that only
helps the datasets it was chosen on shows up as a loss (or no gain) on the
held-out one.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np


def load(paths):
    runs: dict = {}
    order: list[str] = []
    for p in paths:
        for item in json.loads(Path(p).read_text()):
            v = item["variant"]
            if v not in order:
                order.append(v)
            key = (v, bool(item["references"]), item["dataset"])
            runs[key] = [tuple(r) for r in item["runs"]]
    return runs, order


def means(runs, variant, cond, dataset):
    rs = runs[(variant, cond, dataset)]
    return float(np.mean([r[0] for r in rs])), float(np.mean([r[1] for r in rs]))


def peer(raw, dataset, seeds):
    """ASReview's mean WSS@95 and recall@10% on a dataset over the first ``seeds`` seeds."""
    runs = raw[dataset]["asreview"][:seeds]
    return float(np.mean([r["wss_95"] for r in runs])), float(np.mean([r["recall_at_10"] for r in runs]))


def gains(runs, raw, variant, datasets, conds):
    """WSS@95 points above ASReview per (condition, dataset)."""
    out = []
    for c in conds:
        for d in datasets:
            n = len(runs[(variant, c, d)])
            out.append(means(runs, variant, c, d)[0] - peer(raw, d, n)[0])
    return np.array(out)


def choose(runs, raw, variants, base, datasets, conds):
    """One model serves both conditions: the highest mean gain over ASReview (both
    conditions, every dataset) among the variants whose worst (condition, dataset)
    gain is at least the baseline's; the baseline when none qualifies."""
    b = gains(runs, raw, base, datasets, conds)
    best, best_mean = base, b.mean()
    for v in variants:
        if v == base or any((v, c, d) not in runs for c in conds for d in datasets):
            continue
        g = gains(runs, raw, v, datasets, conds)
        if g.min() >= b.min() and g.mean() > best_mean:
            best, best_mean = v, g.mean()
    return best


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("json", nargs="+")
    ap.add_argument("--raw", default="benchmarks/out/screening/raw.json", help="screening_benchmark.py's runs")
    args = ap.parse_args(argv)
    runs, variants = load(args.json)
    raw = json.loads(Path(args.raw).read_text())
    base = variants[0]
    conds = (False, True)
    datasets = sorted({d for (v, c, d) in runs if v == base})
    for cond in conds:
        label = "with citations" if cond else "text only"
        print(f"\n{label}: WSS@95 / recall@10% (Δ WSS@95 points vs {base})")
        print("| dataset | ASReview | " + " | ".join(variants) + " |")
        print("|---|---:|" + "---:|" * len(variants))
        for d in datasets + ["mean"]:
            cells = []
            for v in variants:
                if (v, cond, d if d != "mean" else datasets[0]) not in runs:
                    cells.append("")
                    continue
                if d == "mean":
                    w = np.mean([means(runs, v, cond, x)[0] for x in datasets])
                    r = np.mean([means(runs, v, cond, x)[1] for x in datasets])
                    b = np.mean([means(runs, base, cond, x)[0] for x in datasets])
                else:
                    (w, r), b = means(runs, v, cond, d), means(runs, base, cond, d)[0]
                cells.append(f"{w:.3f} / {r:.3f}" + ("" if v == base else f" ({100 * (w - b):+.1f})"))
            n = len(runs[(base, cond, datasets[0])])
            if d == "mean":
                pw = np.mean([peer(raw, x, n)[0] for x in datasets])
                pr = np.mean([peer(raw, x, n)[1] for x in datasets])
            else:
                pw, pr = peer(raw, d, n)
            name = "**mean**" if d == "mean" else d
            print(f"| {name} | {pw:.3f} / {pr:.3f} | " + " | ".join(cells) + " |")
    on_all = choose(runs, raw, variants, base, datasets, conds)
    print(f"\nchosen on all {len(datasets)} datasets: {on_all}")
    print(
        "\n| left out | chosen on the other four | text only: WSS@95 baseline → chosen (Δ) | recall@10% "
        "| with citations: WSS@95 baseline → chosen (Δ) | recall@10% |"
    )
    print("|---|---|---|---|---|---|")
    tot = {c: [] for c in conds}
    for held in datasets:
        v = choose(runs, raw, variants, base, [d for d in datasets if d != held], conds)
        cells = []
        for c in conds:
            (bw, br), (cw, cr) = means(runs, base, c, held), means(runs, v, c, held)
            tot[c].append(cw - bw)
            cells.append(f"{bw:.3f} → {cw:.3f} ({100 * (cw - bw):+.1f}) | {br:.3f} → {cr:.3f}")
        print(f"| {held} | {v} | " + " | ".join(cells) + " |")
    print(f"| **mean** | | {100 * np.mean(tot[False]):+.1f} points | | {100 * np.mean(tot[True]):+.1f} points | |")


if __name__ == "__main__":
    main()
