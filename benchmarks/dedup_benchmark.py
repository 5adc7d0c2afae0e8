"""Benchmark realist's deduplication against bib-dedupe on the labelled sets.

    .venv/bin/python benchmarks/dedup_benchmark.py [--shared ../shared] [--scale 100000]
        [--bibdedupe-scale-timeout 900] [--skip-scale]

For every labelled set — those in ``shared/data/dedup`` (ASySD diabetes with
bib-dedupe's curated groups; Rathbone cytology_screening, haematology,
stroke, special_cases) and the held-out sets in ``tests/deduplicate/data``
(bib-dedupe's own test records; a sample of bib-dedupe's information-systems
"digital_work" search: see the README there) — both tools run on the *same*
records, each in a child
process (bib-dedupe 0.11.0 in its own venv ``benchmarks/.venv-bibdedupe``,
created on first use from ``requirements-bibdedupe.txt``), timed and with
peak memory read from the child.  Scores are pairwise over the gold groups
(see :mod:`realist.deduplicate.evaluate`).

The scale set (``--scale`` records, default 100,000) is built from all the
labelled sets pooled (6,420 records), deterministically (seed 7):

* 80 % *new items*: a pooled record with about a third of its title words
  replaced by words drawn from the pool, its authors replaced by another
  record's authors, and a fresh year, volume and pages — distinct items that
  share the vocabulary, names and journals of real searches;
* 20 % *planted duplicates*: a copy of one of those items as another
  database would export it (title case changed and punctuation altered,
  pages abbreviated ``123-130`` → ``123-30``, DOI or abstract dropped,
  given names cut to initials).

Each set is marked *in-sample* (rules were developed while looking at it)
or *held out* (never looked at while the rules were written), and the
issue-12 targets are checked per set: no wrong merge, recall at least
bib-dedupe's, and realist's pending list at most a tenth of bib-dedupe's
*maybe* list.  "Recall with notice links" also counts gold pairs that realist
links as notice and article (an erratum or reply the gold groups with its
article): linked, not merged, so the reviewer still sees them together.

"Recall if uncertain confirmed" adds the uncertain (bib-dedupe: *maybe*)
pairs that the gold pairs, as a person reviewing that list would: the
recall bought by the review burden in the column before it.

The scale table reports time, peak memory and how many planted duplicate
pairs were found.  Prints Markdown.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from realist.deduplicate.evaluate import (  # noqa: E402
    LabelledSet,
    linked_recall,
    read_bibtex_csv,
    read_diabetes,
    read_rathbone,
    score_groups,
)
from realist.records import RecordData  # noqa: E402

BIB_VENV = HERE / ".venv-bibdedupe"
RUNNER = HERE / "dedup_bibdedupe_runner.py"
FIELDS = [
    "ID",
    "ENTRYTYPE",
    "title",
    "author",
    "year",
    "journal",
    "booktitle",
    "volume",
    "number",
    "pages",
    "doi",
    "abstract",
]
HELD_OUT = ROOT / "tests" / "deduplicate" / "data"
_BOOKISH = ("inproceedings", "conference", "proceedings", "incollection", "inbook", "chapter")


def ensure_bibdedupe() -> Path:
    python = BIB_VENV / "bin" / "python"
    if not python.exists():
        venv.create(BIB_VENV, with_pip=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "-r", str(HERE / "requirements-bibdedupe.txt")], check=True
        )
    return python


def load_sets(shared: Path) -> dict[str, tuple[str, LabelledSet]]:
    """name → (development status, labelled set)."""
    base = shared / "data" / "dedup"
    sets: dict[str, tuple[str, LabelledSet]] = {}
    if base.is_dir():
        sets["diabetes"] = (
            "in-sample",
            read_diabetes(base / "asysd_diabetes_groups" / "diabetes_records_with_groups.csv"),
        )
        for name in ("cytology_screening", "haematology", "stroke", "special_cases"):
            sets[name] = ("in-sample", read_rathbone(base / "rathbone_bibdedupe" / name))
    for folder in sorted(HELD_OUT.iterdir()):
        if (folder / "records_pre_merged.csv").is_file():
            sets[folder.name] = ("held out", read_bibtex_csv(folder))
    return sets


def write_csv(records: list[tuple[int, RecordData]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(FIELDS)
        for rid, r in records:
            kind = (r.publication_type or "article").lower()
            bookish = kind in _BOOKISH
            out.writerow(
                [
                    rid,
                    kind if bookish else "article",
                    r.title or "",
                    " and ".join(r.authors),
                    r.year or "",
                    "" if bookish else r.journal or "",
                    r.journal or "" if bookish else "",
                    r.volume or "",
                    r.issue or "",
                    r.pages or "",
                    r.doi or "",
                    r.abstract or "",
                ]
            )


def run_child(python: Path, tool: str, csv_path: Path, timeout: float) -> dict | None:
    out = csv_path.with_suffix(f".{tool}.json")
    start = time.perf_counter()
    # Own process group, so that a timeout also stops bib-dedupe's workers.
    child = subprocess.Popen(
        [str(python), str(RUNNER), tool, str(csv_path), str(out)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        if child.wait(timeout=timeout) != 0:
            raise RuntimeError(f"{tool} failed on {csv_path.name}")
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
        return None
    result = json.loads(out.read_text())
    result["wall"] = time.perf_counter() - start
    result["groups"] = [[int(i) for i in g] for g in result["groups"]]
    result["uncertain_pairs"] = [tuple(sorted(int(i) for i in p)) for p in result.get("uncertain_pairs", [])]
    result["notice_pairs"] = [tuple(sorted(int(i) for i in p)) for p in result.get("notice_pairs", [])]
    return result


def _initials(name: str) -> str:
    family, _, given = name.partition(",")
    inits = " ".join(w[0] + "." for w in given.split() if w)
    return f"{family}, {inits}" if inits else family


def build_scale_set(
    pool: list[RecordData], n: int, seed: int = 7
) -> tuple[list[tuple[int, RecordData]], list[set[int]]]:
    """``n`` records: new items and planted duplicates (see the module docstring)."""
    rng = random.Random(seed)
    vocab = sorted({w for r in pool for w in (r.title or "").split() if len(w) > 3})
    n_dup = n // 5
    items: list[tuple[int, RecordData]] = []
    for k in range(n - n_dup):
        src, other = rng.choice(pool), rng.choice(pool)
        words = (src.title or "untitled record").split()
        for _ in range(max(1, len(words) // 3)):
            words[rng.randrange(len(words))] = rng.choice(vocab)
        first = rng.randint(1, 2000)
        items.append(
            (
                k + 1,
                RecordData(
                    title=" ".join(words),
                    abstract=src.abstract,
                    authors=list(other.authors),
                    year=rng.randint(1985, 2023),
                    journal=src.journal,
                    volume=str(rng.randint(1, 400)),
                    issue=str(rng.randint(1, 12)),
                    pages=f"{first}-{first + rng.randint(1, 15)}",
                    doi=f"10.9999/scale.{k + 1}" if rng.random() < 0.5 else None,
                ),
            )
        )
    planted_of: dict[int, set[int]] = {}
    for k in range(n_dup):
        rid, orig = items[rng.randrange(n - n_dup)]
        title = orig.title or ""
        title = title.upper() if rng.random() < 0.3 else title.rstrip(".") + "."
        pages = orig.pages
        if pages and "-" in pages and rng.random() < 0.5:
            a, b = pages.split("-")
            pages = f"{a}-{b[-2:]}" if len(b) > 2 else pages
        new_id = n - n_dup + k + 1
        items.append(
            (
                new_id,
                RecordData(
                    title=title,
                    abstract=orig.abstract if rng.random() < 0.5 else None,
                    authors=[_initials(a) for a in orig.authors],
                    year=orig.year,
                    journal=orig.journal,
                    volume=orig.volume,
                    issue=orig.issue if rng.random() < 0.7 else None,
                    pages=pages,
                    doi=orig.doi if rng.random() < 0.6 else None,
                ),
            )
        )
        planted_of.setdefault(rid, {rid}).add(new_id)
    return items, list(planted_of.values())


def _same_group(pair: tuple[int, ...], gold: list[set[int]]) -> bool:
    """True when the gold puts both records of ``pair`` in one group."""
    return any(set(pair) <= g for g in gold)


def fmt(x: float, nd: int = 4) -> str:
    return f"{x:.{nd}f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--scale", type=int, default=100_000)
    ap.add_argument("--skip-scale", action="store_true")
    ap.add_argument("--bibdedupe-scale-timeout", type=float, default=900)
    args = ap.parse_args()
    bib_python = ensure_bibdedupe()
    here_python = Path(sys.executable)
    sets = load_sets(args.shared)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, (_, (records, gold)) in sets.items():
            path = Path(tmp) / f"{name}.csv"
            write_csv(records, path)
            res = {
                "realist": run_child(here_python, "realist", path, 600),
                "bib-dedupe": run_child(bib_python, "bibdedupe", path, 600),
            }
            for tool, out in res.items():
                sc = score_groups(out["groups"], gold)
                rows.append((name, len(records), tool, sc, out))
                if tool == "realist" and sc.wrong_pairs:
                    print(f"<!-- {name}: realist pairs not in gold: {sc.wrong_pairs[:20]} -->")
        print(
            "| set | development | records | tool | precision | recall | recall with notice links "
            "| missed | wrongly merged | notice links | uncertain pairs | recall if uncertain confirmed "
            "| time s | peak MiB |"
        )
        print("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name, n, tool, sc, out in rows:
            status, (_, gold) = sets[name]
            reviewed = score_groups(
                out["groups"] + [list(p) for p in out["uncertain_pairs"] if _same_group(p, gold)], gold
            )
            linked = linked_recall(out["groups"], out["notice_pairs"], gold)
            notices = len(out["notice_pairs"]) if tool == "realist" else "–"
            print(
                f"| {name} | {status} | {n} | {tool} | {fmt(sc.precision)} | {fmt(sc.recall)} "
                f"| {fmt(linked) if tool == 'realist' else '–'} | {sc.missed} "
                f"| {sc.wrongly_merged} | {notices} | {out['uncertain']} | {fmt(reviewed.recall)} "
                f"| {fmt(out['seconds'], 2)} | {out['peak_mib']:.0f} |"
            )
        print(
            "\n| set | development | 0 wrong merges | recall ≥ bib-dedupe's | pending ≤ 1/10 of bib-dedupe's maybe "
            "| recall realist / bib-dedupe | time bib-dedupe / realist | memory bib-dedupe / realist |"
        )
        print("|---|---|---|---|---|---:|---:|---:|")
        for k in range(0, len(rows), 2):
            (name, _, _, sr, r), (_, _, _, sb, b) = rows[k], rows[k + 1]
            rec = sr.recall / sb.recall if sb.recall else float("inf")
            wrong = "met" if sr.wrongly_merged == 0 else f"**not met** ({sr.wrongly_merged})"
            recall = "met" if sr.recall >= sb.recall else f"**not met** ({sr.recall:.4f} < {sb.recall:.4f})"
            pending = (
                "met"
                if r["uncertain"] * 10 <= b["uncertain"]
                else f"**not met** ({r['uncertain']} vs {b['uncertain']})"
            )
            print(
                f"| {name} | {sets[name][0]} | {wrong} | {recall} | {pending} | {rec:.3f} "
                f"| {b['seconds'] / r['seconds']:.1f}x | {b['peak_mib'] / r['peak_mib']:.1f}x |"
            )
        if args.skip_scale:
            return
        pool = [r for status, (recs, _) in sets.values() if status == "in-sample" for _, r in recs]
        scale, planted = build_scale_set(pool, args.scale)
        path = Path(tmp) / "scale.csv"
        write_csv(scale, path)
        print(
            f"\nScale set: {len(scale)} records ({len(pool)} pooled; {len(planted)} items "
            f"with planted copies, {sum(len(g) * (len(g) - 1) // 2 for g in planted)} planted pairs).\n"
        )
        print("| tool | records | time s | peak MiB | planted pairs found | pairs not planted | groups |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for tool, python, timeout in (
            ("realist", here_python, 600),
            ("bib-dedupe", bib_python, args.bibdedupe_scale_timeout),
        ):
            out = run_child(python, "realist" if tool == "realist" else "bibdedupe", path, timeout)
            if out is None:
                print(f"| {tool} | {len(scale)} | > {timeout:.0f} (stopped) | – | – | – | – |")
                continue
            sc = score_groups(out["groups"], planted)
            print(
                f"| {tool} | {len(scale)} | {fmt(out['seconds'], 1)} | {out['peak_mib']:.0f} "
                f"| {sc.true_pairs}/{sc.gold_pairs} | {sc.predicted_pairs - sc.true_pairs} "
                f"| {len(out['groups'])} |"
            )


if __name__ == "__main__":
    main()
