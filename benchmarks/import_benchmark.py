"""Import speed on 100,000-record RIS and CSV files: reader and end to end.

Synthesises the files by enlarging real exports in ``../shared/data/exports``
(records repeated with varied ids; nothing is copied into the repository):

* RIS: the Zotero export of ASySD (~1.6 kB a record);
* CSV (Lens), the typical CSV: the Lens.org sample (32 columns, ~3.7 kB a row);
* CSV (old Scopus), the worst case: the litstudy Scopus export whose rows
  carry full reference lists (~10.5 kB a row, ~1 GB for 100k rows).

Then times, each in a fresh process so peak memory (max RSS) is its own:

* ``read_file`` (decode + detect + parse + normalise);
* the peer floor in the same run: ``rispy`` alone on the RIS, Python's
  ``csv`` module alone (``DictReader``) on the CSVs, reported as a ratio;
* end to end, ``import_file`` into a fresh review: SQLite (the default
  embedded store) and, when reachable, PostgreSQL (a scratch database created
  on the server of ``--pg-url`` and dropped afterwards).  Review creation is
  not timed; reading the file, hashing, parsing and the one transaction are.

Prints a Markdown table.  Usage::

    .venv/bin/python benchmarks/import_benchmark.py [--records 100000] [--keep DIR]
        [--pg-url postgresql://postgres@127.0.0.1:5432/test] [--no-pg] [--skip-big]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXPORTS = REPO / ".." / "shared" / "data" / "exports"
RIS_SOURCE = EXPORTS / "ris" / "camaradesuk-ASySD__zotero_export.ris"
CSV_SOURCE = EXPORTS / "scopus_csv" / "NLeSC-litstudy__scopus.csv"
LENS_SOURCE = EXPORTS / "lens_csv" / "massimoaria-bibliometrix__lens_sample.csv"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def make_ris(path: Path, n: int) -> None:
    text = RIS_SOURCE.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    records = [r.strip("\n") + "\n" for r in re.split(r"(?m)^ER  -[^\n]*\n?", text) if r.strip()]
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            body = re.sub(r"(?m)^(ID|AN)  - .*\n", "", records[i % len(records)])
            out.write(body + f"ID  - bench-{i}\nER  - \n\n")


def _enlarge_csv(source: Path, path: Path, n: int, id_column: str, make_id) -> None:  # type: ignore[no-untyped-def]
    with source.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], [r[: len(rows[0])] for r in rows[1:]]
    at = header.index(id_column)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for i in range(n):
            row = list(body[i % len(body)])
            row += [""] * (len(header) - len(row))
            row[at] = make_id(i)
            writer.writerow(row)


def make_csv(path: Path, n: int) -> None:
    """Old-layout Scopus with full reference lists (the 1 GB worst case)."""
    _enlarge_csv(CSV_SOURCE, path, n, "EID", lambda i: f"2-s2.0-bench{i}")


def make_typical_csv(path: Path, n: int) -> None:
    """Lens.org CSV, a typical-size table export."""
    _enlarge_csv(LENS_SOURCE, path, n, "Lens ID", lambda i: f"000-{i // 1000000:03d}-{i % 1000000:06d}-BEN-CH")


TASKS = {
    "read_file": """
from realist.identify.formats import read_file
t = time.perf_counter()
n = len(read_file(PATH).records)
""",
    "rispy": """
import rispy
t = time.perf_counter()
with open(PATH, encoding="utf-8") as f:
    n = len(rispy.load(f))
""",
    "csv module": """
import csv
t = time.perf_counter()
with open(PATH, encoding="utf-8-sig", newline="") as f:
    n = sum(1 for _ in csv.DictReader(f))
""",
    "import_file": """
import tempfile
from realist.identify import import_file
from realist.review import init_review
folder = tempfile.mkdtemp(prefix="realist-bench-review-")
review = init_review(folder, "import benchmark", database_url=DB, actor="bench")
t = time.perf_counter()
n = import_file(review, PATH).records
""",
}


def run(task: str, path: Path, db: str | None = None) -> dict[str, float]:
    code = f"""
import json, resource, sys, time
sys.path.insert(0, {str(REPO)!r})
PATH = {str(path)!r}
DB = {db!r}
{TASKS[task]}
elapsed = time.perf_counter() - t
print(json.dumps({{"n": n, "seconds": elapsed,
    "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
if "review" in globals():  # the end-to-end review folder (SQLite file) is scratch
    import shutil
    review.close()
    shutil.rmtree(folder, ignore_errors=True)
"""
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def scratch_postgres(url: str) -> tuple[str, str] | None:
    """Create a scratch database on the server of ``url``; (its URL, its name)."""
    try:
        import psycopg
        from sqlalchemy.engine import make_url

        base = make_url(url)
        name = f"realist_import_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(
            base.set(drivername="postgresql").render_as_string(hide_password=False),
            autocommit=True,
            connect_timeout=3,
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return base.set(database=name).render_as_string(hide_password=False), name
    except Exception as err:  # not reachable, no driver, no rights
        print(f"(PostgreSQL skipped: {err})", file=sys.stderr)
        return None


def drop_postgres(url: str, name: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(url).set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="write the synthetic files here (and keep them)")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="PostgreSQL server for the end-to-end run")
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--skip-big", action="store_true", help="skip the 1 GB old-Scopus CSV")
    args = parser.parse_args()
    if not RIS_SOURCE.exists():
        sys.exit(f"{EXPORTS} not found: the benchmark enlarges the real exports there")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="realist-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    files = [
        ("RIS", folder / "bench.ris", make_ris, "rispy", True),
        ("CSV (Lens, typical)", folder / "bench_lens.csv", make_typical_csv, "csv module", True),
    ]
    if not args.skip_big:
        files.append(("CSV (old Scopus, references)", folder / "bench.csv", make_csv, "csv module", False))
    pg = None if args.no_pg else scratch_postgres(args.pg_url)
    rows = []
    try:
        for label, path, make, floor, end_to_end in files:
            if not path.exists():
                make(path, args.records)
            size = path.stat().st_size / 2**20
            base = run(floor, path)
            rows.append((label, size, "`read_file`", run("read_file", path), floor, base))
            if end_to_end:
                rows.append((label, size, "`import_file` → SQLite", run("import_file", path), floor, base))
                if pg:
                    rows.append(
                        (label, size, "`import_file` → PostgreSQL", run("import_file", path, pg[0]), floor, base)
                    )
    finally:
        if pg:
            drop_postgres(pg[0], pg[1])
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"{args.records:,} records; peer floor measured in the same run; ratio = ours / floor\n")
    print(
        "| file | size (MiB) | step | records | s | records/s | peak MiB | floor | floor s | floor peak MiB | ratio |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---|---:|---:|---:|")
    for label, size, step, mine, floor, base in rows:
        print(
            f"| {label} | {size:.0f} | {step} | {mine['n']:,} | {mine['seconds']:.1f} "
            f"| {mine['n'] / mine['seconds']:,.0f} | {mine['peak_mib']:.0f} | {floor} "
            f"| {base['seconds']:.1f} | {base['peak_mib']:.0f} | {mine['seconds'] / base['seconds']:.1f}x |"
        )


if __name__ == "__main__":
    main()
