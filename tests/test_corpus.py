"""corpus: every file under the root is an article or an error row; fields are typed and checked."""

from __future__ import annotations

import hashlib
import os
import random
import tracemalloc
from collections import Counter
from pathlib import Path

import frontmatter
import pandas as pd
import pyarrow as pa
import pytest
from conftest import BAD_FILES, GOOD, SEED_TEXT, SEEDS, record, require_shared, use_scan

import newskit
from newskit import Corpus, CorpusError, load_corpus
from newskit.schema import (
    ARTICLE_COLUMNS,
    IMAGE_COLUMNS,
    PROBLEM_COLUMNS,
    PROVIDER_COLUMNS,
    RELATED_COLUMNS,
    TOPIC_COLUMNS,
)

#: The loader's suite: every test runs on each install of conftest.ROADS.
pytestmark = pytest.mark.usefixtures("speed_ups")


def problems_of(corpus, name: str) -> pd.DataFrame:
    problems = corpus.problems
    return problems[problems["path"].str.endswith(name)]


def only_problem(corpus, name: str) -> pd.Series:
    rows = problems_of(corpus, name)
    assert len(rows) == 1, rows.to_dict("records")
    return rows.iloc[0]


def assert_accounted_for(corpus, root: Path) -> None:
    """Every record file under root is an article or has an error row, never both."""
    files = {
        str(path)
        for path in root.rglob("*")
        if path.suffix in (".md", ".txt")
        and (path.is_file() or path.is_symlink())
        and not any(part.startswith(".") for part in path.relative_to(root).parts)
    }
    loaded = set(corpus.articles["path"])
    errors = set(corpus.problems.loc[corpus.problems["severity"] == "error", "path"])
    assert loaded | errors == files
    assert not loaded & errors


# --- the seed and the table shapes -------------------------------------------------------------


def test_seed_corpus_values():
    corpus = load_corpus(SEEDS)
    assert len(corpus) == 1
    row = corpus.articles.iloc[0]
    assert row["article_id"] == "000_cebf85bee666f480.txt"
    assert row["title"].startswith("China\u2019s first facial-recognition lawsuit")
    assert row["published_at"] == pd.Timestamp("2021-04-12T13:30:00Z")
    assert row["type"] == "article"
    assert (row["quality"], row["heat"]) == (46, 46)
    assert not row["is_published"]
    assert (row["provider_name"], row["provider_domain"]) == (
        "South China Morning Post",
        "scmp.com",
    )
    assert row["topics"] == ["Computer Vision", "AI"]
    assert (row["n_images"], row["n_related"]) == (1, 2)
    assert row["amp_url"].startswith("https://amp.scmp.com/")
    assert not row["has_featured_content"]
    assert list(corpus.topics["topic"]) == ["Computer Vision", "AI"]
    assert corpus.images.iloc[0][["width", "height"]].tolist() == [1200, 630]
    assert list(corpus.related["provider_domain"]) == ["cgtn.com", "thestar.com.my"]
    assert list(corpus.related["quality"]) == [39, 0]
    assert corpus.related["published_at"].iloc[0] == pd.Timestamp("2021-04-10T09:34:00Z")
    assert corpus.problems.empty


@pytest.mark.parametrize(
    ("table", "columns"),
    [
        ("articles", ARTICLE_COLUMNS),
        ("topics", TOPIC_COLUMNS),
        ("images", IMAGE_COLUMNS),
        ("related", RELATED_COLUMNS),
        ("providers", PROVIDER_COLUMNS),
        ("problems", PROBLEM_COLUMNS),
    ],
)
@pytest.mark.parametrize("source", ["seed", "empty"])
def test_tables_have_documented_columns_and_dtypes(table, columns, source, tmp_path):
    root = SEEDS if source == "seed" else tmp_path
    frame = getattr(load_corpus(root), table)
    assert list(frame.columns) == list(columns)
    for name, dtype in columns.items():
        if dtype == "category":
            assert isinstance(frame[name].dtype, pd.CategoricalDtype), name
            assert frame[name].cat.categories.dtype == "string", name
        else:
            assert frame[name].dtype == pd.api.types.pandas_dtype(dtype), name


def test_published_at_is_utc_and_scores_nullable():
    dtypes = load_corpus(SEEDS).articles.dtypes
    assert str(dtypes["published_at"]) == "datetime64[ns, UTC]"
    assert str(dtypes["quality"]) == "Int64"
    assert str(dtypes["is_published"]) == "boolean"


def test_single_file_path(make_corpus):
    root = make_corpus({"a.md": GOOD, "b.md": GOOD.replace("/a", "/b")})
    corpus = load_corpus(root / "b.md")
    assert list(corpus.articles["article_id"]) == ["b.md"]


def test_missing_path_raises_corpus_error(tmp_path):
    with pytest.raises(CorpusError, match=r"^.*nope: no such file or folder$"):
        load_corpus(tmp_path / "nope")


def test_empty_folder_gives_empty_tables(tmp_path):
    corpus = load_corpus(tmp_path)
    assert len(corpus) == 0
    assert corpus.summary()["n_articles"] == 0
    assert corpus.providers.empty


