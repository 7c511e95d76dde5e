"""Front-matter mapping -> one normalised record: plain values, typed, with warnings.

Field-level trouble never drops the article: the field becomes missing (or is coerced) and a
warning ``(field, message)`` says what happened. Messages show at most a short, bounded ``repr``
of a bad value, so a hostile value (deep, huge or aliased) costs nothing to report.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import re
import reprlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import unescape
from operator import itemgetter

import pandas as pd

from newskit.schema import (
    CATEGORY_FIELDS,
    EARLIEST,
    KNOWN_FIELDS,
    KNOWN_PROVIDER_FIELDS,
    LARGEST_COUNT,
    LATEST,
    LIST_FIELDS,
    PLAUSIBLE_SINCE,
    READER_TEXT_FIELDS,
    SCORE_FIELDS,
    TEXT_FIELDS,
)

_short = reprlib.Repr()
_short.maxlevel, _short.maxlist, _short.maxdict = 2, 4, 4
_short.maxstring = _short.maxother = 60
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:$|[T ])")
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


@dataclass
class Record:
    """One article as plain values: its articles row, images, related stories, warnings."""

    article: dict
    images: list[dict] = field(default_factory=list)
    related: list[dict] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)


class _Fields:
    """Coerces values of one record, collecting a warning for each one it had to change."""

    def __init__(self) -> None:
        self.warnings: list[tuple[str, str]] = []

    def warn(self, name: str, message: str) -> None:
        self.warnings.append((name, message))

    def text(self, value: object, name: str) -> str | None:
        if value is None:
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, bool | int | float | dt.date):
            self.warn(
                name,
                f"expected text, got {type(value).__name__} {_short.repr(value)}; "
                "converted to text",
            )
            return str(value)
        self.warn(name, f"expected text, got a {_type_name(value)}; left empty")
        return None

    def count(self, value: object, name: str) -> int | None:
        """A non-negative whole number (scores, image sizes)."""
        if value is None:
            return None
        number = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
            number = int(value)
        elif isinstance(value, str):
            try:
                number = int(value.strip())
            except ValueError:
                pass
            else:
                self.warn(name, f"expected a number, got text {_short.repr(value)}; converted")
        if number is None:
            self.warn(name, f"expected a whole number, got {_describe(value)}; left empty")
            return None
        if number < 0:
            self.warn(name, f"negative value {number}; left empty")
            return None
        if number > LARGEST_COUNT:
            self.warn(name, f"value {number} is out of range; left empty")
            return None
        return number

    def flag(self, value: object, name: str) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            self.warn(name, f"expected true or false, got text {_short.repr(value)}; converted")
            return value.strip().lower() in _TRUE
        self.warn(name, f"expected true or false, got {_describe(value)}; left empty")
        return None

    def timestamp(self, value: object, name: str) -> pd.Timestamp | None:
        if value is None:
            return None
        if isinstance(value, dt.date):  # datetimes too
            stamp = pd.Timestamp(value)
        elif isinstance(value, str):
            stamp = None
            # ISO 8601 only: pandas would also read words such as "now" or "today"
            if _ISO_DATE.match(value.strip()):
                with contextlib.suppress(ValueError, OverflowError):
                    stamp = pd.Timestamp(value.strip())
            if stamp is None or pd.isna(stamp):
                self.warn(name, f"unreadable date {_short.repr(value)}; left empty")
                return None
        else:
            self.warn(name, f"expected a date and time, got {_describe(value)}; left empty")
            return None
        if stamp.tzinfo is None:
            self.warn(name, f"date {_short.repr(str(value))} has no time zone; taken as UTC")
            stamp = stamp.tz_localize("UTC")
        stamp = stamp.tz_convert("UTC")
        if not EARLIEST <= stamp <= LATEST:
            self.warn(name, f"date {_short.repr(str(value))} is out of range; left empty")
            return None
        return stamp

    def mapping(self, value: object, name: str) -> dict:
        if value is None:
            return {}
        if isinstance(value, dict):
            return value
        self.warn(name, f"expected a mapping, got {_describe(value)}; ignored")
        return {}

    def items(self, value: object, name: str) -> list:
        if value is None:
            return []
        if isinstance(value, list):
            return value
        self.warn(name, f"expected a list, got {_describe(value)}; ignored")
        return []

    def texts(self, value: object, name: str = "topics") -> list[str]:
        """A list of text such as ``topics``, ``categories`` or ``tags``, cleaned."""
        if value is None:
            return []
        if isinstance(value, str):
            self.warn(name, f"expected a list of {name}, got one string; split at commas")
            value = value.split(",")
        elif not isinstance(value, list):
            self.warn(name, f"expected a list of {name}, got {_describe(value)}; ignored")
            return []
        texts: list[str] = []
        for item in value:
            if isinstance(item, int | float) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str):
                self.warn(name, f"one of the {name} is a {_type_name(item)}, not text; dropped")
                continue
            texts.append(item)
        return clean_topics(texts)

    def token(self, value: object, name: str) -> bool | None:
        """Whether a record carries a token (``secured``): a non-empty string, or true/false."""
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str):
            return bool(value.strip())
        self.warn(name, f"expected a token or true or false, got {_describe(value)}; left empty")
        return None


def build_record(meta: dict, body: str, *, article_id: str, path: str) -> Record:
    """Normalise one front-matter mapping into a :class:`Record`."""
    f = _Fields()
    article: dict = {"article_id": article_id, "path": path}
    for key, column in (TEXT_FIELDS | CATEGORY_FIELDS).items():
        article[column] = f.text(meta.get(key), key)
    for key in READER_TEXT_FIELDS:
        article[TEXT_FIELDS[key]] = reader_text(article[TEXT_FIELDS[key]])
    for key, column in SCORE_FIELDS.items():
        article[column] = f.count(meta.get(key), key)
    article["published_at"] = published = f.timestamp(
        meta.get("publishedDateTime"), "publishedDateTime"
    )
    article["updated_at"] = updated = f.timestamp(meta.get("updatedDateTime"), "updatedDateTime")
    for key, stamp in (("publishedDateTime", published), ("updatedDateTime", updated)):
        if stamp is not None and stamp < PLAUSIBLE_SINCE:
            f.warn(key, implausible_date(stamp, f"before {PLAUSIBLE_SINCE.year}"))
    article["is_published"] = f.flag(meta.get("published"), "published")
    article["is_secured"] = f.token(meta.get("secured"), "secured")

    provider = f.mapping(_provider_mapping(meta.get("provider"), f), "provider")
    article["provider_name"] = reader_text(f.text(provider.get("name"), "provider.name"))
    article["provider_domain"] = clean_domain(f.text(provider.get("domain"), "provider.domain"))
    logos = [
        _image(item, article_id, f, "provider.images")
        for item in f.items(provider.get("images"), "provider.images")
    ]
    article["n_provider_images"] = sum(logo is not None for logo in logos)
    for key, column in LIST_FIELDS.items():
        article[column] = f.texts(meta.get(key), key)

    images = [_image(item, article_id, f) for item in f.items(meta.get("images"), "images")]
    images = [image for image in images if image is not None]
    related = [_related(item, article_id, f) for item in f.items(meta.get("related"), "related")]
    related = [story for story in related if story is not None]

    article["n_images"] = len(images)
    article["n_related"] = len(related)
    article["has_featured_content"] = bool(article["featured_content"])
    article["extra"], too_large = extra_fields(meta)
    f.warnings += too_large
    article["body"] = body
    article["is_duplicate"] = False
    return Record(article, images, related, f.warnings)


#: A value of a key without a typed column is kept in ``extra`` up to this many items (the
#: items of a record's values together) and this many levels: YAML aliases can make a small
#: file describe billions of items.
EXTRA_MAX_ITEMS = 100_000
EXTRA_MAX_DEPTH = 100


_NO_EXTRA: tuple[None, tuple] = (None, ())


class _TooLarge(Exception):
    pass


def extra_fields(meta: dict) -> tuple[str | None, Sequence[tuple[str, str]]]:
    """The front-matter keys without a typed column, as JSON text (None when there are none),
    and a warning for each value too large to keep (kept as null).

    Keys are sorted; unknown keys of ``provider`` are named ``provider.<key>``; dates and
    times are ISO 8601 text; keys that are not text (YAML allows ``1: x``) become text.
    """
    provider = meta.get("provider")
    is_mapping = type(provider) is dict
    if meta.keys() <= KNOWN_FIELDS and (not is_mapping or provider.keys() <= KNOWN_PROVIDER_FIELDS):
        return _NO_EXTRA  # most records: a subset test is cheaper than a set difference
    unknown = meta.keys() - KNOWN_FIELDS
    nested = provider.keys() - KNOWN_PROVIDER_FIELDS if is_mapping else ()
    values = [(str(key), meta[key]) for key in unknown]
    values += [(f"provider.{key}", provider[key]) for key in nested]
    values.sort(key=itemgetter(0))  # the same values kept whatever the order of a set
    extra, warnings, budget = {}, [], [EXTRA_MAX_ITEMS]
    for key, value in values:
        left = budget[0]
        try:
            extra[key] = _plain(value, budget, 0)
        except _TooLarge:
            budget[0] = left  # what is left goes to the next keys
            extra[key] = None
            warnings.append(
                (
                    key,
                    f"value has over {EXTRA_MAX_ITEMS:,} items or {EXTRA_MAX_DEPTH} levels; "
                    "kept as null in extra",
                )
            )
    return json.dumps(extra, sort_keys=True, ensure_ascii=False), warnings


def _plain(value: object, budget: list[int], depth: int) -> object:
    """``value`` as JSON can hold it (see :func:`extra_fields`)."""
    budget[0] -= 1
    if budget[0] < 0 or depth > EXTRA_MAX_DEPTH:
        raise _TooLarge
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, dt.date | dt.time):  # datetimes too
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): _plain(item, budget, depth + 1) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item, budget, depth + 1) for item in value]
    return str(value)


def implausible_date(stamp: pd.Timestamp, why: str) -> str:
    """The warning on an article's date far outside the rest of a corpus (kept as it is)."""
    return f"date {stamp.isoformat()} is {why}; kept, but check the year"


