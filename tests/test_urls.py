"""newskit.urls: the forms of one address get one key; different pages keep different keys."""

from __future__ import annotations

import pandas as pd
import pytest

from newskit.urls import normalize_url, normalize_urls

SCMP = "scmp.com/tech/policy/article/3129226/chinas-first"


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
    assert normalize_url("https://a.com/s?b=2&a=1&utm_campaign=z") == "a.com/s?a=1&b=2"
    assert normalize_url("https://a.com/s?a=1&b=2") == normalize_url("https://a.com/s?b=2&a=1")


def test_amp_file_names():
    assert normalize_url("https://a.com/news/story.amp.html") == "a.com/news/story.html"
    assert normalize_url("https://a.com/news/story.amp") == "a.com/news/story"


@pytest.mark.parametrize("value", [None, "", "   ", float("nan"), 3, "https://", "/only/a/path"])
def test_no_key_without_a_host(value):
    assert normalize_url(value) is None


def test_root_of_a_site():
    assert normalize_url("https://www.a.com/") == "a.com"
    assert normalize_url("https://www.a.com") == "a.com"


def test_unreadable_port_keeps_the_text():
    assert normalize_url("https://a.com:port/x") == "https://a.com:port/x"


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
    assert keys.tolist() == ["a.com/x", pd.NA, "a.com/x", pd.NA, pd.NA]


def test_series_form_on_empty_input():
    keys = normalize_urls(pd.Series([], dtype="string"))
    assert keys.empty and keys.dtype == "string"