def test_recursive_discovery_skips_hidden_and_other_files(make_corpus):
    root = make_corpus(
        {
            "2021/01/a.md": GOOD,
            "2021/02/b.TXT": GOOD.replace("/a", "/b"),
            "c.markdown": GOOD.replace("/a", "/c"),
            "notes.json": "{}",
            ".ipynb_checkpoints/a-checkpoint.md": GOOD,
            ".hidden.md": GOOD,
        }
    )
    corpus = load_corpus(root)
    assert list(corpus.articles["article_id"]) == ["2021/01/a.md", "2021/02/b.TXT"]
    assert corpus.problems.empty


def test_article_id_is_stable_across_loads_and_roots(make_corpus, tmp_path):
    root = make_corpus({"x/a.md": GOOD})
    first = load_corpus(root).articles["article_id"].tolist()
    moved = tmp_path / "elsewhere"
    root.rename(moved)
    assert load_corpus(moved).articles["article_id"].tolist() == first == ["x/a.md"]


# --- bad files: each is an error row naming the file, and the load goes on -----------------


@pytest.fixture
def bad_corpus(make_corpus):
    files = {name: content for name, (content, _) in BAD_FILES.items()}
    return make_corpus({"good.md": GOOD, **files})


def test_bad_files_are_reported_and_nothing_is_lost(bad_corpus):
    corpus = load_corpus(bad_corpus)
    assert list(corpus.articles["article_id"]) == ["good.md"]
    assert_accounted_for(corpus, bad_corpus)
    for name, (_, reason) in BAD_FILES.items():
        problem = only_problem(corpus, name)
        assert problem["severity"] == "error"
        assert problem["path"] == str(bad_corpus / name)
        assert reason in problem["message"], (name, problem["message"])


def test_strict_raises_naming_the_first_bad_file(bad_corpus):
    with pytest.raises(CorpusError) as caught:
        load_corpus(bad_corpus, strict=True)
    message = str(caught.value)
    assert message.startswith(str(bad_corpus / "README.md") + ": no front matter")
    assert f"(and {len(BAD_FILES) - 1} more errors)" in message
    assert isinstance(caught.value, newskit.NewskitError)


def test_strict_loads_a_clean_corpus():
    assert len(load_corpus(SEEDS, strict=True)) == 1


def test_bom_with_crlf_loads(make_corpus):
    text = "\ufeff" + SEED_TEXT.replace("\n", "\r\n")
    root = make_corpus({"bom.txt": text.encode("utf-8")})
    corpus = load_corpus(root)
    assert corpus.problems.empty
    seed = load_corpus(SEEDS).articles.drop(columns=["article_id", "path", "story_id"])
    bom = corpus.articles.drop(columns=["article_id", "path", "story_id"])
    pd.testing.assert_frame_equal(bom, seed)


def test_python_tag_runs_nothing(make_corpus, tmp_path):
    marker = tmp_path / "executed"
    root = make_corpus(
        {
            "evil.md": "---\ntitle: x\n"
            f'x: !!python/object/apply:os.system ["touch {marker}"]\n---\n',
            "evil2.md": "---\ntitle: !!python/object/new:subprocess.Popen [[touch, "
            f"{marker}]]\n---\n",
        }
    )
    corpus = load_corpus(root)
    assert not marker.exists()
    assert len(corpus) == 0
    assert (corpus.problems["severity"] == "error").sum() == 2


def test_exponential_aliases_keep_memory_bounded(make_corpus):
    lines = ["---", "title: Laughs", 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 12):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    lines += [
        "topics: *l11",
        "images: *l11",
        "related: *l11",
        "excerpt: *l11",
        "provider: *l11",
        "quality: *l11",
        "---",
    ]
    root = make_corpus({"bomb.md": "\n".join(lines) + "\n"})
    tracemalloc.start()
    try:
        corpus = load_corpus(root)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20
    assert len(corpus) == 1
    assert corpus.articles.iloc[0]["topics"] == []
    assert pd.isna(corpus.articles.iloc[0]["excerpt"])
    warned = set(problems_of(corpus, "bomb.md")["field"])
    assert {"topics", "excerpt", "provider", "quality"} <= warned
    assert all(len(m) < 300 for m in corpus.problems["message"])


def test_nesting_within_the_parser_limit_is_a_field_warning(make_corpus):
    root = make_corpus(
        {"nested.md": GOOD.replace("---\n", "---\ntopics: " + "[" * 500 + "]" * 500 + "\n", 1)}
    )
    corpus = load_corpus(root)
    assert corpus.articles.iloc[0]["topics"] == []
    assert only_problem(corpus, "nested.md")["field"] == "topics"


def test_very_large_field_loads_intact(make_corpus):
    excerpt = "word " * 1_000_000
    root = make_corpus({"big.md": GOOD.replace("---\n", f'---\nexcerpt: "{excerpt}"\n', 1)})
    corpus = load_corpus(root)
    assert corpus.articles.iloc[0]["excerpt"] == excerpt
    assert corpus.problems.empty


def test_file_over_the_size_limit_is_an_error(make_corpus, monkeypatch):
    monkeypatch.setattr("newskit.files.MAX_FILE_BYTES", 1000)
    root = make_corpus(
        {
            "huge.md": GOOD.replace("---\n", f'---\nexcerpt: "{"x" * 2000}"\n', 1),
            "small.md": GOOD.replace("/a", "/s"),
        }
    )
    corpus = load_corpus(root)
    assert list(corpus.articles["article_id"]) == ["small.md"]
    assert "limit" in only_problem(corpus, "huge.md")["message"]


