"""The article browser's list: columns and order, the sample, links to articles and into it."""

from __future__ import annotations

import random
from html import unescape
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pandas as pd
import pytest

import newskit
from newskit.listing import (
    COLUMNS,
    MAX_ARTICLES,
    MAX_URL_CHARS,
    PAGE,
    _topic_cells,
    _topic_cells_one_by_one,
    article_link,
    build_article_list,
    describe_sample,
    sample_articles,
    title_hrefs,
    web_href,
)
from newskit.schema import ARTICLE_COLUMNS, build_frame
from newskit.stories import build_story_table


def articles_of(*rows: dict) -> pd.DataFrame:
    """An articles table of ``rows`` (article_id defaults to a0, a1, ...; its own story)."""
    filled = []
    for i, row in enumerate(rows):
        row = {"article_id": f"a{i}", "title": f"Title {i}", "topics": [], **row}
        row.setdefault("story_id", row["article_id"])
        if "published_at" in row and row["published_at"] is not None:
            row["published_at"] = pd.Timestamp(row["published_at"], tz="UTC")
        filled.append(row)
    return build_frame(filled, ARTICLE_COLUMNS)


def test_the_list_has_the_browser_columns_newest_first_undated_last():
    articles = articles_of(
        {"published_at": "2021-01-02", "provider_domain": "a.example", "quality": 3, "heat": 4},
        {"published_at": None, "provider_name": "Only A Name"},
        {"published_at": "2021-03-01 10:30", "type": "video", "topics": ["AI", "Portals"]},
        {"published_at": "2021-01-02", "article_id": "a"},  # the same date: by article_id
    )
    listed = build_article_list(articles)
    assert list(listed.columns) == [c for c in COLUMNS if c != "story"] + ["url"]
    assert listed["title"].tolist() == ["Title 2", "Title 3", "Title 0", "Title 1"]
    assert listed["published"].tolist()[0] == pd.Timestamp("2021-03-01 10:30", tz="UTC")
    assert listed["published"].isna().tolist() == [False, False, False, True]
    assert listed["provider"].tolist() == ["(unknown)", "(unknown)", "a.example", "Only A Name"]
    assert listed["topics"].tolist() == [["AI", "Portals"], [], [], []]
    assert listed.loc[0, "type"] == "video"
    assert (listed.loc[2, "quality"], listed.loc[2, "heat"]) == (3, 4)
    assert listed.index.tolist() == [0, 1, 2, 3]


def test_the_list_leaves_the_articles_as_they_were():
    articles = articles_of({"published_at": "2021-01-01"}, {"published_at": "2021-02-01"})
    before = articles.copy()
    build_article_list(articles)
    pd.testing.assert_frame_equal(articles, before)


def test_a_story_column_only_when_a_story_has_several_articles():
    alone = articles_of({"published_at": "2021-01-01"}, {"published_at": "2021-01-02"})
    assert "story" not in build_article_list(alone)
    copies = articles_of(
        {"published_at": "2021-01-01", "story_id": "s1"},
        {"published_at": "2021-01-02", "story_id": "s1"},
        {"published_at": "2021-01-03"},
    )
    listed = build_article_list(copies)
    assert list(listed.columns) == [*COLUMNS, "url"]
    assert listed["story"].tolist() == [pd.NA, "s1", "s1"]


def test_the_stories_table_counts_copies_outside_the_list():
    corpus = articles_of(
        {"published_at": "2021-01-01", "story_id": "s1"},
        {"published_at": "2021-01-02", "story_id": "s1"},
        {"published_at": "2021-01-03"},
    )
    stories = build_story_table(corpus)
    one_copy = corpus.iloc[[0, 2]]
    assert "story" not in build_article_list(one_copy)
    listed = build_article_list(one_copy, stories=stories)
    assert listed["story"].tolist() == [pd.NA, "s1"]


