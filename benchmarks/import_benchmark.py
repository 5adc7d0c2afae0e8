"""Import speed on 100,000-record RIS and CSV files.

Synthesises the files by enlarging real exports in ``../shared/data/exports``
(records repeated with varied ids), then times, each in a fresh process so
peak memory (max RSS) is its own:

* ``read_file`` on the RIS and on the CSV (decode + detect + parse + normalise);
* the raw parsing floor: ``rispy`` alone on the same RIS, Python's ``csv``
  module alone on the same CSV.

Prints a Markdown table.  Usage::

    .venv/bin/python benchmarks/import_benchmark.py [--records 100000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXPORTS = REPO / ".." / "shared" / "data" / "exports"
RIS_SOURCE = EXPORTS / "ris" / "camaradesuk-ASySD__zotero_export.ris"
CSV_SOURCE = EXPORTS / "scopus_csv" / "NLeSC-litstudy__scopus.csv"


def make_ris(path: Path, n: int) -> None:
    text = RIS_SOURCE.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    records = [r.strip("\n") + "\n" for r in re.split(r"(?m)^ER  -[^\n]*\n?", text) if r.strip()]
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            body = re.sub(r"(?m)^(ID|AN)  - .*\n", "", records[i % len(records)])
            out.write(body + f"ID  - bench-{i}\nER  - \n\n")


def make_csv(path: Path, n: int) -> None:
    with CSV_SOURCE.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], [r[: len(rows[0])] for r in rows[1:]]
    eid = header.index("EID")
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for i in range(n):
            row = list(body[i % len(body)])
            row += [""] * (len(header) - len(row))
            row[eid] = f"2-s2.0-bench{i}"
            writer.writerow(row)


TASKS = {
    "read_file": """
from realist.identify.formats import read_file
n = len(read_file(PATH).records)
""",
    "rispy": """
import rispy
with open(PATH, encoding="utf-8") as f:
    n = len(rispy.load(f))
""",
    "csv module": """
import csv
with open(PATH, encoding="utf-8", newline="") as f:
    n = sum(1 for _ in csv.DictReader(f))
""",
}


def run(task: str, path: Path) -> dict[str, float]:
    code = f"""
import json, resource, sys, time
sys.path.insert(0, {str(REPO)!r})
PATH = {str(path)!r}
t = time.perf_counter()
{TASKS[task]}
elapsed = time.perf_counter() - t
print(json.dumps({{"n": n, "seconds": elapsed,
    "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="write the synthetic files here")
    args = parser.parse_args()
    if not RIS_SOURCE.exists():
        sys.exit(f"{EXPORTS} not found: the benchmark enlarges the real exports there")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="realist-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    ris, table = folder / "bench.ris", folder / "bench.csv"
    make_ris(ris, args.records)
    make_csv(table, args.records)
    rows = []
    for label, path, ours, floor in (("RIS", ris, "read_file", "rispy"), ("CSV (Scopus)", table, "read_file", "csv module")):
        mine, base = run(ours, path), run(floor, path)
        size = path.stat().st_size / 2**20
        rows.append((label, size, mine, floor, base))
    print(f"| file | size (MiB) | records | `read_file` s | records/s | peak MiB | floor | floor s | floor peak MiB | ratio |")
    print("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|")
    for label, size, mine, floor, base in rows:
        print(
            f"| {label} | {size:.0f} | {mine['n']:,} | {mine['seconds']:.1f} | {mine['n'] / mine['seconds']:,.0f} "
            f"| {mine['peak_mib']:.0f} | {floor} | {base['seconds']:.1f} | {base['peak_mib']:.0f} "
            f"| {mine['seconds'] / base['seconds']:.1f}x |"
        )


if __name__ == "__main__":
    main()
