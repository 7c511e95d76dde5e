"""Field names of a news record and the columns and dtypes of newskit's tables."""

from __future__ import annotations

import pandas as pd

#: Front-matter key -> articles column, for the plain scalar fields of a record.
TEXT_FIELDS = {
    "title": "title",
    "excerpt": "excerpt",
    "originalUrl": "original_url",
    "webUrl": "web_url",
    "ampWebUrl": "amp_url",
    "cdnAmpWebUrl": "cdn_amp_url",
    "featuredContent": "featured_content",
    "locale": "locale",
}
#: Text fields written for a reader (Jekyll renders them into pages): their HTML entities are
#: decoded, ``What&#8217;s`` -> ``What’s``. URLs and ``featuredContent`` (HTML) are kept as written.
READER_TEXT_FIELDS = frozenset(["title", "excerpt"])
CATEGORY_FIELDS = {"category": "category", "type": "type"}
SCORE_FIELDS = {"quality": "quality", "heat": "heat"}
#: Front-matter key -> articles column, for lists of text (trimmed, without empty ones or repeats).
LIST_FIELDS = {"topics": "topics", "categories": "categories", "tags": "tags"}

#: Keys a record may carry that have typed columns.
KNOWN_FIELDS = frozenset(
    [*TEXT_FIELDS, *CATEGORY_FIELDS, *SCORE_FIELDS, *LIST_FIELDS]
    + ["publishedDateTime", "updatedDateTime", "published", "provider", "images", "related"]
    + ["secured"]
)
#: Keys of ``provider`` that have typed columns; any other goes to ``extra`` as ``provider.<key>``.
KNOWN_PROVIDER_FIELDS = frozenset(["name", "domain", "images"])

#: Front-matter key (``provider.<key>`` for a key of ``provider``) -> the articles column
#: holding it and the kind of value that column holds ("list": present when not empty).
TYPED_KEYS: dict[str, tuple[str, str]] = {
    **{key: (column, "text") for key, column in (TEXT_FIELDS | CATEGORY_FIELDS).items()},
    **{key: (column, "integer") for key, column in SCORE_FIELDS.items()},
    "publishedDateTime": ("published_at", "datetime"),
    "updatedDateTime": ("updated_at", "datetime"),
    "published": ("is_published", "boolean"),
    "secured": ("is_secured", "boolean"),
    "provider.name": ("provider_name", "text"),
    "provider.domain": ("provider_domain", "text"),
    "provider.images": ("n_provider_images", "list"),
    **{key: (column, "list") for key, column in LIST_FIELDS.items()},
    "images": ("n_images", "list"),
    "related": ("n_related", "list"),
}
#: The kinds of value ``Corpus.fields`` tells apart, in the order it lists them.
VALUE_KINDS = ("text", "integer", "number", "boolean", "datetime", "list", "mapping", "null")

STRING = pd.StringDtype()
DATETIME = pd.DatetimeTZDtype("ns", "UTC")
#: An article published before this is far outside any news corpus (most likely a mistyped
#: year): it loads, with a warning on its publishedDateTime.
PLAUSIBLE_SINCE = pd.Timestamp("1990-01-01", tz="UTC")

ARTICLE_COLUMNS: dict[str, object] = {
    "article_id": STRING,
    "path": STRING,
    "title": STRING,
    "excerpt": STRING,
    "category": "category",
    "type": "category",
    "published_at": DATETIME,
    "updated_at": DATETIME,
    "locale": STRING,
    "original_url": STRING,
    "web_url": STRING,
    "amp_url": STRING,
    "cdn_amp_url": STRING,
    "quality": "Int64",
    "heat": "Int64",
    "is_published": "boolean",
    "provider_name": STRING,
    "provider_domain": STRING,
    "n_provider_images": "int64",
    "topics": "object",
    "categories": "object",
    "tags": "object",
    "is_secured": "boolean",
    "n_images": "int64",
    "n_related": "int64",
    "has_featured_content": "bool",
    "featured_content": STRING,
    "extra": STRING,
    "body": STRING,
    "is_duplicate": "bool",
}

TOPIC_COLUMNS: dict[str, object] = {"article_id": STRING, "topic": STRING}

IMAGE_COLUMNS: dict[str, object] = {
    "article_id": STRING,
    "url": STRING,
    "width": "Int64",
    "height": "Int64",
    "is_cached": "boolean",
}

RELATED_COLUMNS: dict[str, object] = {
    "article_id": STRING,
    "title": STRING,
    "excerpt": STRING,
    "published_at": DATETIME,
    "web_url": STRING,
    "type": "category",
    "provider_name": STRING,
    "provider_domain": STRING,
    "quality": "Int64",
}

PROVIDER_COLUMNS: dict[str, object] = {
    "provider_domain": STRING,
    "provider_name": STRING,
    "n_articles": "int64",
    "first_published_at": DATETIME,
    "last_published_at": DATETIME,
    "mean_quality": "float64",
    "mean_heat": "float64",
}

FIELD_COLUMNS: dict[str, object] = {
    "key": STRING,
    "column": STRING,
    "stored": pd.CategoricalDtype(["typed", "extra"]),
    "n_articles": "int64",
    "share": "float64",
    "kinds": STRING,
}

PROBLEM_COLUMNS: dict[str, object] = {
    "path": STRING,
    "severity": pd.CategoricalDtype(["error", "warning"]),
    "field": STRING,
    "message": STRING,
}


# What a missing key becomes in a column whose dtype has no missing value.
_NOT_MISSING = {"int64": 0, "bool": False}


def build_frame(rows: list[dict], columns: dict[str, object]) -> pd.DataFrame:
    """Build a DataFrame with exactly ``columns``, in order, cast to their dtypes.

    Parameters
    ----------
    rows : list of dict
        One dict per row; missing keys become missing values, or 0 and False in the columns
        that cannot hold one (counts and flags such as ``n_images``).
    columns : dict
        Column name -> dtype, as in this module's ``*_COLUMNS``.
    """
    data = {
        name: [row.get(name, _NOT_MISSING.get(str(dtype))) for row in rows]
        for name, dtype in columns.items()
    }
    frame = pd.DataFrame(data, columns=list(columns))
    return cast_frame(frame, columns)


def cast_frame(frame: pd.DataFrame, columns: dict[str, object]) -> pd.DataFrame:
    """Return ``frame`` with each column of ``columns`` cast to its dtype."""
    out = {}
    for name, dtype in columns.items():
        col = frame[name]
        if dtype == "object":
            out[name] = col.astype(object)
        elif dtype == "category":
            # categories of text, also when the column is empty
            out[name] = col.astype(STRING).astype("category")
        elif isinstance(dtype, pd.DatetimeTZDtype):
            out[name] = pd.to_datetime(col, utc=True).astype(dtype)
        else:
            out[name] = col.astype(dtype)
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))
