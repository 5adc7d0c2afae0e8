"""Precision and recall of the claims check on manuscripts with planted errors.

Builds the bundled example review in a temporary folder, then checks

* the development manuscripts in ``benchmarks/claims/*.md`` (their own
  reference lists mapped to the example's studies);
* with ``--heldout``, the held-out manuscript(s) in ``benchmarks/claims/heldout/``,
  reported separately;
* the reference review's text (``../shared/seed``, read in place, skipped when
  absent) with ``numbering="review"``, against ``benchmarks/claims/seed-expected.yaml``.

A manuscript marks every claim line with ``{OK}`` or ``{E:kind[,kind]}``
(see ``benchmarks/claims/README.md``); the markers are removed before the
check.  A finding counts as found when its (line, kind) is planted; any other
finding is a false alarm.

    .venv/bin/python benchmarks/claims_benchmark.py [--heldout] [--verbose]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SEED = REPO.parent / "shared" / "seed" / "peer-involvement-rapid-realist-review.txt"
MARK = re.compile(r"\s*\{(OK|E:[a-z_,]+)\}\s*$")


@dataclass
class Score:
    name: str
    planted: set[tuple[int, str]] = field(default_factory=set)
    correct_lines: set[int] = field(default_factory=set)
    found: set[tuple[int, str]] = field(default_factory=set)
    messages: dict[tuple[int, str], str] = field(default_factory=dict)
    references: str = ""

    @property
    def hits(self) -> set[tuple[int, str]]:
        return self.found & self.planted

    @property
    def false_alarms(self) -> set[tuple[int, str]]:
        return self.found - self.planted

    def row(self) -> list[str]:
        tp, fa = len(self.hits), len(self.false_alarms)
        precision = tp / len(self.found) if self.found else 1.0
        recall = tp / len(self.planted) if self.planted else 1.0
        flagged_ok = len({ln for ln, _ in self.false_alarms} & self.correct_lines)
        return [
            self.name,
            str(len(self.planted)),
            str(len(self.correct_lines)),
            str(tp),
            str(len(self.planted) - tp),
            str(fa),
            str(flagged_ok),
            f"{precision:.2f}",
            f"{recall:.2f}",
            self.references,
        ]


def strip_markers(text: str) -> tuple[str, set[tuple[int, str]], set[int]]:
    planted: set[tuple[int, str]] = set()
    correct: set[int] = set()
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        m = MARK.search(line)
        if m:
            tag = m.group(1)
            if tag == "OK":
                correct.add(n)
            else:
                planted.update((n, k) for k in tag[2:].split(","))
            line = line[: m.start()]
        out.append(line)
    return "\n".join(out) + "\n", planted, correct


def score_manuscript(path: Path, studies: list, codes: dict) -> Score:  # type: ignore[type-arg]
    from realist.synthesise.claims import check_claims

    text, planted, correct = strip_markers(path.read_text(encoding="utf-8"))
    report = check_claims(text, studies=studies, codes=codes)
    s = Score(path.stem, planted, correct)
    for f in report.findings:
        s.found.add((f.line, f.kind))
        s.messages[(f.line, f.kind)] = f.message
    s.references = (
        f"{report.references} ({report.reference_style}), {len(report.matched)} matched, "
        f"{len(report.unmatched)} unmatched"
    )
    return s


def score_seed(studies: list, codes: dict) -> Score | None:  # type: ignore[type-arg]
    from realist.synthesise.claims import check_claims, read_manuscript

    if not SEED.exists():
        return None
    text = read_manuscript(SEED)
    lines = text.splitlines()
    expected = yaml.safe_load((HERE / "claims" / "seed-expected.yaml").read_text(encoding="utf-8"))
    planted = set()
    for e in expected["errors"]:
        line = next(i for i, ln in enumerate(lines, start=1) if e["fragment"] in ln)
        planted.add((line, e["kind"]))
    report = check_claims(text, studies=studies, codes=codes, numbering="review")
    s = Score("reference review (seed)", planted, set())
    for f in report.findings:
        s.found.add((f.line, f.kind))
        s.messages[(f.line, f.kind)] = f.message
    s.references = "none (review numbering)"
    return s


def table(scores: list[Score]) -> str:
    cols = [
        "manuscript",
        "planted errors",
        "correct statements",
        "found",
        "missed",
        "false alarms",
        "correct statements flagged",
        "precision",
        "recall",
        "reference list",
    ]
    rows = [s.row() for s in scores]
    if len(scores) > 1:
        total = Score("all", set(), set())
        for i, s in enumerate(scores):
            total.planted |= {(i * 10000 + ln, k) for ln, k in s.planted}
            total.found |= {(i * 10000 + ln, k) for ln, k in s.found}
            total.correct_lines |= {i * 10000 + ln for ln in s.correct_lines}
        rows.append(total.row()[:-1] + [""])
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--heldout", action="store_true", help="also score the held-out manuscript(s)")
    parser.add_argument("--verbose", action="store_true", help="list misses and false alarms")
    args = parser.parse_args(argv)

    from realist.example import build_example
    from realist.synthesise.store import gather, review_code_keys, study_refs

    with tempfile.TemporaryDirectory() as tmp:
        review = build_example(Path(tmp) / "example", "peer-harm-reduction")
        try:
            data = gather(review)
            studies = study_refs(review, data)
            codes = review_code_keys(data)
        finally:
            review.close()
    groups = [("Development manuscripts", sorted((HERE / "claims").glob("*.md")))]
    if args.heldout:
        groups.append(("Held-out manuscript", sorted((HERE / "claims" / "heldout").glob("*.md"))))
    for title, paths in groups:
        scores = [score_manuscript(p, studies, codes) for p in paths if p.name != "README.md"]
        print(f"\n### {title}\n\n{table(scores)}")
        if args.verbose:
            for s in scores:
                for key in sorted(s.planted - s.found):
                    print(f"  MISSED {s.name} line {key[0]} {key[1]}")
                for key in sorted(s.false_alarms):
                    print(f"  FALSE ALARM {s.name} line {key[0]} {key[1]}: {s.messages[key]}")
    seed = score_seed(studies, codes)
    if seed is not None:
        print(f"\n### Reference review text\n\n{table([seed])}")
        if args.verbose:
            for key in sorted(seed.planted - seed.found):
                print(f"  MISSED seed line {key[0]} {key[1]}")
            for key in sorted(seed.false_alarms):
                print(f"  FALSE ALARM seed line {key[0]} {key[1]}: {seed.messages[key]}")
    else:
        print("\n(../shared/seed is absent: the reference review was not scored)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