def test_dangling_symlink_is_reported(make_corpus):
    root = make_corpus({"good.md": GOOD})
    (root / "gone.md").symlink_to(root / "missing-target.md")
    corpus = load_corpus(root)
    problem = only_problem(corpus, "gone.md")
    assert problem["severity"] == "error"
    assert problem["message"].startswith("cannot read file: ")
    assert_accounted_for(corpus, root)


def test_fifo_is_reported_without_blocking(make_corpus):
    root = make_corpus({"good.md": GOOD})
    os.mkfifo(root / "pipe.md")
    corpus = load_corpus(root)
    assert only_problem(corpus, "pipe.md")["message"] == "not a regular file"
    assert len(corpus) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_reported(make_corpus):
    root = make_corpus({"good.md": GOOD, "locked.md": GOOD.replace("/a", "/l")})
    (root / "locked.md").chmod(0)
    try:
        corpus = load_corpus(root)
    finally:
        (root / "locked.md").chmod(0o644)
    assert "Permission denied" in only_problem(corpus, "locked.md")["message"]


# --- field-level trouble: the article stays, the field is missing or coerced, a warning says so -


@pytest.mark.parametrize(
    ("fields", "column", "expected", "warned_field"),
    [
        ({"quality": '"high"'}, "quality", pd.NA, "quality"),
        ({"quality": '"46"'}, "quality", 46, "quality"),
        ({"quality": "-5"}, "quality", pd.NA, "quality"),
        ({"heat": "4.0"}, "heat", 4, None),
        ({"heat": "true"}, "heat", pd.NA, "heat"),
        ({"published": '"yes"'}, "is_published", True, "published"),
        ({"published": "maybe"}, "is_published", pd.NA, "published"),
        ({"title": "[a, b]"}, "title", pd.NA, "title"),
        ({"title": "1984"}, "title", "1984", "title"),
        ({"topics": '"AI, Robotics"'}, "topics", ["AI", "Robotics"], "topics"),
        ({"topics": "[AI, 7, {x: 1}, AI, ' ']"}, "topics", ["AI", "7"], "topics"),
        ({"topics": "{a: 1}"}, "topics", [], "topics"),
        ({"provider": '"Some Paper"'}, "provider_name", "Some Paper", "provider"),
        (
            {"provider": "{name: X, domain: ' Example.COM '}"},
            "provider_domain",
            "example.com",
            None,
        ),
        ({"publishedDateTime": "not a date"}, "published_at", pd.NaT, "publishedDateTime"),
        ({"publishedDateTime": '"2021-13-45"'}, "published_at", pd.NaT, "publishedDateTime"),
        ({"publishedDateTime": "now"}, "published_at", pd.NaT, "publishedDateTime"),
        ({"publishedDateTime": '"2021"'}, "published_at", pd.NaT, "publishedDateTime"),
        (
            {"publishedDateTime": '"2021-04-12"'},
            "published_at",
            pd.Timestamp("2021-04-12", tz="UTC"),
            "publishedDateTime",
        ),
        ({"publishedDateTime": "[2021]"}, "published_at", pd.NaT, "publishedDateTime"),
        (
            {"publishedDateTime": "9999-01-01T00:00:00Z"},
            "published_at",
            pd.NaT,
            "publishedDateTime",
        ),
        (
            {"publishedDateTime": "2021-04-12T15:30:00+02:00"},
            "published_at",
            pd.Timestamp("2021-04-12T13:30:00Z"),
            None,
        ),
        (
            {"publishedDateTime": '"2021-04-12T08:30:00-05:00"'},
            "published_at",
            pd.Timestamp("2021-04-12T13:30:00Z"),
            None,
        ),
        (
            {"publishedDateTime": "2021-04-12 13:30:00"},
            "published_at",
            pd.Timestamp("2021-04-12T13:30:00Z"),
            "publishedDateTime",
        ),
        ({"images": '"https://example.com/i.jpg"'}, "n_images", 0, "images"),
        ({"images": "[{url: u, width: -1, height: x}]"}, "n_images", 1, "images.width"),
        ({"related": "[1, {title: t}]"}, "n_related", 1, "related"),
        ({"featuredContent": '"<iframe src=x></iframe>"'}, "has_featured_content", True, None),
    ],
)
def test_field_trouble_keeps_the_article(make_corpus, fields, column, expected, warned_field):
    root = make_corpus(
        {
            "a.md": record(title='"T"', originalUrl="https://e.com/a")
            if "title" not in fields
            else record(originalUrl="https://e.com/a")
        }
    )
    text = (root / "a.md").read_text()
    extra = "".join(f"{key}: {value}\n" for key, value in fields.items())
    (root / "a.md").write_text(text.replace("---\n", "---\n" + extra, 1))
    corpus = load_corpus(root)
    assert len(corpus) == 1
    value = corpus.articles.iloc[0][column]
    if expected is pd.NA or expected is pd.NaT:
        assert pd.isna(value)
    else:
        assert value == expected
    warnings = problems_of(corpus, "a.md")
    assert (warnings["severity"] == "warning").all()
    if warned_field is None:
        assert warnings.empty, warnings.to_dict("records")
    else:
        assert warned_field in set(warnings["field"]), warnings.to_dict("records")


