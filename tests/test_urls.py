"""urls: the spellings of one address that normalize_url makes equal, and those it keeps apart."""

from __future__ import annotations

import pandas as pd
import pytest

from newskit.urls import normalize_url, normalize_urls

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
