"""World Bank income groups and regions, from small tables shipped with the package.

``data/income_groups.csv`` holds the World Bank's published income group of
every economy for every fiscal year FY1989–FY2026 (run-length encoded), and
``data/regions.csv`` each economy's World Bank region in the FY2020 and FY2026
lists.  Both are built by ``scripts/build_income_groups.py`` from the World
Bank's OGHIST and CLASS files (CC BY 4.0; see ``data/README.md``).

Year rule: World Bank fiscal year *t* runs from 1 July *t−1* to 30 June *t*;
its classification is published on 1 July *t−1*.  A calendar year *Y* is
looked up as **FY Y**, the classification in force on 1 January *Y*.  Which
calendar year counts for a study — its publication year or its first year of
data collection — is the protocol's choice (``synthesis.income_year``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..errors import InvalidInput

__all__ = [
    "INCOME_GROUPS",
    "REGIONS",
    "REGION_SCHEMES",
    "income_group",
    "income_group_label",
    "region_of",
    "region_name",
    "country_name",
    "fiscal_year_for",
    "CountryYear",
]

INCOME_GROUPS = {"L": "Low income", "LM": "Lower middle income", "UM": "Upper middle income", "H": "High income"}
REGIONS = {
    "EAS": "East Asia & Pacific",
    "ECS": "Europe & Central Asia",
    "LCN": "Latin America & Caribbean",
    "MEA": "Middle East & North Africa",
    "NAC": "North America",
    "SAS": "South Asia",
    "SSF": "Sub-Saharan Africa",
}
REGION_SCHEMES = ("fy2020", "fy2026")
FIRST_FY, LAST_FY = 1989, 2026


@dataclass(frozen=True)
class CountryYear:
    """A country's World Bank classification in one fiscal year."""

    iso3: str
    fiscal_year: int
    group: str | None  # L, LM, UM, H, or None when unclassified

    @property
    def label(self) -> str | None:
        return INCOME_GROUPS.get(self.group or "")


def _data(name: str) -> list[dict[str, str]]:
    text = resources.files("realist.synthesise").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=1)
def _income() -> dict[str, list[tuple[int, int, str]]]:
    out: dict[str, list[tuple[int, int, str]]] = {}
    for row in _data("income_groups.csv"):
        out.setdefault(row["iso3"], []).append((int(row["first_fy"]), int(row["last_fy"]), row["group"]))
    return out


@lru_cache(maxsize=1)
def _regions() -> dict[str, dict[str, str]]:
    return {row["iso3"]: row for row in _data("regions.csv")}


def _iso3(code: str) -> str:
    iso3 = code.strip().upper()
    if len(iso3) != 3 or not iso3.isalpha():
        raise InvalidInput(f"{code!r} is not an ISO 3166-1 alpha-3 country code (e.g. KEN)")
    return iso3


def fiscal_year_for(year: int) -> int:
    """The World Bank fiscal year whose classification was in force on 1 January ``year``."""
    return int(year)


def income_group(iso3: str, year: int) -> CountryYear:
    """The World Bank income group of ``iso3`` in calendar ``year`` (rule above).

    Years outside FY1989–FY2026 are clamped to the nearest covered year; an
    unknown country code, or a year the World Bank left unclassified, gives
    ``group=None``.
    """
    code = _iso3(iso3)
    fy = min(max(fiscal_year_for(year), FIRST_FY), LAST_FY)
    for first, last, group in _income().get(code, []):
        if first <= fy <= last:
            return CountryYear(code, fy, group)
    return CountryYear(code, fy, None)


def income_group_label(group: str | None) -> str:
    return INCOME_GROUPS.get(group or "", "Not classified")


def region_of(iso3: str, scheme: str = "fy2026") -> str | None:
    """World Bank region code of a country (``EAS`` ...), in the FY2020 or FY2026 list."""
    if scheme not in REGION_SCHEMES:
        raise InvalidInput(f"unknown region scheme {scheme!r}: use {' or '.join(REGION_SCHEMES)}")
    row = _regions().get(_iso3(iso3))
    return (row or {}).get(f"region_{scheme}") or None


def region_name(code: str | None, scheme: str = "fy2026") -> str:
    if code == "MEA" and scheme == "fy2026":
        return "Middle East, North Africa, Afghanistan & Pakistan"
    return REGIONS.get(code or "", "Unknown region")


def country_name(iso3: str) -> str:
    row = _regions().get(_iso3(iso3))
    return row["name"] if row else iso3.upper()