def test_the_url_is_the_first_web_address_of_the_record():
    articles = articles_of(
        {"original_url": "https://a.example/1", "web_url": "https://b.example/1"},
        {"original_url": "javascript:alert(1)", "web_url": "http://b.example/2"},
        {"web_url": "data:text/html,x", "amp_url": "/relative", "cdn_amp_url": "https://c/3"},
        {"original_url": "javascript:alert(1)"},
        {},
    )
    listed = build_article_list(articles).set_index("title")
    assert listed["url"].fillna("").to_dict() == {
        "Title 0": "https://a.example/1",
        "Title 1": "http://b.example/2",
        "Title 2": "https://c/3",
        "Title 3": "",
        "Title 4": "",
    }
    hrefs = title_hrefs(listed)
    assert hrefs == ["https://a.example/1", "http://b.example/2", "https://c/3", None, None]


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/a",
        "http://example.com",
        "HTTPS://Example.COM/Path?q=1&r=%20#frag",
        "https://user@example.com:8443/x",
        "https://[2001:db8::1]/x",
        "https://bücher.example/straße",
        "https://example.com/" + "a" * (MAX_URL_CHARS - 20),
    ],
)
def test_web_addresses_are_links(url):
    assert web_href(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "javascript://example.com/%0Aalert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "ftp://example.com/a",
        "mailto:a@example.com",
        "//example.com/a",
        "/a/b",
        "a.html",
        "06-articles.html#filter:x",
        "#top",
        "https:example.com",
        "https:///example.com",
        "https://",
        "http:/\\example.com",
        " https://example.com",
        "https://example.com ",
        "https://exa mple.com",
        "https://example.com/\x00",
        "https://example.com/\x85",
        "https://example.com/\u2028",
        "https://[::1/x",
        "https://example.com/" + "a" * MAX_URL_CHARS,
        "",
        None,
        pd.NA,
        float("nan"),
        42,
        b"https://example.com",
    ],
)
def test_anything_else_is_no_link(url):
    assert web_href(url) is None


def corpus_articles(n_per_cell: dict[tuple[str, str | None], int]) -> pd.DataFrame:
    """Articles in cells (topic, month), ``n`` each; topic "" for none, month None undated."""
    rows = []
    for (topic, month), n in n_per_cell.items():
        for i in range(n):
            rows.append(
                {
                    "article_id": f"{topic}-{month}-{i}",
                    "topics": [topic] if topic else [],
                    "published_at": f"{month}-{1 + i % 28:02d}" if month else None,
                }
            )
    return articles_of(*rows)


CELLS = {
    ("Big", "2021-01"): 800,
    ("Big", "2021-02"): 400,
    ("Small", "2021-01"): 3,
    ("Tiny", "2021-02"): 1,
    ("", "2021-01"): 50,
    ("Big", None): 20,
}


def cell_counts(articles: pd.DataFrame) -> dict:
    keys = zip(
        [t[0] if len(t) else "" for t in articles["topics"]],
        articles["published_at"].dt.strftime("%Y-%m").where(articles["published_at"].notna()),
        strict=True,
    )
    return pd.Series([(t, m if isinstance(m, str) else None) for t, m in keys]).value_counts()


def test_the_sample_has_n_articles_and_keeps_every_cell_in_proportion():
    articles = corpus_articles(CELLS)
    sample = sample_articles(articles, n=127)
    assert len(sample) == 127
    assert sample["article_id"].is_unique
    assert set(sample.columns) == set(articles.columns)
    counts = cell_counts(sample)
    assert set(counts.index) == set(CELLS)
    # one article of each cell first, then about 127/1274 of each
    assert counts[("Big", "2021-01")] == pytest.approx(800 * 127 / 1274, abs=2)
    assert counts[("Big", "2021-02")] == pytest.approx(400 * 127 / 1274, abs=2)
    assert counts[("", "2021-01")] == pytest.approx(50 * 127 / 1274, abs=2)
    assert counts[("Tiny", "2021-02")] == 1


def test_an_article_counts_in_each_of_its_topics():
    rows = [{"topics": ["Big"], "published_at": "2021-01-05"} for _ in range(100)]
    rows.append({"topics": ["big", "Rare"], "published_at": "2021-01-06", "article_id": "rare"})
    sample = sample_articles(articles_of(*rows), n=2)
    assert "rare" in set(sample["article_id"])


TOPIC_LISTS = [
    None, [], ["A"], ["a"], ["A", "A"], ["(no topic)"], ["(No Topic)", "B"], ["ß", "SS", "ss"],
    ["", " "], ["Ǆ", "ǆ"],
]  # fmt: skip
ODD_TOPICS = [("A", "b"), "AB", [1, "1"], [None, "None"], np.array(["A", "a"])]


