"""What a record's fields become: text as its reader sees it, known and unknown keys kept."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from conftest import record

from newskit import count_title_words, load_corpus, render_table
from newskit.parse import parse_record
from newskit.records import build_record

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
