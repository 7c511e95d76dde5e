"""urls: the spellings of one address that normalize_url makes equal, and those it keeps apart."""

from __future__ import annotations

import random

import pandas as pd
import pyarrow as pa
import pytest
from conftest import require_shared

import newskit
from newskit.stories import title_key
from newskit.urls import (
    _PLAIN_URL,
    _split_url,
    normalize_text_urls,
    normalize_url,
    normalize_urls,
)

SAME_PAGE = [
    # scheme, www., case of the host, trailing slash, fragment, default port
    ("http://www.Example.com/news/story/", "https://example.com/news/story"),
    ("https://example.com:443/news/story#comments", "https://example.com/news/story"),
    ("http://example.com:80/news/story", "https://example.com/news/story"),
    ("  https://example.com/news/story  ", "https://example.com/news/story"),
    ("//example.com/news/story", "https://example.com/news/story"),
    ("www.example.com/news/story", "https://example.com/news/story"),
    # tracking parameters go, the others stay, sorted
    (
        "https://example.com/a?utm_source=tw&utm_medium=social&id=7&fbclid=x",
        "https://example.com/a?id=7",
    ),
    ("https://example.com/a?b=2&UTM_Campaign=z&a=1&gclid=q", "https://example.com/a?a=1&b=2"),
    ("https://example.com/a?ocid=msn&mc_cid=1&mc_eid=2", "https://example.com/a"),
    # AMP pages, as the real corpus has them
    (
        "https://www.geekwire.com/2020/low-code-competition/amp/",
        "https://geekwire.com/2020/low-code-competition",
    ),
    ("https://www.neowin.net/amp/microsoft-announces/", "https://neowin.net/microsoft-announces"),
    (
        "https://www.infoworld.com/article/3617869/microsoft-fleshes-out.amp.html",
        "https://infoworld.com/article/3617869/microsoft-fleshes-out.html",
    ),
    (
        "https://www-geekwire-com.cdn.ampproject.org/c/s/www.geekwire.com/2020/low-code/amp/",
        "https://geekwire.com/2020/low-code",
    ),
    ("https://example-com.cdn.ampproject.org/c/example.com/a?x=1", "https://example.com/a?x=1"),
    ("https://amp.theguardian.com/world/story", "https://theguardian.com/world/story"),
    ("https://example.com/story?amp=1", "https://example.com/story"),
    ("https://example.com/story?outputType=amp&page=2", "https://example.com/story?page=2"),
    ("https://example.com/story.amp", "https://example.com/story"),
    ("https://example.com/", "https://example.com"),
]


@pytest.mark.parametrize(("url", "expected"), SAME_PAGE)
def test_spellings_of_one_page_normalise_alike(url, expected):
    assert normalize_url(url) == expected


@pytest.mark.parametrize("url", [u for u, _ in SAME_PAGE])
def test_normalising_twice_changes_nothing(url):
    once = normalize_url(url)
    assert normalize_url(once) == once


@pytest.mark.parametrize(
    ("one", "other"),
    [
        # paths are case-sensitive, the query that picks the page counts, ports other than 80/443
        ("https://example.com/News", "https://example.com/news"),
        ("https://youtube.com/watch?v=WJk-Y8LQlfE", "https://youtube.com/watch?v=6NPtZSMH0h4"),
        ("https://example.com:8080/a", "https://example.com/a"),
        ("https://example.com/a?amp=0", "https://example.com/a"),
        ("https://sub.example.com/a", "https://example.com/a"),
        # "www.com" and "amp.com" are domains of their own
        ("https://www.com/a", "https://com/a"),
    ],
)
def test_different_pages_stay_apart(one, other):
    assert normalize_url(one) != normalize_url(other)


def test_www_com_is_kept_whole():
    assert normalize_url("https://www.com/a") == "https://www.com/a"
    assert normalize_url("https://amp.com/a/") == "https://amp.com/a"


@pytest.mark.parametrize(
    "value",
    [
        None,
        pd.NA,
        float("nan"),
        "",
        "   ",
        "mailto:someone@example.com",
        "javascript:alert(1)",
        "ftp://example.com/file",
        "/relative/path",
        "not a url",
        "http://[::1",
        "https://",
        42,
    ],
)
def test_what_is_not_a_web_address_gives_none(value):
    assert normalize_url(value) is None


def test_normalize_urls_keeps_the_index_and_missing_values():
    urls = pd.Series(
        ["http://www.example.com/a/", pd.NA, "mailto:x@y.z"], index=[10, 11, 12], dtype="string"
    )
    out = normalize_urls(urls)
    assert out.index.tolist() == [10, 11, 12]
    assert str(out.dtype) == "string"
    assert out.iloc[0] == "https://example.com/a"
    assert out.iloc[1:].isna().all()
    assert urls.iloc[0] == "http://www.example.com/a/"  # the input is left as it was