def test_bad_image_fields_are_missing_in_the_images_table(make_corpus):
    root = make_corpus(
        {
            "a.md": GOOD.replace(
                "---\n", "---\nimages:\n  - {url: u, width: -1, height: x, isCached: 2}\n", 1
            )
        }
    )
    image = load_corpus(root).images.iloc[0]
    assert image["url"] == "u"
    assert pd.isna(image["width"]) and pd.isna(image["height"]) and pd.isna(image["is_cached"])


def test_unknown_fields_raise_no_problem(make_corpus):
    root = make_corpus({"a.md": GOOD.replace("---\n", "---\nlayout: post\nauthor: me\n", 1)})
    assert load_corpus(root).problems.empty


# --- duplicates ----------------------------------------------------------------------------------


def test_duplicates_are_kept_and_flagged(make_corpus):
    root = make_corpus(
        {
            "a.md": record(title="A", originalUrl="https://e.com/1", webUrl="https://w.com/1"),
            "b.md": record(title="B", originalUrl="https://e.com/1"),
            "c.md": record(title="C", originalUrl="https://e.com/3", webUrl="https://w.com/1"),
            "d.md": record(title="D", originalUrl="https://e.com/4"),
        }
    )
    corpus = load_corpus(root)
    assert len(corpus) == 4
    flagged = dict(zip(corpus.articles["article_id"], corpus.articles["is_duplicate"], strict=True))
    assert flagged == {"a.md": False, "b.md": True, "c.md": True, "d.md": False}
    assert only_problem(corpus, "b.md")["message"] == (
        f"duplicate of {root / 'a.md'} (same originalUrl)"
    )
    assert only_problem(corpus, "c.md")["field"] == "webUrl"
    assert corpus.summary()["n_duplicates"] == 2


# --- derived tables ------------------------------------------------------------------------------


def test_providers_table(make_corpus):
    root = make_corpus(
        {
            "a.md": record(
                title="A",
                quality=10,
                heat=20,
                publishedDateTime="2021-01-01T00:00:00Z",
                provider="{name: Paper, domain: paper.com}",
            ),
            "b.md": record(
                title="B",
                quality=30,
                publishedDateTime="2021-03-01T00:00:00Z",
                provider="{name: Paper, domain: paper.com}",
            ),
            "c.md": record(title="C", quality=5, provider="{name: Blog, domain: blog.org}"),
            "d.md": record(title="D"),
        }
    )
    providers = load_corpus(root).providers
    assert list(providers["provider_domain"]) == ["paper.com", "blog.org"]
    paper = providers.iloc[0]
    assert paper["n_articles"] == 2
    assert paper["mean_quality"] == 20.0
    assert paper["mean_heat"] == 20.0
    assert paper["first_published_at"] == pd.Timestamp("2021-01-01", tz="UTC")
    assert paper["last_published_at"] == pd.Timestamp("2021-03-01", tz="UTC")
    assert pd.isna(providers.iloc[1]["first_published_at"])


def test_provider_name_is_the_most_common_then_the_first_seen(make_corpus):
    names = {"a.md": "Blog", "b.md": "The Paper", "c.md": "Paper", "d.md": "Paper"}
    names |= {"e.md": "Old", "f.md": "New", "g.md": "New", "h.md": "Old"}
    files = {
        name: record(title="T", provider=f"{{name: {value}, domain: {domain}}}")
        for (name, value), domain in zip(
            names.items(), ["blog.org"] + ["paper.com"] * 3 + ["tie.net"] * 4, strict=True
        )
    }
    files["i.md"] = record(title="T", provider="{domain: noname.io}")
    providers = load_corpus(make_corpus(files)).providers.set_index("provider_domain")
    assert providers["provider_name"].drop("noname.io").to_dict() == {
        "tie.net": "Old",  # two each: the first in file order
        "paper.com": "Paper",
        "blog.org": "Blog",
    }
    assert pd.isna(providers.loc["noname.io", "provider_name"])


def test_select_restricts_every_table(make_corpus):
    root = make_corpus(
        {
            "a.md": record(
                title="A",
                topics="[AI, Robots]",
                publishedDateTime="2021-01-10T00:00:00Z",
                provider="{name: P, domain: p.com}",
                images="[{url: i}]",
            ),
            "b.md": record(
                title="B",
                topics="[AI]",
                publishedDateTime="2021-02-10T23:00:00Z",
                provider="{name: Q, domain: q.com}",
            ),
            "c.md": record(title="C", topics="[Robots]"),
        }
    )
    corpus = load_corpus(root)
    assert corpus.select(start="2021-02-01").articles["title"].tolist() == ["B"]
    assert corpus.select(end="2021-02-10").articles["title"].tolist() == ["A", "B"]
    assert corpus.select(topic="Robots").articles["title"].tolist() == ["A", "C"]
    assert corpus.select(provider=["Q"]).articles["title"].tolist() == ["B"]
    robots_p = corpus.select(topic="Robots", provider="p.com")
    assert len(robots_p) == 1 and len(robots_p.images) == 1
    assert set(robots_p.topics["topic"]) == {"AI", "Robots"}
    assert len(corpus.select(topic="nothing")) == 0
    with pytest.raises(ValueError, match="not a date"):
        corpus.select(start="someday")


def test_fingerprint_follows_content(make_corpus):
    root = make_corpus({"a.md": GOOD})
    before = load_corpus(root).fingerprint
    assert load_corpus(root).fingerprint == before
    (root / "a.md").write_text(GOOD.replace("good", "better"))
    assert load_corpus(root).fingerprint != before