@pytest.mark.parametrize("odd", [None, *ODD_TOPICS], ids=repr)
def test_topic_cells_through_arrow_are_the_cells_article_by_article(odd):
    """The sample's cells: lists of text go through Arrow at once; the cells are those taken
    article by article (same rows, same topics apart); with one odd value (a tuple, a
    string, numbers, a missing item, an array), the whole column goes article by article."""
    rng = random.Random(5)
    for _ in range(300):
        values = [rng.choice(TOPIC_LISTS) for _ in range(rng.randint(0, 12))]
        if odd is not None:
            values.insert(rng.randint(0, len(values)), odd)
        topics = pd.Series(values, dtype=object)
        rows, cells = _topic_cells(topics)
        plain_rows, plain_cells = _topic_cells_one_by_one(topics)
        assert rows.tolist() == plain_rows.tolist()
        pairs = set(zip(cells.tolist(), plain_cells.tolist(), strict=True))
        assert len(pairs) == len({c for c, _ in pairs}) == len({c for _, c in pairs})


def test_with_more_cells_than_n_the_sample_takes_one_article_of_n_cells():
    articles = corpus_articles({(f"T{i}", "2021-01"): 2 for i in range(10)})
    sample = sample_articles(articles, n=4)
    assert len(sample) == 4
    assert len({t[0] for t in sample["topics"]}) == 4


def test_the_sample_is_the_same_whatever_the_row_order():
    articles = corpus_articles(CELLS)
    sample = sample_articles(articles, n=100)
    shuffled = articles.sample(frac=1, random_state=7).reset_index(drop=True)
    again = sample_articles(shuffled, n=100)
    assert sorted(again["article_id"]) == sorted(sample["article_id"])
    pd.testing.assert_frame_equal(sample_articles(articles, n=100), sample)
    # the rows kept, in their order
    assert sample.index.is_monotonic_increasing


def test_articles_whose_hashes_are_equal_are_drawn_in_order_of_their_ids(monkeypatch):
    # three cells of one article each: each is the first of its cell, so only the hash and
    # then the id can order them
    rows = [{"article_id": i, "topics": [i.upper()], "published_at": "2021-01-05"} for i in "cab"]
    equal = lambda values, **_: pd.Series(np.zeros(len(values), dtype="uint64"))  # noqa: E731
    monkeypatch.setattr(pd.util, "hash_pandas_object", equal)
    assert set(sample_articles(articles_of(*rows), n=2)["article_id"]) == {"a", "b"}


def test_another_seed_draws_another_sample():
    articles = corpus_articles(CELLS)
    first = set(sample_articles(articles, n=100, seed=0)["article_id"])
    other = set(sample_articles(articles, n=100, seed=1)["article_id"])
    assert first != other
    assert len(other) == 100


def test_no_sample_up_to_n():
    articles = corpus_articles({("A", "2021-01"): 5})
    pd.testing.assert_frame_equal(sample_articles(articles, n=5), articles)
    assert sample_articles(articles, n=5) is not articles
    assert len(sample_articles(articles.iloc[:0], n=0)) == 0
    assert len(sample_articles(articles, n=0)) == 0


@pytest.mark.parametrize(
    ("options", "error"),
    [({"n": -1}, ValueError), ({"n": 2.5}, TypeError), ({"seed": "x"}, TypeError)],
)
def test_bad_sample_arguments(options, error):
    with pytest.raises(error):
        sample_articles(corpus_articles({("A", "2021-01"): 5}).iloc[:0], **options)


def test_the_sample_is_described():
    assert describe_sample(10, 10) == ""
    text = describe_sample(5_000, 100_000, corpus_path="/data/my corpus")
    assert text.startswith("5,000 of 100,000 articles are listed: a sample stratified by topic")
    assert "newskit export '/data/my corpus' --format csv --out articles.csv" in text
    assert "newskit export CORPUS --format csv" in describe_sample(1, 2)


