"""URL normalisation: one key for the forms of an article's address that lead to the same page.

Two URLs get the same key when they differ only in: scheme (``http``/``https``), a ``www.``,
``m.`` or ``amp.`` host prefix, the host's case, a default port, a trailing slash, a fragment,
an AMP variant of the page (``/amp`` or ``/amp/...`` path segments, ``.amp.html``, ``?amp``,
``amp=1``, ``outputType=amp``, a Google AMP cache address ``*.cdn.ampproject.org/c/s/...``),
tracking parameters (:data:`TRACKING_PARAMETERS`, any ``utm_*``) or the order of the other query
parameters. The key is ``host/path?query`` without a scheme: a matching key, not an address to
open.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import pandas as pd

#: Query parameters that say where a reader came from, not which page they read.
_TRACKING = """
    fbclid gclid gclsrc dclid msclkid yclid twclid igshid ocid cmpid cvid mc_cid mc_eid
    _ga _gl ref_src ref_url smid smtyp icid
    """
TRACKING_PARAMETERS = frozenset(_TRACKING.split())
#: Query parameters that ask for the AMP form of the same page (any value).
AMP_PARAMETERS = frozenset({"amp", "_amp", "usqp", "amp_js_v", "amp_gsa"})

_HOST_PREFIX = re.compile(r"^(?:www\d*|m|amp)\.")
_AMP_CACHE = re.compile(r"^[^/]+\.cdn\.ampproject\.org$")
_AMP_CACHE_PATH = re.compile(r"^/(?:[a-z]/)+(?:s/)?")
_DEFAULT_PORTS = {"80", "443"}


def _query_key(query: str) -> str:
    pairs = [
        (key, value)
        for key, value in parse_qsl(query, keep_blank_values=True)
        if not key.lower().startswith("utm_")
        and key.lower() not in TRACKING_PARAMETERS
        and key.lower() not in AMP_PARAMETERS
        and not (key.lower() == "outputtype" and value.lower() == "amp")
    ]
    return urlencode(sorted(pairs))


def _path_key(path: str) -> str:
    segments = [segment for segment in path.split("/") if segment]
    if segments and segments[0].lower() == "amp":
        segments = segments[1:]
    if segments and segments[-1].lower() == "amp":
        segments = segments[:-1]
    if segments:
        last = segments[-1]
        last = re.sub(r"\.amp(\.html?)$", r"\1", last, flags=re.IGNORECASE)
        last = re.sub(r"\.amp$", "", last, flags=re.IGNORECASE)
        segments[-1] = last
    return "/" + "/".join(segments) if segments else ""


_SIMPLE = re.compile(r"^\s*(?:https?:)?//([A-Za-z0-9.-]+)(/[^?#]*)?(?:\?([^#]*))?(?:#.*)?$")


def _simple_key(url: str) -> str | None:
    """The key of a plain ``http(s)://host/path?query`` URL without AMP hints, the usual
    case, without a full parse; None for anything else (then the full rules apply)."""
    match = _SIMPLE.match(url)
    if match is None:
        return None
    host, path, query = match.group(1).lower().rstrip("."), match.group(2) or "", match.group(3)
    if not host or "amp" in host or "amp" in path.lower() or "//" in path or url != url.rstrip():
        return None
    key = _HOST_PREFIX.sub("", host) + path.rstrip("/")
    if query:
        query = _query_key(query)
    return f"{key}?{query}" if query else key


def normalize_url(url: object) -> str | None:
    """The matching key of one URL (see the module docstring), or None when there is none.

    Parameters
    ----------
    url : str or None
        An absolute URL (``https://...``), or one without a scheme (``example.com/a``).

    Returns
    -------
    str or None
        ``host/path?query``; None for a missing, blank or hostless value.

    Examples
    --------
    >>> normalize_url("https://www.Example.com/news/a/?utm_source=x&id=3#top")
    'example.com/news/a?id=3'
    >>> normalize_url("https://amp.example.com/news/a/amp?outputType=amp")
    'example.com/news/a'
    """
    if not isinstance(url, str) or not url.strip():
        return None
    simple = _simple_key(url)
    if simple is not None:
        return simple
    text = url.strip()
    if "//" not in text.split("?", 1)[0]:
        text = "//" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:  # an unreadable port or bracketed host: keep the text itself as the key
        return text.lower()
    if not host:
        return None
    path, query = parts.path, parts.query
    if _AMP_CACHE.match(host):
        # the AMP cache wraps the original address: /c/s/host/path
        inner = _AMP_CACHE_PATH.sub("", path)
        if inner and inner != path:
            return normalize_url("//" + inner + (f"?{query}" if query else ""))
    host = _HOST_PREFIX.sub("", host)
    if port is not None and str(port) not in _DEFAULT_PORTS:
        host = f"{host}:{port}"
    key = host + _path_key(path)
    query = _query_key(query)
    return f"{key}?{query}" if query else key


def normalize_urls(urls: pd.Series) -> pd.Series:
    """:func:`normalize_url` of every value of ``urls``, as a ``string`` Series aligned with it
    (``<NA>`` where there is no key); each distinct value is normalised once."""
    values = urls.astype(object)
    unique = pd.unique(values[values.notna()])
    keys = {value: normalize_url(value) for value in unique}
    return pd.Series(
        [keys.get(value) if isinstance(value, str) else None for value in values],
        index=urls.index,
        dtype="string",
        name=urls.name,
    )
