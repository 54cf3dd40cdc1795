"""School years: 1 September – 31 August, written ``2018-2019``."""

from __future__ import annotations

import datetime as dt
import re

from revue.domain.contract import Contract

_YEAR = re.compile(r"^(\d{4})-(\d{4})$")


def school_year_start(year: str) -> int:
    """``"2018-2019"`` -> 2018; raises ValueError for anything else."""
    match = _YEAR.match(year)
    if not match or int(match[2]) != int(match[1]) + 1:
        raise ValueError(year)
    return int(match[1])


def school_year_bounds(year: str) -> tuple[dt.date, dt.date]:
    """1 September – 31 August."""
    start = school_year_start(year)
    return dt.date(start, 9, 1), dt.date(start + 1, 8, 31)


def school_year_of(day: dt.date) -> str:
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"


#: A school year belongs to a contract when the contract covers at least this many days of it
#: (a contract signed on 15 June does not make its first weeks a year to review).
MIN_DAYS_IN_YEAR = 90


def school_years_of_contract(contract: Contract) -> list[str]:
    """The school years the contract covers (at least :data:`MIN_DAYS_IN_YEAR` days of each)."""
    first = school_year_start(school_year_of(contract.start_date))
    last = school_year_start(school_year_of(contract.end_date))
    years = []
    for start in range(first, last + 1):
        year = f"{start}-{start + 1}"
        begin, end = school_year_bounds(year)
        overlap = (min(end, contract.end_date) - max(begin, contract.start_date)).days + 1
        if overlap >= MIN_DAYS_IN_YEAR:
            years.append(year)
    return years or [school_year_of(contract.start_date)]