_SCALARS = (bool, int, float, dt.date)


def is_article(meta: dict) -> bool:
    """Whether a front-matter mapping describes a news article at all."""
    title = meta.get("title")
    if type(title) is str and title.strip():  # most records: asked once per file
        return True
    if isinstance(title, _SCALARS):  # a title such as 1984, made text
        return True
    for key in ("title", "originalUrl", "webUrl"):
        value = meta.get(key)
        if isinstance(value, str) and value.strip():
            return True
    return False


def _provider_mapping(value: object, f: _Fields) -> object:
    if isinstance(value, str):
        f.warn("provider", "expected a mapping with name and domain, got text; used as the name")
        return {"name": value}
    return value


def reader_text(value: str | None) -> str | None:
    """Text as a reader of the rendered page sees it: HTML entities decoded (``&amp;`` -> ``&``,
    ``&#8217;`` -> ``’``) by :func:`html.unescape`. The result is text, not markup: ``&lt;b&gt;``
    becomes the characters ``<b>``, which tables and reports escape again when they show it."""
    return unescape(value) if value is not None and "&" in value else value


def decode_texts(values: list) -> list:
    """:func:`reader_text` of each value of a column (text or None)."""
    return [unescape(v) if v is not None and "&" in v else v for v in values]


def clean_domain(value: str | None) -> str | None:
    """A provider domain as the tables hold it: trimmed, lower case; None when empty."""
    if value is None:
        return None
    value = value.strip().lower()
    return value or None