# --- the forms stories meet (newskit.stories matches articles by these keys) ---

SCMP = "https://scmp.com/tech/policy/article/3129226/chinas-first"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.scmp.com/tech/policy/article/3129226/chinas-first",
        "http://scmp.com/tech/policy/article/3129226/chinas-first/",
        "https://WWW.SCMP.COM/tech/policy/article/3129226/chinas-first#comments",
        "https://www.scmp.com:443/tech/policy/article/3129226/chinas-first",
        "https://amp.scmp.com/tech/policy/article/3129226/chinas-first",
        "https://m.scmp.com/tech/policy/article/3129226/chinas-first",
        "https://www.scmp.com/tech/policy/article/3129226/chinas-first/amp",
        "https://www.scmp.com/amp/tech/policy/article/3129226/chinas-first",
        "https://www.scmp.com/tech/policy/article/3129226/chinas-first?amp",
        "https://www.scmp.com/tech/policy/article/3129226/chinas-first?amp=1",
        "https://www.scmp.com/tech/policy/article/3129226/chinas-first?outputType=amp",
        "https://www.scmp.com/tech/policy/article/3129226/chinas-first?utm_source=tw&utm_medium=x",
        "https://www.scmp.com/tech/policy/article/3129226/chinas-first?fbclid=abc&gclid=def",
        "https://www.scmp.com/tech/policy/article/3129226/chinas-first?ocid=msn",
        "https://amp-scmp-com.cdn.ampproject.org/c/s/amp.scmp.com/tech/policy/article/3129226/chinas-first",
        "  www.scmp.com/tech/policy/article/3129226/chinas-first  ",
    ],
)
def test_forms_of_one_address_get_one_key(url):
    assert normalize_url(url) == SCMP


@pytest.mark.parametrize(
    "first, second",
    [
        ("https://a.com/news/1", "https://a.com/news/2"),
        ("https://a.com/News/1", "https://a.com/news/1"),  # paths are case-sensitive
        ("https://a.com/story?id=1", "https://a.com/story?id=2"),
        ("https://a.com/x", "https://b.com/x"),
        ("https://a.com/x", "https://a.com:8080/x"),
        ("https://a.com/story?outputType=print", "https://a.com/story"),
        ("https://example.com/amplifier", "https://example.com/"),
    ],
)
def test_different_pages_keep_different_keys(first, second):
    assert normalize_url(first) != normalize_url(second)


def test_other_query_parameters_are_kept_in_a_stable_order():
    assert normalize_url("https://a.com/s?b=2&a=1&utm_campaign=z") == "https://a.com/s?a=1&b=2"
    assert normalize_url("https://a.com/s?a=1&b=2") == normalize_url("https://a.com/s?b=2&a=1")


def test_amp_file_names():
    assert normalize_url("https://a.com/news/story.amp.html") == "https://a.com/news/story.html"
    assert normalize_url("https://a.com/news/story.amp") == "https://a.com/news/story"


@pytest.mark.parametrize("value", [None, "", "   ", float("nan"), 3, "https://", "/only/a/path"])
def test_no_key_without_a_host(value):
    assert normalize_url(value) is None


def test_root_of_a_site():
    assert normalize_url("https://www.a.com/") == "https://a.com"
    assert normalize_url("https://www.a.com") == "https://a.com"


def test_series_form_is_aligned_and_typed():
    urls = pd.Series(
        ["https://www.a.com/x/", None, "http://a.com/x?utm_source=y", pd.NA, ""],
        index=[10, 11, 12, 13, 14],
        dtype="string",
        name="web_url",
    )
    keys = normalize_urls(urls)
    assert keys.dtype == "string"
    assert keys.name == "web_url"
    assert list(keys.index) == [10, 11, 12, 13, 14]
    assert keys.tolist() == ["https://a.com/x", pd.NA, "https://a.com/x", pd.NA, pd.NA]


def test_series_form_on_empty_input():
    keys = normalize_urls(pd.Series([], dtype="string"))
    assert keys.empty and keys.dtype == "string"


PLAIN = [
    "https://www.scmp.com/tech/policy/article/3129226/chinas-first",
    "http://Example.COM/News/A/",
    "https://m.example.co.uk/a//b",
    "https://www.com/x",
    "https://m.com",
    "HTTPS://WWW.EXAMPLE.COM./x/y/",
    "https://example.com/%E2%9C%93/caf%C3%A9",
    "https://example.com/a.b/c-d_e~f!$&'()*+,;=:@",
    "https://sub.www.example.com/",
    "https://www.m.amp.example.com/x",
]


@pytest.mark.parametrize("url", PLAIN)
def test_the_quick_road_for_plain_addresses_agrees_with_the_full_one(url):
    # a bare "?" (an empty query) sends the same address down the full road
    assert normalize_url(url) == normalize_url(url + "?")


