"""One article, one URL: :func:`normalize_url` and :func:`normalize_urls`.

The same story reaches a corpus under several spellings of its address: ``http`` or ``https``,
with or without ``www.`` (or a mobile ``m.``), a trailing slash, a campaign's ``utm_*``
parameters, an AMP page (``/amp/``, ``.amp.html``, ``?amp=1``, ``amp.`` hosts, the Google AMP
cache at ``*.cdn.ampproject.org/c/s/...``). Matching articles across snapshots
(``newskit.compare``) and
within one (stories, duplicates) compares the normalised form, so all of these agree.

What is kept: the host (lower-cased, ``www.`` and a default port dropped), the path as written
(paths are case-sensitive), and every query parameter that is not tracking, sorted. The
fragment is dropped. Normalising a normalised URL gives it back unchanged.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from newskit.schema import KEY_NOT_PLAIN, as_text, plain_keys

#: Query parameters that say who sent a reader, never which page it is (exact names).
TRACKING_PARAMETERS = frozenset(
    [
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "ocid",
        "cmpid",
        "_ga",
        "_gl",
        "ref_src",
        "ref_url",
        "cmp",
        "smid",
        "s_cid",
        "gclsrc",
        "twclid",
        "cvid",
        "smtyp",
        "icid",
    ]
)
#: Query parameters that only ask for the AMP page, with the values that do.
AMP_PARAMETERS = {"amp": {"", "1", "true", "yes"}, "outputtype": {"amp"}, "output": {"amp"}}
#: Query parameters the AMP cache and AMP pages add, whatever their value.
AMP_ONLY_PARAMETERS = frozenset(["_amp", "usqp", "amp_js_v", "amp_gsa"])

_AMP_CACHE = re.compile(r"^[a-z0-9-]+\.cdn\.ampproject\.org$")
# /c/s/host/path (https) or /c/host/path (http); /i/ (images) and /v/ (videos) likewise.
_AMP_CACHE_PATH = re.compile(r"^/[civ]/(s/)?(?P<rest>[^/].*)$")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# An address written without its scheme: "www.example.com/a", "example.com:8080".
_BARE_HOST = re.compile(r"^[\w-]+(\.[\w-]+)*\.[a-z]{2,}(:\d+)?([/?#]|$)", re.IGNORECASE)


def normalize_url(url: object) -> str | None:
    """The form of a web address that two spellings of the same page share.

    Parameters
    ----------
    url : str or None
        An address as a record gives it; missing values, empty text and text that is not an
        ``http``/``https`` address (no host) give ``None``.

    Returns
    -------
    str or None
        ``https://host/path?query``: ``http`` becomes ``https``; the host is lower-cased,
        without ``www.``, ``m.``, ``amp.`` or a default port; a Google AMP cache address becomes the
        page it caches; ``/amp`` path segments, ``.amp.html`` and AMP query switches are
        removed; tracking parameters (``utm_*`` and :data:`TRACKING_PARAMETERS`) are dropped
        and the others sorted; the fragment and a trailing slash are dropped.

    Examples
    --------
    >>> normalize_url("http://www.Example.com/news/a-story/amp/?utm_source=x&b=2&a=1#top")
    'https://example.com/news/a-story?a=1&b=2'
    """
    if url is None or url is pd.NA or not isinstance(url, str):
        return None
    simple = _PLAIN_URL.fullmatch(url)
    if simple is not None:  # the usual case, without urlsplit
        host = simple["host"].lower().rstrip(".")
        if not _AMP_CACHE.match(host):
            for prefix in ("www.", "m.", "amp."):
                host = _strip_prefix(host, prefix)
            query = _clean_plain_query(simple["query"] or "")
            return f"https://{host}{_clean_path(simple['path'] or '')}{'?' if query else ''}{query}"
    return _split_url(url)


def _split_url(url: str) -> str | None:
    """:func:`normalize_url` of any text, by :func:`urllib.parse.urlsplit`."""
    text = url.strip()
    if not text:
        return None
    if text.startswith("//"):
        text = "https:" + text
    elif "://" not in text:
        if not _BARE_HOST.match(text):
            return None  # mailto:, javascript:, a relative path, words
        text = "https://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:  # a malformed port or bracketed host
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    path, query = parts.path, parts.query
    if _AMP_CACHE.match(host):
        cached = _AMP_CACHE_PATH.match(path)
        if cached:
            inner = cached["rest"] + (f"?{query}" if query else "")
            return normalize_url("https://" + inner)
    host = _strip_prefix(host, "www.")
    host = _strip_prefix(host, "m.")
    host = _strip_prefix(host, "amp.")
    if port is not None and port not in _DEFAULT_PORTS.values():
        host = f"{host}:{port}"
    return urlunsplit(("https", host, _clean_path(path), _clean_query(query), ""))


# http(s)://host/path?query with no port, user, fragment, empty segment or surrounding space,
# a query of name=value pairs with nothing to unquote: what normalize_url does to it needs no
# urlsplit.
_PLAIN_PAIR = r"[A-Za-z0-9_.~-]+=[A-Za-z0-9_.~-]*"
_PLAIN_URL = re.compile(
    r"https?://(?P<host>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\.?)(?P<path>(?:/[^/?#\s]+)*/?)"
    rf"(?:\?(?P<query>{_PLAIN_PAIR}(?:&{_PLAIN_PAIR})*))?",
    re.IGNORECASE,
)


def normalize_urls(urls: pd.Series) -> pd.Series:
    """:func:`normalize_url` of every value, as a ``string`` Series on the same index.

    Plain addresses in printable ASCII (``http(s)://host/path``, no query, fragment, port or
    ``amp``: most of a corpus) take the quick road of :func:`normalize_url` over the whole
    column, by newskit's C keys or else Arrow string kernels (where Arrow's regular
    expressions and Python's agree); each distinct other value is normalised once by
    :func:`normalize_url`.
    """
    text = pa.large_string()
    values = as_text(urls)  # values that are not text: no address
    keys = normalize_text_urls(values)
    return pd.Series(
        pd.arrays.ArrowStringArray(pc.cast(keys, text)),
        index=urls.index,
        dtype=pd.StringDtype(),
        name=urls.name,
    )


def normalize_text_urls(values: pa.Array) -> pa.Array:
    """:func:`normalize_url` of each value of an Arrow text array, missing values kept, as
    Arrow text (each distinct value normalised once; see :func:`normalize_urls`)."""
    made = plain_keys("url", values)
    if made is None:
        return _normalize_each(values)
    # newskit's C keys make plain addresses' keys as the quick road below does; the rest,
    # which that road would not take either, go to normalize_url
    keys, status, _ = made
    other = pa.array(status == KEY_NOT_PLAIN)
    if pc.any(other).as_py():
        encoded = pc.filter(values, other).dictionary_encode()
        distinct = [normalize_url(value) for value in encoded.dictionary.to_pylist()]
        found = pc.take(pa.array(distinct, pa.large_string()), encoded.indices)
        keys = pc.replace_with_mask(keys, other, found)
    return keys


def _normalize_each(values: pa.Array) -> pa.Array:
    """:func:`_normalize_distinct` of each value, each distinct value normalised once."""
    encoded = values.dictionary_encode()
    return pc.take(_normalize_distinct(encoded.dictionary), encoded.indices)


def _normalize_distinct(values: pa.Array) -> pa.Array:
    """:func:`normalize_url` of each of ``values`` (text, no missing value), as Arrow."""
    text = pa.large_string()
    quick = pc.and_(
        pc.match_substring_regex(values, _PLAIN_ASCII_URL),
        pc.invert(pc.match_substring_regex(values, _AMP_FORMS, ignore_case=True)),
    )
    parts = pc.extract_regex(values, r"^[A-Za-z]+://(?P<host>[^/]*)(?P<path>.*)$")
    host = pc.utf8_rtrim(pc.ascii_lower(pc.struct_field(parts, "host")), characters=".")
    for prefix in ("www", "m", "amp"):  # as _strip_prefix: only when a dot remains
        host = pc.replace_substring_regex(host, pattern=rf"^{prefix}\.(.*\..*)$", replacement=r"\1")
    path = pc.replace_substring_regex(pc.struct_field(parts, "path"), pattern="/$", replacement="")
    keys = pc.binary_join_element_wise(pa.scalar("https://", text), host, path, pa.scalar("", text))
    keys = pc.if_else(quick, keys, pa.scalar(None, text))
    other = pc.invert(quick)
    if pc.any(other).as_py():
        rest = pc.filter(values, other).to_pylist()
        keys = pc.replace_with_mask(keys, other, pa.array([normalize_url(v) for v in rest], text))
    return keys


# What the quick road of normalize_url takes, in printable ASCII only (path characters: every
# one but space, "#", "/" and "?"), where RE2 and Python's re read the pattern alike.
_PLAIN_ASCII_URL = (
    r"^[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\.?(?:/[!\"$-.0->@-~]+)*/?$"
)
# What of AMP such an address can hold that the quick road leaves to normalize_url: the AMP
# cache's host, an "amp" path segment, an .amp or .amp.html file (an "amp." host is stripped).
_AMP_FORMS = r"ampproject|/amp(?:/|$)|\.amp(?:\.html?)?/?$"


def _strip_prefix(host: str, prefix: str) -> str:
    # "www.com" is a domain of its own: only strip when a dot remains after the prefix.
    rest = host.removeprefix(prefix)
    return rest if rest != host and "." in rest else host


def _clean_path(path: str) -> str:
    segments = [s for s in path.split("/") if s]
    segments = [s for s in segments if s.lower() != "amp"]
    if segments:
        last = segments[-1]
        lowered = last.lower()
        if lowered.endswith(".amp.html") or lowered.endswith(".amp.htm"):
            segments[-1] = last[: lowered.rindex(".amp.")] + last[lowered.rindex(".htm") :]
        elif lowered.endswith(".amp"):
            segments[-1] = last[: -len(".amp")]
    return "/" + "/".join(segments) if segments else ""


def _clean_query(query: str) -> str:
    if not query:
        return ""
    kept = [
        (name, value)
        for name, value in parse_qsl(query, keep_blank_values=True)
        if _kept(name, value)
    ]
    return urlencode(sorted(kept))


def _clean_plain_query(query: str) -> str:
    """:func:`_clean_query` of name=value pairs with nothing to unquote or quote again."""
    if not query:
        return ""
    pairs = [pair.split("=", 1) for pair in query.split("&")]
    return "&".join(f"{n}={v}" for n, v in sorted((n, v) for n, v in pairs if _kept(n, v)))


def _kept(name: str, value: str) -> bool:
    """Whether a query parameter says which page it is (not tracking, not an AMP switch)."""
    lowered = name.lower()
    if lowered.startswith("utm_") or lowered in TRACKING_PARAMETERS:
        return False
    return lowered not in AMP_ONLY_PARAMETERS and value.lower() not in AMP_PARAMETERS.get(
        lowered, ()
    )