def clean_topics(items: Iterable[str]) -> list[str]:
    """Topics as the tables hold them: trimmed, without empty ones or repeats, in order."""
    # a set answers "seen before?" in constant time: one file may hold 100,000 topics
    seen: set[str] = set()
    topics: list[str] = []
    for item in items:
        item = item.strip()
        if item and item not in seen:
            seen.add(item)
            topics.append(item)
    return topics


def _image(item: object, article_id: str, f: _Fields, name: str = "images") -> dict | None:
    if isinstance(item, str):
        item = {"url": item}
    if not isinstance(item, dict):
        f.warn(name, f"an image is a {_type_name(item)}, expected a mapping; dropped")
        return None
    return {
        "article_id": article_id,
        "url": f.text(item.get("url"), f"{name}.url"),
        "width": f.count(item.get("width"), f"{name}.width"),
        "height": f.count(item.get("height"), f"{name}.height"),
        "is_cached": f.flag(item.get("isCached"), f"{name}.isCached"),
    }


def _related(item: object, article_id: str, f: _Fields) -> dict | None:
    if not isinstance(item, dict):
        f.warn("related", f"a related story is a {_type_name(item)}, expected a mapping; dropped")
        return None
    provider = f.mapping(_provider_mapping(item.get("provider"), f), "related.provider")
    return {
        "article_id": article_id,
        "title": reader_text(f.text(item.get("title"), "related.title")),
        "excerpt": reader_text(f.text(item.get("excerpt"), "related.excerpt")),
        "published_at": f.timestamp(item.get("publishedDateTime"), "related.publishedDateTime"),
        "web_url": f.text(item.get("webUrl"), "related.webUrl"),
        "type": f.text(item.get("type"), "related.type"),
        "provider_name": reader_text(f.text(provider.get("name"), "related.provider.name")),
        "provider_domain": clean_domain(f.text(provider.get("domain"), "related.provider.domain")),
        "quality": f.count(item.get("quality"), "related.quality"),
    }


#: How warnings name the type of a value, in the words of a record's author.
_TYPE_NAMES = {
    dict: "mapping",
    list: "list",
    str: "string",
    bool: "boolean",
    int: "whole number",
    float: "number",
    dt.datetime: "date and time",
    dt.date: "date",
    type(None): "null",
}


def _type_name(value: object) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _describe(value: object) -> str:
    if isinstance(value, dict | list):
        return f"a {_type_name(value)}"
    return f"{_type_name(value)} {_short.repr(value)}"
