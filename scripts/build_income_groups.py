"""Build the package's compact World Bank tables from ../shared/reference/worldbank/.

Writes two files under ``realist/synthesise/data/`` (the package never reads
../shared at run time):

``income_groups.csv``
    ``iso3,first_fy,last_fy,group``: the World Bank's published income group
    (``L``, ``LM``, ``UM``, ``H``) run-length encoded over fiscal years, from
    the OGHIST "Country Analytical History" sheet as tidied into
    ``oghist_income_long.csv`` (no imputation).  Years the World Bank left
    unclassified (``..``) are simply absent.
``regions.csv``
    ``iso3,name,region_fy2020,region_fy2026``: World Bank region codes
    (EAS, ECS, LCN, MEA, NAC, SAS, SSF) in the FY2020 list (Afghanistan and
    Pakistan in South Asia) and the current FY2026 list (both in MEA, now
    "Middle East, North Africa, Afghanistan & Pakistan").

Usage: ``.venv/bin/python scripts/build_income_groups.py [WORLDBANK_DIR]``.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO.parent / "shared" / "reference" / "worldbank"
OUT = REPO / "realist" / "synthesise" / "data"

REGION_CODES = {
    "East Asia & Pacific": "EAS",
    "Europe & Central Asia": "ECS",
    "Latin America & Caribbean": "LCN",
    "Middle East & North Africa": "MEA",
    "Middle East, North Africa, Afghanistan & Pakistan": "MEA",
    "North America": "NAC",
    "South Asia": "SAS",
    "Sub-Saharan Africa": "SSF",
}


def build(source: Path = DEFAULT_SOURCE, out: Path = OUT) -> tuple[int, int]:
    rows = list(csv.DictReader((source / "income_by_country_year_with_region.csv").open(encoding="utf-8")))
    by_country: dict[str, list[tuple[int, str]]] = {}
    names: dict[str, str] = {}
    regions: dict[str, tuple[str, str]] = {}
    for row in rows:
        iso3 = row["iso3"].strip()
        names[iso3] = row["economy"].strip()
        regions[iso3] = (
            REGION_CODES.get(row["wb_region_fy2020"].strip(), ""),
            REGION_CODES.get(row["wb_region_fy2026"].strip(), ""),
        )
        code = row["income_code"].strip()
        if code in ("L", "LM", "UM", "H"):
            by_country.setdefault(iso3, []).append((int(row["fiscal_year"]), code))
    runs: list[tuple[str, int, int, str]] = []
    for iso3, years in sorted(by_country.items()):
        years.sort()
        start, last, group = years[0][0], years[0][0], years[0][1]
        for fy, code in years[1:]:
            if code == group and fy == last + 1:
                last = fy
                continue
            runs.append((iso3, start, last, group))
            start, last, group = fy, fy, code
        runs.append((iso3, start, last, group))
    out.mkdir(parents=True, exist_ok=True)
    with (out / "income_groups.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["iso3", "first_fy", "last_fy", "group"])
        writer.writerows(runs)
    with (out / "regions.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["iso3", "name", "region_fy2020", "region_fy2026"])
        for iso3 in sorted(regions):
            writer.writerow([iso3, names[iso3], *regions[iso3]])
    return len(runs), len(regions)


if __name__ == "__main__":
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE
    n_runs, n_regions = build(src)
    print(f"wrote {n_runs} income-group runs and {n_regions} countries to {OUT}")