def test_fingerprint_is_the_hash_of_every_path_and_digest_in_path_order(make_corpus):
    names = ["b/é.md", "a.md", "B.md", "b/e\u0301.md", "z\U0001f600.md", "c/d/e.txt"]
    root = make_corpus({name: GOOD.replace("good", name) for name in names})
    corpus = load_corpus(root)
    digests = corpus._digests
    assert sorted(digests) == sorted(names)
    expected = hashlib.sha256()
    for relpath in sorted(digests):  # the code points' order, the bytes' order in UTF-8
        expected.update(f"{relpath}\0{digests[relpath]}\n".encode())
    assert corpus.fingerprint == expected.hexdigest()[:16]
    assert corpus.select(start="1990-01-01").fingerprint == corpus.fingerprint
    # the files in any other order: the same fingerprint
    tables = [corpus.articles, corpus.topics, corpus.images, corpus.related, corpus.problems]
    shuffled = dict(reversed(digests.items()))
    assert Corpus(corpus.root, *tables, shuffled).fingerprint == corpus.fingerprint


def test_loading_never_mutates_the_corpus_folder(bad_corpus):
    before = sorted((p.name, p.stat().st_mtime_ns) for p in bad_corpus.rglob("*"))
    load_corpus(bad_corpus)
    assert sorted((p.name, p.stat().st_mtime_ns) for p in bad_corpus.rglob("*")) == before


# --- the real corpus, checked against an independent reading of its files ---------------------


@pytest.fixture(scope="module")
def real():
    root = require_shared()
    metas = {path.name: frontmatter.load(path).metadata for path in sorted(root.glob("*.md"))}
    return load_corpus(root), metas


def test_real_corpus_counts_match_an_independent_reading(real):
    corpus, metas = real
    assert len(corpus) == len(metas) == 192
    assert corpus.problems["severity"].eq("error").sum() == 0
    articles = corpus.articles
    assert articles["type"].value_counts().to_dict() == dict(
        Counter(m["type"] for m in metas.values())
    )
    assert articles["provider_domain"].value_counts().to_dict() == dict(
        Counter(m["provider"]["domain"] for m in metas.values())
    )
    assert corpus.topics["topic"].value_counts().to_dict() == dict(
        Counter(t for m in metas.values() for t in m["topics"])
    )
    dates = [pd.Timestamp(m["publishedDateTime"]) for m in metas.values()]
    assert articles["published_at"].min() == min(dates)
    assert articles["published_at"].max() == max(dates)
    assert articles["n_images"].sum() == sum(len(m.get("images", [])) for m in metas.values())
    assert articles["has_featured_content"].sum() == sum(
        "featuredContent" in m for m in metas.values()
    )
    assert articles["web_url"].notna().sum() == sum("webUrl" in m for m in metas.values())
    assert (articles["quality"] == articles["heat"]).all()
    by_id = articles.set_index("article_id")
    for name, meta in metas.items():
        assert by_id.at[name, "title"] == meta["title"]
        assert by_id.at[name, "quality"] == meta["quality"]


def test_real_corpus_duplicates_are_the_repeated_urls(real):
    corpus, metas = real
    urls = Counter(m["originalUrl"] for m in metas.values())
    expected = sum(count - 1 for count in urls.values())
    assert corpus.articles["is_duplicate"].sum() == expected
    assert len(corpus.providers) == len({m["provider"]["domain"] for m in metas.values()})


SCANS = pytest.mark.parametrize("c_scan", [True, False], ids=["C scan", "Python scan"])


@SCANS
@pytest.mark.parametrize("cache", [False, True])
def test_file_names_that_are_not_utf8_load_shown_escaped(tmp_path, c_scan, cache, monkeypatch):
    use_scan(c_scan, monkeypatch)
    root = tmp_path / "corpus"
    raw = os.fsencode(root)
    os.makedirs(raw + b"/sub\xff")
    for name, n in ((b"caf\xe9.md", 1), (b"sub\xff/na\xefve.md", 2), (b"ok.md", 3)):
        with open(raw + b"/" + name, "w", encoding="utf-8") as out:
            out.write(record(title=f'"Story {n}"', originalUrl=f'"https://example.com/{n}"'))
    uncached = load_corpus(root, cache=False)
    corpus = load_corpus(root, cache=cache)
    for loaded in (corpus, load_corpus(root, cache=cache)):  # cold, then warm
        articles = loaded.articles
        # each byte that is not UTF-8 is shown \xNN; the file is still read
        assert articles["article_id"].tolist() == ["caf\\xe9.md", "ok.md", "sub\\xff/na\\xefve.md"]
        assert articles["path"].tolist() == [f"{root}/{i}" for i in articles["article_id"]]
        assert articles["title"].tolist() == ["Story 1", "Story 3", "Story 2"]
        assert loaded.problems.empty
        assert loaded.fingerprint == uncached.fingerprint
        assert loaded.summary() == uncached.summary()


