"""What a record's fields become: text as its reader sees it, known and unknown keys kept."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import SEED_TEXT, record

from newskit import count_title_words, load_corpus, render_table
from newskit.parse import parse_record
from newskit.records import build_record

#: The loader's suite: every test runs on each install of conftest.ROADS.
pytestmark = pytest.mark.usefixtures("speed_ups")

ENTITIES = {
    "title": '"What&#8217;s new &amp; next in Power&nbsp;Apps &#038; &lt;script&gt;"',
    "excerpt": '"Fish &amp; chips &quot;today&quot;"',
    "originalUrl": '"https://example.com/?a=1&amp;b=2"',
    "featuredContent": '"<p>Fish &amp; chips</p>"',
    "provider": '{name: "Ben &amp; Jerry&#039;s", domain: example.com}',
    "topics": "[Power Apps]",
    "related": '[{title: "R&amp;D", excerpt: "1 &lt; 2", provider: {name: "A&amp;B"}}]',
}


def test_entities_are_decoded_in_text_a_reader_sees(make_corpus):
    corpus = load_corpus(make_corpus({"a.md": record(**ENTITIES)}), cache=False)
    row = corpus.articles.iloc[0]
    assert row["title"] == "What’s new & next in Power\xa0Apps & <script>"
    assert row["excerpt"] == 'Fish & chips "today"'
    assert row["provider_name"] == "Ben & Jerry's"
    story = corpus.related.iloc[0]
    assert (story["title"], story["excerpt"], story["provider_name"]) == ("R&D", "1 < 2", "A&B")
    # URLs and featuredContent (HTML) stay as written
    assert row["original_url"] == "https://example.com/?a=1&amp;b=2"
    assert row["featured_content"] == "<p>Fish &amp; chips</p>"
    assert corpus.n_warnings == 0


def test_the_raw_text_is_the_files(make_corpus):
    """The documented rule: the raw value is read back from the file at ``path``."""
    corpus = load_corpus(make_corpus({"a.md": record(**ENTITIES)}), cache=False)
    meta, _ = parse_record(Path(corpus.articles["path"][0]).read_bytes())
    assert meta["title"] == "What&#8217;s new &amp; next in Power&nbsp;Apps &#038; &lt;script&gt;"


def test_a_decoded_title_shows_as_text_not_markup(make_corpus):
    corpus = load_corpus(make_corpus({"a.md": record(**ENTITIES)}), cache=False)
    shown = render_table(corpus.articles[["title"]])
    assert "&lt;script&gt;" in shown.html and "<script>" not in shown.html
    assert "<script>" in shown.text


def test_title_words_count_the_decoded_words(make_corpus):
    files = {f"{n}.md": record(title='"Jack&#8217;s garden"', topics="[T]") for n in range(3)}
    articles = load_corpus(make_corpus(files), cache=False).articles
    words = count_title_words(articles, drop_topic_words=False)
    assert set(words["word"]) == {"jack's", "garden"}


def test_build_record_decodes_as_the_load_does():
    meta = {"title": "A &amp; B", "provider": {"name": "C &#38; D"}}
    article = build_record(meta, "", article_id="a", path="a").article
    assert (article["title"], article["provider_name"]) == ("A & B", "C & D")


KNOWN = record(
    title='"Known"',
    publishedDateTime="2021-03-01T10:00:00Z",
    updatedDateTime="2021-03-02T12:30:00+02:00",
    locale="en-us",
    categories="[News, ' News ', Tech]",
    tags="[a, b, a]",
    secured='"nqgV;wg7T=="',
    provider="{name: P, domain: p.com, images: [{url: 'https://p/logo.png', width: 50}]}",
)


def test_known_optional_fields_get_typed_columns(make_corpus):
    files = {"a.md": KNOWN, "b.md": record(title='"Bare"', secured="false")}
    articles = load_corpus(make_corpus(files), cache=False).articles
    known, bare = articles.iloc[0], articles.iloc[1]
    assert known["updated_at"] == pd.Timestamp("2021-03-02T10:30:00Z")
    assert str(articles["updated_at"].dtype) == "datetime64[ns, UTC]"
    assert known["locale"] == "en-us"
    assert known["categories"] == ["News", "Tech"] and known["tags"] == ["a", "b"]
    assert known["is_secured"] == True  # noqa: E712 and known["n_provider_images"] == 1
    assert pd.isna(bare["updated_at"]) and pd.isna(bare["locale"])
    assert bare["categories"] == [] and bare["tags"] == []
    assert bare["is_secured"] == False  # noqa: E712 and bare["n_provider_images"] == 0


def test_known_optional_fields_warn_as_their_kind_does(make_corpus):
    text = record(title='"W"', updatedDateTime="2020-01-01T00:00:00", tags="a, b", secured="[x]")
    corpus = load_corpus(make_corpus({"w.md": text}), cache=False)
    warned = dict(zip(corpus.problems["field"], corpus.problems["message"], strict=True))
    assert "no time zone" in warned["updatedDateTime"]
    assert "split at commas" in warned["tags"]
    assert "left empty" in warned["secured"]
    row = corpus.articles.iloc[0]
    assert row["tags"] == ["a", "b"] and pd.isna(row["is_secured"])


def test_the_real_corpus_is_secured_and_has_provider_logos(real_corpus):
    articles = load_corpus(real_corpus, cache=False).articles
    assert articles["is_secured"].all()
    # 164 of its 192 files list provider images (grep -l "^  images:")
    assert (articles["n_provider_images"] >= 1).sum() == 164


UNKNOWN = {
    "a.md": record(
        title='"A"',
        locale_name='"English"',
        wordCount="812",
        score="0.5",
        pinned="true",
        updated="2021-03-02",
        seenAt="2021-03-02T10:30:00Z",
        path='"/2021/03/a"',
        content="[x, 2, {k: v}]",
        meta="{lang: en, 3: three, when: 2020-01-01}",
        empty="",
        mixed="12",
        provider="{name: P, domain: p.com, publishers: [Ann, Bob]}",
    ),
    "b.md": record(title='"B"', mixed='"twelve"', wordCount="90", empty="null"),
    "c.md": record(title='"C"', mixed="[1, 2]"),
    "d.md": record(title='"D"'),
}


def test_unknown_keys_are_kept_in_extra_as_json(make_corpus):
    corpus = load_corpus(make_corpus(UNKNOWN), cache=False)
    extra = corpus.articles.set_index("article_id")["extra"]
    a = json.loads(extra["a.md"])
    assert list(a) == sorted(a)
    assert a == {
        "content": ["x", 2, {"k": "v"}],
        "empty": None,
        "locale_name": "English",
        "meta": {"3": "three", "lang": "en", "when": "2020-01-01"},
        "mixed": 12,
        "path": "/2021/03/a",
        "pinned": True,
        "provider.publishers": ["Ann", "Bob"],
        "score": 0.5,
        "seenAt": "2021-03-02T10:30:00+00:00",
        "updated": "2021-03-02",
        "wordCount": 812,
    }
    assert json.loads(extra["b.md"]) == {"empty": None, "mixed": "twelve", "wordCount": 90}
    assert pd.isna(extra["d.md"])


def test_fields_list_every_key_with_its_count_and_kinds(make_corpus):
    corpus = load_corpus(make_corpus(UNKNOWN), cache=False)
    fields = corpus.fields.set_index("key")
    assert fields.loc["title", ["column", "stored", "n_articles", "share", "kinds"]].tolist() == [
        "title",
        "typed",
        4,
        1.0,
        "text",
    ]
    assert fields.loc["provider.publishers", "stored"] == "extra"
    assert fields.loc["wordCount", ["n_articles", "kinds"]].tolist() == [2, "integer"]
    assert fields.loc["mixed", ["n_articles", "kinds"]].tolist() == [3, "text, integer, list"]
    assert fields.loc["empty", "kinds"] == "null"
    assert fields.loc["seenAt", "kinds"] == "datetime"
    assert fields.loc["meta", "kinds"] == "mapping"
    assert fields.loc["pinned", "kinds"] == "boolean" and fields.loc["score", "kinds"] == "number"
    assert "updatedDateTime" not in fields.index  # no article has one
    # every key of every file is listed
    keys = set()
    for text in UNKNOWN.values():
        meta, _ = parse_record(text.encode())
        keys |= {key for key in meta if key != "provider"}
        keys |= {f"provider.{key}" for key in meta.get("provider", {})}
    assert keys == set(fields.index)
    warned = corpus.problems[corpus.problems["field"] == "mixed"]
    assert warned["message"].tolist() == [
        f"values of several kinds: text in {corpus.articles['path'][1]}, integer in "
        f"{corpus.articles['path'][0]}, list in {corpus.articles['path'][2]}; kept in extra"
    ]
    assert corpus.n_warnings == 1


def test_a_value_too_large_for_extra_is_null_with_a_warning(make_corpus):
    # 10 levels of aliases: 10**10 items described in a few hundred bytes
    lines = ["---", 'title: "Bomb"', "l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, 10)]
    corpus = load_corpus(make_corpus({"bomb.md": "\n".join([*lines, "---", ""])}), cache=False)
    extra = json.loads(corpus.articles["extra"][0])
    # l0 to l3 hold 12,344 items in all; l4 alone would hold 111,111
    assert extra["l0"] == ["x"] * 10 and len(extra["l3"]) == 10
    assert [extra[f"l{n}"] for n in range(4, 10)] == [None] * 6
    assert corpus.problems["field"].tolist() == [f"l{n}" for n in range(4, 10)]
    assert corpus.problems["message"].str.endswith("kept as null in extra").all()


TABLES = ("articles", "topics", "images", "related", "problems", "providers", "fields")


def test_unknown_keys_load_the_same_on_every_road(make_corpus, monkeypatch):
    import newskit.parse

    files = {f"{n:03d}.md": UNKNOWN["abcd"[n % 4] + ".md"] for n in range(40)}
    files["seed.txt"] = SEED_TEXT
    root = make_corpus(files)
    roads = {
        "cold": load_corpus(root),
        "warm": load_corpus(root),
        "pool": load_corpus(root, cache=False, workers=2),
    }
    monkeypatch.setattr(newskit.parse, "yaml_rs", None)
    monkeypatch.setattr(newskit.parse, "_plainyaml", None)
    roads["pyyaml"] = load_corpus(root, cache=False)
    first = roads.pop("cold")
    assert first.articles["extra"].notna().sum() == 30
    for road, corpus in roads.items():
        for name in TABLES:
            pd.testing.assert_frame_equal(
                getattr(corpus, name), getattr(first, name), obj=f"{road}: {name}"
            )


def test_a_selection_lists_the_fields_of_its_articles(make_corpus):
    corpus = load_corpus(make_corpus(UNKNOWN), cache=False)
    picked = corpus.select(provider="p.com")  # a.md only
    fields = picked.fields.set_index("key")
    assert fields.loc["mixed", ["n_articles", "share", "kinds"]].tolist() == [1, 1.0, "integer"]
    assert corpus.fields.set_index("key").loc["mixed", "n_articles"] == 3


def test_a_selection_of_a_load_with_fewer_columns_lists_the_fields_it_holds(make_corpus):
    from newskit.dataset import REPORT_COLUMNS

    root = make_corpus(UNKNOWN)
    full = load_corpus(root, cache=False).select(provider="p.com").fields
    narrow = load_corpus(root, cache=False, columns=REPORT_COLUMNS).select(provider="p.com")
    left_out = {"excerpt", "featuredContent", "body"}
    expected = full[~full["key"].isin(left_out)].reset_index(drop=True)
    assert not set(narrow.fields["key"]) & left_out
    pd.testing.assert_frame_equal(narrow.fields, expected)


def test_a_record_is_an_article_by_its_title_or_an_address():
    import datetime as dt

    from newskit.records import is_article

    class Text(str):
        pass

    articles = [
        {"title": "Power Apps"},
        {"title": 1984},
        {"title": 2.5},
        {"title": True},
        {"title": dt.date(2021, 5, 1)},
        {"title": Text("a title of a subclass of str")},
        {"title": "  ", "originalUrl": "https://example.com/a"},
        {"title": None, "webUrl": "https://example.com/b"},
        {"title": ["a", "list"], "webUrl": " https://example.com/c "},
    ]
    others = [
        {},
        {"title": ""},
        {"title": " \t\n"},
        {"title": None, "originalUrl": "  ", "webUrl": ""},
        {"title": ["a", "list"]},
        {"title": {"a": "mapping"}, "originalUrl": 5},
        {"excerpt": "no title, no address"},
    ]
    assert [is_article(meta) for meta in articles] == [True] * len(articles)
    assert [is_article(meta) for meta in others] == [False] * len(others)