def test_the_quick_road_agrees_on_every_address_of_the_real_corpus():
    corpus = newskit.load_corpus(require_shared(), cache=False, stories=False)
    urls = pd.concat([corpus.articles[c] for c in ("original_url", "web_url", "amp_url")])
    urls = pd.concat([urls, corpus.related["web_url"]]).dropna().unique()
    plain = [url for url in urls if "?" not in url and "#" not in url]  # others: the full road
    assert len(plain) > 150
    for url in plain:
        assert normalize_url(url) == normalize_url(url + "?"), url


def _spellings(count: int, seed: int) -> list[str]:
    """Addresses put together from parts that take each road of normalize_url: hosts with
    www./m./amp. and the AMP cache, AMP segments and files, words that hold "amp", escapes,
    characters outside ASCII and spaces, queries and fragments, schemes that are not web."""
    rng = random.Random(seed)
    hosts = [
        "www.example.com", "Example.COM", "m.ex.co.uk", "amp.news.com", "www.com", "m.com",
        "a-b.cdn.ampproject.org", "cdn.ampproject.org", "www.m.amp.x.org", "x.com.",
        "camp.org", "sub.www.a.com", "1.2.3.4", "localhost", "ex.com:8080", "ex.com:443",
        "café.com", "EX.com",
    ]  # fmt: skip
    segments = [
        "a", "amp", "AMP", "story.amp.html", "x.amp", "x.AMP.htm", "camp", "ampere",
        "%E2%9C%93", "a.b", "c-d_e~f!$&'()*+,;=:@", "", " ", "é", "a b", "\x0b", "x\u00a0",
    ]  # fmt: skip
    schemes = ["http://", "https://", "HTTPS://", "Http://", "//", "", "ftp://", "mailto:"]
    tails = [
        "", "/", "?", "?utm_source=x", "?v=1", "#top", "?amp=1", "?b=2&a=1", " ", "\n",
        "?a=1&b=2&utm_source=x", "?AMP=true&v=2", "?a=1=2", "?A=x~y", "?fbclid=1&z=", "?a&b=1",
        "?a=1&&b=2", "?a=%20", "?a=+", "?b=1&a=2&b=0", "?usqp=mq331AQ", "?a=é", "?a=1#f",
        "?output=AMP", "/?v=1",
    ]  # fmt: skip
    found = []
    for _ in range(count):
        path = "".join("/" + rng.choice(segments) for _ in range(rng.randrange(4)))
        found.append(rng.choice(schemes) + rng.choice(hosts) + path + rng.choice(tails))
    return found + ["", "   ", "https://", "http://.com", "https://-a.com/x", "https://a..com/"]


def test_the_column_at_once_gives_what_each_address_gives(key_road):
    urls = _spellings(5000, seed=5)
    keys = normalize_urls(pd.Series([*urls, None, *urls[:50]], dtype="string"))
    expected = [normalize_url(url) for url in [*urls, None, *urls[:50]]]
    assert [None if key is pd.NA else key for key in keys] == expected
    assert sum(key is not None for key in expected) > 2000  # most are addresses


def test_the_quick_road_gives_what_urlsplit_gives():
    urls = _spellings(5000, seed=7)
    quick = [url for url in urls if _PLAIN_URL.fullmatch(url)]
    assert len(quick) > 500  # the quick road is taken, with queries and AMP forms
    assert sum("?" in url for url in quick) > 100 and sum("amp" in url for url in quick) > 100
    assert [normalize_url(url) for url in urls] == [_split_url(url) for url in urls]


def test_a_column_of_other_values_is_normalised_one_by_one():
    keys = normalize_urls(pd.Series(["https://www.a.com/x/", 7, None], dtype=object))
    assert keys.tolist() == ["https://a.com/x", pd.NA, pd.NA]


def test_the_c_keys_read_a_slice_of_a_column_with_missing_values(key_road):
    """Arrow arrays sliced from a larger one start at an offset into their buffers, and
    their missing values are bits of a validity bitmap: the keys are each value's."""
    from newskit.stories import _title_keys

    urls = [*_spellings(300, seed=11), None, "https://www.a.com/x/", None]
    column = pa.array(["skipped", None, *urls, "after"], pa.large_string()).slice(2, len(urls))
    assert column.offset == 2 and column.null_count == 2
    expected = [normalize_url(url) for url in urls]
    assert normalize_text_urls(column).to_pylist() == expected
    titles = pa.array(
        ["x", *["Don't Stop: the `Music`", "plain title", None, "Café - Yahoo", ""] * 20],
        pa.large_string(),
    ).slice(1)
    keys, trimmed, _ = _title_keys(titles, frozenset())
    assert keys.to_pylist() == [title_key(t)[0] for t in titles.to_pylist()]