@SCANS
@pytest.mark.parametrize("cache", [False, True])
def test_corpus_folder_whose_name_is_not_utf8_loads(tmp_path, c_scan, cache, monkeypatch):
    use_scan(c_scan, monkeypatch)
    raw = os.fsencode(tmp_path) + b"/corpus-\xe9"
    os.makedirs(raw + b"/a")
    for name in (b"a/one.md", b"two-\xe9.md", b"bad.md"):
        with open(raw + b"/" + name, "w", encoding="utf-8") as out:
            out.write("---\ntitle: [unclosed\n---\n" if name == b"bad.md" else GOOD)
    root = Path(os.fsdecode(raw))
    shown = f"{tmp_path}/corpus-\\xe9"
    for _ in range(2):  # cold, then warm
        corpus = load_corpus(root, cache=cache)
        assert corpus.articles["article_id"].tolist() == ["a/one.md", "two-\\xe9.md"]
        assert corpus.articles["path"].tolist() == [f"{shown}/a/one.md", f"{shown}/two-\\xe9.md"]
        assert corpus.articles["title"].tolist() == ["A good one"] * 2
        assert corpus.articles["is_duplicate"].tolist() == [False, True]
        assert corpus.problems["path"].tolist() == [f"{shown}/bad.md", f"{shown}/two-\\xe9.md"]
        assert corpus.summary()["root"] == shown
    one = load_corpus(Path(os.fsdecode(raw + b"/two-\xe9.md")), cache=cache)
    assert one.articles["path"].tolist() == [f"{shown}/two-\\xe9.md"] and one.problems.empty


def _remove_nested(root: Path, depth: int, name: str) -> None:
    """Remove folders d/d/.../d ``depth`` deep holding ``name`` (too deep for shutil.rmtree
    before Python 3.12, which pytest uses to clear old temporary folders)."""
    fds = [os.open(root, os.O_RDONLY)]
    try:
        for _ in range(depth):
            fds.append(os.open("d", os.O_RDONLY, dir_fd=fds[-1]))
        os.unlink(name, dir_fd=fds[-1])
        while len(fds) > 1:
            os.close(fds.pop())
            os.rmdir("d", dir_fd=fds[-1])
    finally:
        for fd in fds:
            os.close(fd)


@SCANS
def test_folders_nested_2000_deep_load_or_are_error_rows(tmp_path, c_scan, monkeypatch):
    use_scan(c_scan, monkeypatch)
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "top.md").write_text(GOOD)
    fd = os.open(root, os.O_RDONLY)
    try:
        for _ in range(2000):  # one folder inside the other, by descriptor: no path limit
            os.mkdir("d", dir_fd=fd)
            inner = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        with open(os.open("deep.md", os.O_WRONLY | os.O_CREAT, dir_fd=fd), "w") as out:
            out.write(GOOD.replace("/a", "/deep"))
    finally:
        os.close(fd)
    deep = "d/" * 2000 + "deep.md"
    try:
        assert [entry[0] for entry in newskit.files.scan_files(root)] == [deep, "top.md"]
        corpus = load_corpus(root)
    finally:
        _remove_nested(root, 2000, "deep.md")
    # the deep file's whole path may be longer than the system takes: then it is an error row
    found = corpus.articles["article_id"].tolist() + [
        path[len(str(root)) + 1 :] for path in corpus.problems["path"]
    ]
    assert sorted(found) == [deep, "top.md"]
    assert (corpus.problems["severity"] == "error").all()


@pytest.mark.parametrize("reader", ["C reader", "Python readers"])
def test_dates_far_from_the_bulk_warn_naming_the_file_whatever_the_road(
    make_corpus, reader, monkeypatch
):
    import newskit.parse

    if reader == "Python readers":
        monkeypatch.setattr(newskit.parse, "yaml_rs", None)
        monkeypatch.setattr(newskit.parse, "_plainyaml", None)
    dates = {
        "mistyped.md": "1720-04-12T13:30:00Z",
        "just-before.md": "1990-01-01T00:30:00+01:00",  # 1989 in UTC
        "first.md": "1990-01-01T00:00:00Z",
        "bulk.md": "2021-02-10T08:00:00Z",
        "future.md": "2261-12-31T00:00:00Z",
    }
    root = make_corpus(
        {
            name: record(
                title=f'"{name}"',
                originalUrl=f'"https://e.example/{name}"',
                **{"publishedDateTime": date},
            )
            for name, date in dates.items()
        }
    )
    expected = [
        (f"{root}/future.md", "date 2261-12-31T00:00:00+00:00 is in the future"),
        (f"{root}/just-before.md", "date 1989-12-31T23:30:00+00:00 is before 1990"),
        (f"{root}/mistyped.md", "date 1720-04-12T13:30:00+00:00 is before 1990"),
    ]
    cold = load_corpus(root)
    loads = [load_corpus(root, cache=False), cold, load_corpus(root)]  # uncached, cold, warm
    (root / "bulk.md").write_text((root / "bulk.md").read_text() + "changed\n")
    loads.append(load_corpus(root))  # incremental: the other files' rows come from the cache
    for corpus in loads:
        problems = corpus.problems
        assert (problems["severity"] == "warning").all()
        assert (problems["field"] == "publishedDateTime").all()
        messages = [message.split(";")[0] for message in problems["message"]]
        assert list(zip(problems["path"], messages, strict=True)) == expected
        assert corpus.articles["published_at"].notna().all()  # the dates are kept


def test_a_file_with_100000_distinct_topics_loads(make_corpus):
    # topic clean-up was quadratic in the number of topics: this load took minutes
    topics = "".join(f"  - topic {i}\n" for i in range(100_000))
    root = make_corpus({"many.md": record(title='"Many"', topics="\n" + topics + "  - topic 7")})
    corpus = load_corpus(root, cache=False)
    assert corpus.problems.empty
    assert corpus.topics["topic"].tolist() == [f"topic {i}" for i in range(100_000)]
    assert corpus.articles.at[0, "topics"][-1] == "topic 99999"


