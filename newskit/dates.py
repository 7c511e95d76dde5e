"""The one rule for a date a user gives: ``Corpus.select``, the command line and notebooks.

A bound is a calendar date or an instant:

- a calendar date (``datetime.date``, ``numpy.datetime64`` in days, a string ``YYYY-M-D``
  with no time) starts at 00:00 UTC of that day; as an ``end`` it includes that whole day;
- an instant (``datetime.datetime``, ``pandas.Timestamp``, ``numpy.datetime64`` finer than
  days, an ISO 8601 string with a time) is that moment; naive ones are UTC.

``None`` is no bound. Anything else (an empty string, ``NaT``, ``now``, ``today`` or another
word, a number) is refused: a window that silently keeps nothing, or moves with the clock, is
never what the user meant.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

__all__ = ["parse_bound", "to_utc"]

# ISO 8601 with hyphens; the month and day may lack their leading zero ("2021-2-10").
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY = pd.Timedelta(days=1)
_NS = pd.Timedelta(1, "ns")


def parse_bound(value: object, *, end: bool, name: str | None = None) -> pd.Timestamp | None:
    """The UTC instant a date bound stands for, or ``None`` for no bound.

    Parameters
    ----------
    value : str, datetime.date, datetime.datetime, pandas.Timestamp, numpy.datetime64 or None
        The bound as the user gave it (see the module's docstring for the rule).
    end : bool
        Whether this is the last instant to include: a calendar date then stands for the
        last nanosecond of its day.
    name : str, optional
        The argument's name in error messages (default ``"end"`` or ``"start"``).

    Returns
    -------
    pandas.Timestamp or None
        A tz-aware UTC timestamp, inclusive.

    Raises
    ------
    ValueError
        When ``value`` is empty, ``NaT``, a word such as ``now`` or ``today``, not a date, or
        outside what pandas can hold (years 1677 to 2262).
    TypeError
        When ``value`` is of another type (a number, for instance).
    """
    name = name or ("end" if end else "start")
    if value is None:
        return None

    def refuse(why: str) -> ValueError:
        return ValueError(f"{name}: {why}: {value!r}")

    if isinstance(value, str):
        stamp, is_day = _parse_text(value.strip(), refuse)
    elif isinstance(value, np.datetime64):
        if np.isnat(value):
            raise refuse("not a date")
        unit = np.datetime_data(value.dtype)[0]
        is_day = unit in ("Y", "M", "W", "D")
        stamp = _timestamp(value.astype("datetime64[D]") if is_day else value, refuse)
    elif isinstance(value, dt.datetime):  # pandas.Timestamp and pandas.NaT included
        if pd.isna(value):
            raise refuse("not a date")
        stamp, is_day = _timestamp(value, refuse), False
    elif isinstance(value, dt.date):
        stamp, is_day = _timestamp(dt.datetime(value.year, value.month, value.day), refuse), True
    else:
        raise TypeError(
            f"{name}: expected a date (str, datetime.date, datetime.datetime, pandas.Timestamp "
            f"or numpy.datetime64), got {type(value).__name__} {value!r}"
        )
    stamp = to_utc(stamp)
    if end and is_day:
        try:
            stamp = stamp + _DAY - _NS
        except (OverflowError, ValueError) as exc:
            raise refuse("out of the range of dates pandas can hold") from exc
    return stamp


def to_utc(stamp: pd.Timestamp) -> pd.Timestamp:
    """``stamp`` in UTC: a naive timestamp is taken to be UTC, an aware one is converted."""
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _parse_text(text: str, refuse) -> tuple[pd.Timestamp, bool]:
    if not text:
        raise refuse("empty date")
    match = _DATE.match(text)
    if match is None:
        # "now", "today", "NaT", "yesterday", "10/02/2021", "2021": not an ISO date.
        raise refuse("not a date (expected YYYY-MM-DD or an ISO 8601 date and time)")
    year, month, day = (int(part) for part in match.groups())
    try:
        dt.date(year, month, day)
    except ValueError as exc:
        raise refuse(f"not a date ({exc})") from exc
    rest = text[match.end() :]
    if not rest:
        return _timestamp(dt.datetime(year, month, day), refuse), True
    if rest[0] not in "T ":
        raise refuse("not a date (expected YYYY-MM-DD or an ISO 8601 date and time)")
    # Zero-padded, so that pandas reads the time part as ISO 8601 whatever the padding given.
    return _timestamp(f"{year:04d}-{month:02d}-{day:02d}{rest}", refuse), False


def _timestamp(value: object, refuse) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError) as exc:
        # OutOfBoundsDatetime is a ValueError: years before 1677 or after 2262.
        raise refuse(f"not a date ({exc})") from exc
    if pd.isna(stamp):
        raise refuse("not a date")
    return stamp