def filters_of(link: str) -> dict[str, str]:
    """The filters a link into the browser sets, as the page reads its fragment."""
    page, _, fragment = link.partition("#filter:")
    assert page == PAGE
    pairs = [part.split("=", 1) for part in fragment.split("&")]
    return {unquote(column): unquote(value) for column, value in pairs}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"provider": "microsoft.com"}, {"provider": "=microsoft.com"}),
        ({"topics": "R&D = 100% #1"}, {"topics": "=R&D = 100% #1"}),
        ({"title": "a..b"}, {"title": "=a..b"}),
        ({"title": ">=x"}, {"title": "=>=x"}),
        ({"provider": "Über Nachrichten/?"}, {"provider": "=Über Nachrichten/?"}),
        ({"story": "2021-05-11-story.md"}, {"story": "=2021-05-11-story.md"}),
        ({"quality": 37}, {"quality": "37..37"}),
        ({"heat": 1234.5}, {"heat": "1234.5..1234.5"}),
        ({"quality": (10, None), "heat": (None, 50)}, {"quality": "10..", "heat": "..50"}),
        ({"published": "2021-03"}, {"published": "2021-03..2021-03"}),
        ({"published": pd.Timestamp("2021-03-04")}, {"published": "2021-03-04..2021-03-04"}),
        (
            {"published": pd.Period("2021-03", "M")},
            {"published": "2021-03-01..2021-03-31"},
        ),
        (
            {"published": pd.Period("2021-03-03", "W")},
            {"published": "2021-03-01..2021-03-07"},
        ),
        (
            {"published": (pd.Timestamp("2021-03-04 12:30", tz="Europe/Paris"), "2021-04")},
            {"published": "2021-03-04T11:30:00+00:00..2021-04"},
        ),
        (
            {"provider": "a.example", "topics": "AI", "published": "2021"},
            {"provider": "=a.example", "topics": "=AI", "published": "2021..2021"},
        ),
    ],
)
def test_a_link_into_the_browser_round_trips(filters, expected):
    link = article_link(**filters)
    assert filters_of(link) == expected
    fragment = link.partition("#")[2]
    # one '=' and no '&', '#', space or '%' left unencoded inside a value
    for part in fragment.removeprefix("filter:").split("&"):
        assert part.count("=") == 1 and not set(part) & set(" #\"'<>")


def test_a_link_without_filters_is_the_page():
    assert article_link() == PAGE == "06-articles.html"


def test_a_link_names_only_columns_of_the_browser():
    with pytest.raises(ValueError, match="column must be one of 'title', "):
        article_link(provider_domain="a.example")
    with pytest.raises(TypeError, match="quality filters by"):
        article_link(quality=[1, 2])
    with pytest.raises(ValueError, match="a pair"):
        article_link(quality=(1, 2, 3))
    with pytest.raises(TypeError, match="provider filters by a string or a"):
        article_link(provider=None)
    with pytest.raises(TypeError, match="provider filters by a string"):
        article_link(provider=3)


def test_the_real_corpus_lists_every_article(real_corpus):
    corpus = newskit.load_corpus(real_corpus)
    listed = build_article_list(sample_articles(corpus.articles), stories=corpus.stories)
    assert len(listed) == len(corpus.articles) == 192
    assert sorted(listed["title"]) == sorted(corpus.articles["title"])
    assert "story" in listed
    assert (
        listed["story"].notna().sum() == corpus.stories.query("n_articles > 1")["n_articles"].sum()
    )
    assert sum(href is not None for href in title_hrefs(listed)) == 192


def test_a_corpus_beyond_the_bound_lists_a_stated_sample_in_its_report(tmp_path):
    import shutil
    import sys

    from newskit.report import NOTEBOOKS, render_reports

    sys.path.insert(0, str(Path(__file__).parent / "bench"))
    from generate import generate

    corpus = tmp_path / "corpus"
    generate(corpus, MAX_ARTICLES + 300)
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(NOTEBOOKS / "06-articles.ipynb", notebooks)
    out = tmp_path / "out"
    render_reports(corpus, out, notebooks_dir=notebooks)
    page = (out / PAGE).read_text(encoding="utf-8")
    n_articles = len(newskit.load_corpus(corpus))
    assert page.count("<tr>") == MAX_ARTICLES + 1  # the header, then the sample
    assert describe_sample(MAX_ARTICLES, n_articles, corpus_path=str(corpus)) in unescape(page)
    assert (out / PAGE).stat().st_size < 5 * 1024 * 1024