@pytest.mark.parametrize("dtype", [object, "string[pyarrow]"])
def test_name_providers_matches_a_plain_reading_of_the_rule(dtype):
    """A key's name is the one most of its rows give, on a tie the first to appear; keys in
    order of their first row with a name; rows lacking a key or a name count for nothing."""
    from newskit.corpus import name_providers

    rng = random.Random(11)
    for _ in range(500):
        n = rng.randint(0, 40)
        keys = [rng.choice([None, "a.com", "b.com", "c", "é.fr", ""]) for _ in range(n)]
        names = [rng.choice([None, "A", "B", "Ç", ""]) for _ in range(n)]
        counts: dict[str, dict[str, int]] = {}  # insertion order: first appearance
        for key, name in zip(keys, names, strict=True):
            if key is not None and name is not None:
                counts.setdefault(key, {}).setdefault(name, 0)
                counts[key][name] += 1
        expected = {key: max(seen, key=seen.get) for key, seen in counts.items()}
        found = name_providers(pd.Series(keys, dtype=dtype), pd.Series(names, dtype=dtype))
        assert found.name == "provider_name"
        assert list(found.items()) == list(expected.items())


@pytest.mark.parametrize("hashes", ["as made", "shared"])
def test_flag_duplicates_matches_a_plain_reading_of_the_rule(monkeypatch, speed_ups, hashes):
    """Each later file repeating an original_url or web_url is flagged once, naming the first:
    by the values' hashes where newskit's C keys are built, by the values where two share a
    hash (here every value hashed to one of two) or where they are not built."""
    import newskit.corpus
    from newskit.corpus import flag_duplicates
    from newskit.schema import ARTICLE_COLUMNS, build_frame, text_hashes

    if hashes == "shared":
        if text_hashes(pa.chunked_array([["x"]])) is None:
            pytest.skip("no hashes to share: newskit's C keys are off on this road")
        monkeypatch.setattr(newskit.corpus, "text_hashes", lambda values: text_hashes(values) % 2)
    rng = random.Random(7)
    for _ in range(200):
        n = rng.randint(0, 30)
        urls = [None, "", "u1", "u2", "u3", "u4"]
        rows = [
            {
                "article_id": f"{i:02d}.md",
                "path": f"/c/{i:02d}.md",
                "topics": [],
                "original_url": rng.choice(urls),
                "web_url": rng.choice(urls),
                "n_images": 0,
                "n_related": 0,
                "has_featured_content": False,
                "is_duplicate": False,
            }
            for i in range(n)
        ]
        flagged, problems = flag_duplicates(build_frame(rows, ARTICLE_COLUMNS))
        expected_flags, expected_problems = [], []
        for column, key in (("original_url", "originalUrl"), ("web_url", "webUrl")):
            first: dict[str, str] = {}
            for i, row in enumerate(rows):
                value = row[column]
                if value is None:
                    continue
                if value in first:
                    if i not in expected_flags:
                        expected_problems.append(
                            {
                                "path": row["path"],
                                "severity": "warning",
                                "field": key,
                                "message": f"duplicate of {first[value]} (same {key})",
                            }
                        )
                    expected_flags.append(i)
                else:
                    first[value] = row["path"]
        assert problems == expected_problems
        assert list(flagged["is_duplicate"]) == [i in expected_flags for i in range(n)]


@pytest.mark.parametrize(
    "when", ["2021-13-01T00:00:00Z", "2021-02-30", "2021-01-01T24:00:00Z", "2021-01-01 00:60:00"]
)
def test_impossible_date_keeps_the_article_with_a_warning(make_corpus, when):
    root = make_corpus({"bad.md": record(title='"x"', publishedDateTime=when), "ok.md": GOOD})
    for workers in (1, 2):
        corpus = load_corpus(root, cache=False, workers=workers)
        assert corpus.articles["article_id"].tolist() == ["bad.md", "ok.md"]
        assert pd.isna(corpus.articles["published_at"].iloc[0])
        [message] = corpus.problems["message"]
        assert message == f"unreadable date '{when}'; left empty"


# --- stories: grouped with the load, kept in the cache with the options that made them ---


def copies(n: int = 3) -> dict[str, str]:
    """``n`` files of one story (the same address in several spellings), and another story."""
    files = {
        f"copy{i}.md": record(
            title='"Robots build cars"',
            originalUrl=f'"http{"s" if i % 2 else ""}://www.example.com/robots?utm_source={i}"',
            publishedDateTime=f"2021-01-0{i + 1}T10:00:00Z",
            provider=f"{{name: P{i}, domain: p{i}.com}}",
        )
        for i in range(n)
    }
    files["other.md"] = record(title='"Boats sail home"', originalUrl='"https://b.example/x"')
    return files


def test_every_corpus_has_stories(make_corpus):
    corpus = load_corpus(make_corpus(copies()))
    assert corpus.articles["story_id"].dtype == "string"
    assert corpus.articles["story_id"].tolist() == ["copy0.md"] * 3 + ["other.md"]
    stories = corpus.stories.set_index("story_id")
    assert (
        stories.loc["copy0.md", "n_articles"] == 3 and stories.loc["copy0.md", "n_providers"] == 3
    )
    assert stories.loc["copy0.md", "first_provider_domain"] == "p0.com"
    assert list(corpus.related.columns[-2:]) == ["story_id", "is_copy"]


def test_one_undated_article_without_related_is_one_story(make_corpus):
    corpus = load_corpus(make_corpus({"a.md": GOOD}))
    assert corpus.articles["story_id"].tolist() == ["a.md"]
    assert corpus.stories["n_articles"].tolist() == [1]
    assert corpus.stories["first_published_at"].isna().all()


def test_stories_false_makes_each_article_its_own_story(make_corpus):
    corpus = load_corpus(make_corpus(copies()), stories=False)
    assert corpus.articles["story_id"].tolist() == corpus.articles["article_id"].tolist()
    with pytest.raises(TypeError, match="stories must be"):
        load_corpus(make_corpus(copies()), stories="yes")


def test_a_warm_load_does_not_group_stories_again(make_corpus, monkeypatch):
    monkeypatch.setattr("newskit.cache.RACY_NS", 0)  # files just written count as unchanged
    root = make_corpus(copies())
    cold = load_corpus(root)
    monkeypatch.setattr("newskit.corpus.build_stories", lambda *a, **k: pytest.fail("again"))
    warm = load_corpus(root)
    pd.testing.assert_frame_equal(warm.stories, cold.stories)
    pd.testing.assert_frame_equal(warm.articles, cold.articles)
    pd.testing.assert_frame_equal(warm.related, cold.related)


def test_other_story_options_regroup_a_cached_corpus(make_corpus):
    root = make_corpus(copies())
    assert len(load_corpus(root).stories) == 2
    apart = load_corpus(root, stories=False)
    assert len(apart.stories) == 4
    assert len(load_corpus(root).stories) == 2  # and back: the cache holds the last options


def test_the_summary_counts_stories_as_the_stats_do(make_corpus):
    from newskit.stats import summarize_stories

    corpus = load_corpus(make_corpus(copies()))
    s = corpus.summary()
    assert (s["n_articles"], s["n_stories"], s["share_copies"]) == (4, 2, 0.5)
    row = summarize_stories(corpus.articles).iloc[0]
    assert (s["n_stories"], s["share_copies"]) == (row["n_stories"], row["share_copies"])
    chosen = corpus.select(start="2021-01-02").summary()
    assert (chosen["n_articles"], chosen["n_stories"], chosen["share_copies"]) == (2, 1, 0.5)
    none = corpus.select(start="2030-01-01").summary()
    assert (none["n_stories"], none["share_copies"]) == (0, None)


def test_a_selection_has_the_stories_of_its_articles(make_corpus):
    corpus = load_corpus(make_corpus(copies()))
    chosen = corpus.select(start="2021-01-02")
    assert chosen.stories["story_id"].tolist() == ["copy0.md"]
    assert chosen.stories["n_articles"].tolist() == [2]
    assert chosen.stories["first_provider_domain"].tolist() == ["p1.com"]


def test_topics_are_selected_whatever_their_case():
    corpus = load_corpus(SEEDS)
    assert len(corpus.select(topic="ai")) == len(corpus.select(topic="AI")) == 1
    assert len(corpus.select(topic=["computer VISION", "nope"])) == 1


def test_a_selection_without_a_filter_is_the_corpus_itself(make_corpus):
    files = copies()
    del files["other.md"]  # no provider
    corpus = load_corpus(make_corpus(files))
    assert corpus.select() is corpus
    assert corpus.select(start=None, end=None, topic=None, provider=None) is corpus
    # a filter every article passes gives the same tables as the corpus's own
    providers = corpus.articles["provider_domain"].dropna().unique().tolist() + ["nowhere"]
    everything = corpus.select(provider=providers)
    assert everything is not corpus
    for name in ("articles", "topics", "images", "related", "providers", "stories", "fields"):
        pd.testing.assert_frame_equal(getattr(everything, name), getattr(corpus, name), obj=name)


@pytest.mark.parametrize("cache", [False, True], ids=["cold", "warm"])
def test_a_load_of_some_columns_is_the_whole_load_cut_down(make_corpus, tmp_path, cache):
    from newskit.dataset import REPORT_COLUMNS

    root = make_corpus(
        {
            "a.md": record(title="A", topics='["AI"]', categories='["x", "y"]', tags="[]"),
            "b.md": record(
                title="B",
                tags='["t"]',
                locale="en",
                images='[{"url": "https://example.com/b.png", "width": 3}]',
                updatedDateTime="2021-04-12T13:30:00Z",
                published="true",
            ),
            "c.md": record(title="C", categories="[]"),
        }
    )
    options = {"cache": cache, "cache_dir": tmp_path / "cache"}
    whole = load_corpus(root, **options)
    for columns in (REPORT_COLUMNS, ["title"], ["tags"], [*REPORT_COLUMNS, "categories"]):
        cut = load_corpus(root, columns=columns, **options)
        kept = newskit.dataset.article_columns(columns)
        pd.testing.assert_frame_equal(cut.articles, whole.articles[kept])
        # every field counted, also those of the columns the load did not make
        pd.testing.assert_frame_equal(cut.fields, whole.fields)
        counts = cut.fields.set_index("key")["n_articles"]
        assert counts[["categories", "tags", "images", "updatedDateTime"]].tolist() == [1, 1, 1, 1]
