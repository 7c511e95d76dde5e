"""compare: two snapshots built on disk, and exactly what changed, in Python, text, JSON, HTML."""

from __future__ import annotations

import html.parser
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import check_page_policy, record

import newskit
from newskit.cli import main
from newskit.compare import Comparison, compare

HOSTILE = "<script>alert(1)</script> & <b>bold</b> Zoë"


def article(
    title: str,
    url: str | None,
    day: str | None,
    *,
    quality: int = 50,
    heat: int = 40,
    topics: tuple[str, ...] = ("AI",),
    provider: str = "ex.com",
    **more: str,
) -> str:
    fields = {"title": json.dumps(title)}
    if url is not None:
        fields["originalUrl"] = json.dumps(url)
    if day is not None:
        fields["publishedDateTime"] = f"{day}T09:00:00Z"
    fields.update(quality=quality, heat=heat, topics=json.dumps(list(topics)))
    fields["provider"] = json.dumps({"name": provider.split(".")[0].title(), "domain": provider})
    fields.update(more)
    return record(**fields)


OLD = {
    "a.md": article("Alpha", "https://ex.com/a", "2021-01-01"),
    "b.md": article("Bravo", "https://ex.com/b", "2021-01-02", topics=("AI", "Cloud")),
    "c.md": article("Charlie", "https://gone.com/c", "2021-01-03", provider="gone.com"),
    "d.md": article("Delta", "https://ex.com/d", "2021-01-04"),
    "e.md": article("Echo", "https://ex.com/e", "2021-01-05"),
    "f.md": article("Foxtrot, no URL", None, "2021-01-06"),
    "g.md": article("Golf", "https://ex.com/g", "2021-01-07", quality=50, heat=40),
    "h.md": article("Hotel", "https://ex.com/h", "2021-01-08", topics=("AI",)),
    "i.md": article("India", "https://ex.com/i", "2021-01-09", sourceId="1"),
    "m.md": article("Mike", "https://ex.com/m", "2021-01-10"),
    "bad.md": "no front matter here\n",
}


def _new_files() -> dict[str, str]:
    files = {k: v for k, v in OLD.items() if k not in ("c.md", "d.md", "e.md", "bad.md")}
    files.update(
        {
            # renamed, same URL: moved, nothing else changed
            "archive/d-renamed.md": OLD["d.md"],
            # renamed, the URL spelled another way: moved, and its original_url changed
            "e2.md": article("Echo", "http://www.ex.com/e/?utm_source=feed", "2021-01-05"),
            # re-scored, retitled, re-topiced, an unknown key changed
            "g.md": article("Golf", "https://ex.com/g", "2021-01-07", quality=70, heat=10),
            "h.md": article("Hotel", "https://ex.com/h", "2021-01-08", topics=("Robotics",)),
            "i.md": article(HOSTILE, "https://ex.com/i", "2021-01-09", sourceId="2"),
            # the same topics in another order are not a change
            "b.md": article("Bravo", "https://ex.com/b", "2021-01-02", topics=("Cloud", "AI")),
            # added: newly published, backfill, undated
            "j.md": article("Juliett", "https://ex.com/j", "2021-02-01"),
            "k.md": article("Kilo", "https://new.com/k", "2020-06-01", provider="new.com"),
            "l.md": article("Lima", "https://ex.com/l", None),
            # a duplicate of m.md: the same page spelled another way
            "n.md": article("Mike again", "http://www.ex.com/m/", "2021-01-10"),
            "oops.md": article("Oscar", "https://ex.com/o", "2021-01-02", quality='"high"'),
        }
    )
    return files


def write(root: Path, files: dict[str, str]) -> Path:
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def snapshots(tmp_path) -> tuple[Path, Path]:
    return write(tmp_path / "old", OLD), write(tmp_path / "new", _new_files())


@pytest.fixture
def comparison(snapshots) -> Comparison:
    return compare(*snapshots)


CHANGED = [
    ("e2.md", "original_url", "https://ex.com/e", "http://www.ex.com/e/?utm_source=feed"),
    ("g.md", "quality", 50, 70),
    ("g.md", "heat", 40, 10),
    ("h.md", "topics", ["AI"], ["Robotics"]),
    ("i.md", "title", "India", HOSTILE),
    ("i.md", "extra.sourceId", 1, 2),
]


def test_added_removed_changed_moved_and_unchanged(comparison):
    added = comparison.added.set_index("article_id")["when"].to_dict()
    assert added == {
        "j.md": "new",
        "k.md": "backfill",
        "l.md": "undated",
        "n.md": "backfill",
        "oops.md": "backfill",
    }
    assert comparison.removed["article_id"].tolist() == ["c.md"]
    changed = comparison.changed[["article_id", "field", "old", "new"]]
    assert list(changed.itertuples(index=False, name=None)) == CHANGED
    assert comparison.moved[["old_article_id", "new_article_id"]].values.tolist() == [
        ["d.md", "archive/d-renamed.md"],
        ["e.md", "e2.md"],
    ]
    assert comparison.moved["key"].tolist() == ["https://ex.com/d", "https://ex.com/e"]
    assert sorted(comparison.unchanged["article_id"]) == [
        "a.md",
        "archive/d-renamed.md",
        "b.md",
        "f.md",
        "m.md",
    ]
    matched_by = comparison.unchanged.set_index("article_id")["matched_by"]
    assert matched_by["f.md"] == "article_id" and matched_by["a.md"] == "url"
    assert comparison.counts() == {
        "added": 5,
        "added_new": 1,
        "added_backfill": 3,
        "added_undated": 1,
        "removed": 1,
        "changed": 4,
        "moved": 2,
        "unchanged": 5,
    }
    assert comparison.field_counts.values.tolist() == [
        ["original_url", 1],
        ["quality", 1],
        ["heat", 1],
        ["topics", 1],
        ["title", 1],
        ["extra.sourceId", 1],
    ]


def test_headline_deltas(comparison, snapshots):
    headline = comparison.headline.set_index("measure")
    assert headline.loc["articles"].tolist() == [10, 14, 4]
    assert headline.loc["stories"].tolist() == [10, 13, 3]  # n.md is a copy of m.md
    assert headline.loc["files"].tolist() == [11, 14, 3]
    assert headline.loc["providers"].tolist() == [2, 2, 0]
    assert headline.loc["topics"].tolist() == [2, 3, 1]
    assert headline.loc["load errors"].tolist() == [1, 0, -1]
    assert headline.loc["first published"].tolist() == ["2021-01-01", "2020-06-01", "-214 days"]
    assert headline.loc["last published"].tolist() == ["2021-01-10", "2021-02-01", "+22 days"]
    old, new = (newskit.load_corpus(p).fingerprint for p in snapshots)
    assert headline.loc["fingerprint"].tolist() == [old, new, "changed"]


def test_score_drift_among_changed_articles_and_of_the_distributions(comparison):
    scores = comparison.scores.set_index("score")
    assert scores.loc["quality", ["n_changed", "n_up", "n_down"]].tolist() == [1, 1, 0]
    assert scores.loc["quality", "mean_change"] == 20
    assert scores.loc["heat", ["n_changed", "n_up", "n_down"]].tolist() == [1, 0, 1]
    assert scores.loc["heat", "median_change"] == -30
    # old: ten articles at 50; new: 13 at 50, g at 70, oops without quality
    assert scores.loc["quality", "old_mean"] == 50
    assert scores.loc["quality", "new_mean"] == pytest.approx((12 * 50 + 70) / 13)
    assert scores.loc["quality", "mean_shift"] == pytest.approx((12 * 50 + 70) / 13 - 50)


def test_topic_and_provider_shares(comparison):
    topics = comparison.topics.set_index("topic")
    assert topics.loc["Robotics", ["old_articles", "new_articles", "status"]].tolist() == [
        0,
        1,
        "new",
    ]
    assert topics.loc["AI", ["old_articles", "new_articles", "status"]].tolist() == [10, 13, "kept"]
    assert topics.loc["AI", "share_change"] == pytest.approx(13 / 14 - 10 / 10)
    providers = comparison.providers.set_index("provider")
    assert providers.loc["gone.com", "status"] == "vanished"
    assert providers.loc["new.com", "status"] == "new"
    assert providers.loc["gone.com", "new_share"] == 0
    concentration = comparison.concentration.set_index("measure")
    assert concentration.loc["herfindahl", "old"] == pytest.approx(0.9**2 + 0.1**2)
    assert concentration.loc["herfindahl", "new"] == pytest.approx((13 / 14) ** 2 + (1 / 14) ** 2)


def test_completeness_per_field(comparison):
    completeness = comparison.completeness.set_index("key")
    # old: 9 of 10 articles have an originalUrl; new: 13 of 14
    assert completeness.loc["originalUrl", ["old_articles", "new_articles"]].tolist() == [9, 13]
    assert completeness.loc["originalUrl", "change"] == pytest.approx(13 / 14 - 9 / 10)
    assert completeness.loc["sourceId", ["old_articles", "new_articles"]].tolist() == [1, 1]
    # largest change first
    changes = comparison.completeness["change"].abs().tolist()
    assert changes == sorted(changes, reverse=True)


def test_new_and_resolved_load_problems(comparison):
    problems = comparison.problems[["status", "path", "severity", "field"]]
    assert problems.values.tolist() == [
        ["new", "oops.md", "warning", "quality"],
        ["resolved", "bad.md", "error", None],
    ]


def test_a_new_duplicate_within_a_side_is_listed_with_the_article_it_repeats(comparison):
    duplicates = comparison.duplicates
    assert duplicates.values.tolist() == [["new", "n.md", "https://ex.com/m", "m.md"]]
    assert any(
        "at the same path first, then the first in path order" in t for t in comparison.notes
    )


def test_a_duplicate_in_both_sides_is_kept_and_matched_by_its_path(tmp_path):
    files = {
        "a.md": article("A", "https://ex.com/a", "2021-01-01"),
        "b.md": article("A again", "https://www.ex.com/a", "2021-01-02"),
    }
    old = write(tmp_path / "old", files)
    new = write(tmp_path / "new", {**files, "b.md": article("A, again", "https://ex.com/a", None)})
    result = compare(old, new)
    assert result.duplicates[["status", "article_id", "duplicate_of"]].values.tolist() == [
        ["kept", "b.md", "a.md"]
    ]
    assert result.changed[["article_id", "field"]].values.tolist() == [
        ["b.md", "title"],
        ["b.md", "published_at"],
        ["b.md", "original_url"],
    ]
    assert result.added.empty and result.removed.empty and result.moved.empty


def test_a_shared_url_matches_the_article_at_the_same_path_first(tmp_path):
    old = write(
        tmp_path / "old",
        {
            "a.md": article("A", "https://ex.com/a", "2021-01-01"),
            "b.md": article("A, a copy", "https://ex.com/a/", "2021-01-02"),
        },
    )
    new = write(tmp_path / "new", {"b.md": article("A, a copy", "https://ex.com/a/", "2021-01-02")})
    result = compare(old, new)
    assert result.unchanged[["article_id", "old_article_id"]].values.tolist() == [["b.md", "b.md"]]
    assert result.removed["article_id"].tolist() == ["a.md"]
    assert result.moved.empty and result.added.empty
    assert result.duplicates[["status", "article_id", "duplicate_of"]].values.tolist() == [
        ["resolved", "b.md", "a.md"]
    ]


def test_original_urls_are_matched_before_web_urls(tmp_path):
    # a.md's original URL is b.md's web URL; both files are renamed.
    b = article("B", "https://ex.com/b", "2021-01-01", webUrl='"https://ex.com/shared"')
    a = article("A", "https://ex.com/shared", "2021-01-02")
    old = write(tmp_path / "old", {"a.md": a, "b.md": b})
    new = write(tmp_path / "new", {"c.md": b, "d.md": a})
    result = compare(old, new)
    assert result.moved[["old_article_id", "new_article_id"]].values.tolist() == [
        ["b.md", "c.md"],
        ["a.md", "d.md"],
    ]
    assert result.changed.empty and result.added.empty and result.removed.empty


def test_corpora_and_paths_give_the_same_comparison(snapshots, comparison):
    old, new = (newskit.load_corpus(p) for p in snapshots)
    before = old.articles.copy()
    from_corpora = compare(old, new)
    for name in Comparison.TABLES:
        pd.testing.assert_frame_equal(getattr(from_corpora, name), getattr(comparison, name))
    pd.testing.assert_frame_equal(old.articles, before)  # the input is left as it was


def test_identical_snapshots_change_nothing(tmp_path):
    old = write(tmp_path / "old", OLD)
    new = write(tmp_path / "new", OLD)
    result = compare(old, new)
    assert result.added.empty and result.removed.empty and result.changed.empty
    assert result.moved.empty and result.problems.empty
    assert len(result.unchanged) == 10
    assert "Both snapshots have the same fingerprint: their files are identical." in result.notes


def test_corpora_sharing_nothing_get_a_note(tmp_path):
    old = write(tmp_path / "old", {"a.md": article("A", "https://ex.com/a", "2021-01-01")})
    new = write(tmp_path / "new", {"b.md": article("B", "https://ex.com/b", "2021-01-02")})
    result = compare(old, new)
    assert result.removed["article_id"].tolist() == ["a.md"]
    assert result.added[["article_id", "when"]].values.tolist() == [["b.md", "new"]]
    assert result.unchanged.empty and result.changed.empty
    assert result.notes[0].startswith("The two snapshots share no article")


@pytest.mark.parametrize("side", ["old", "new"])
def test_an_empty_side_is_a_clear_error(tmp_path, side):
    full = write(tmp_path / "full", {"a.md": article("A", "https://ex.com/a", "2021-01-01")})
    empty = write(tmp_path / "empty", {"broken.md": "no fences\n"})
    args = (empty, full) if side == "old" else (full, empty)
    with pytest.raises(newskit.CorpusError) as caught:
        compare(*args)
    assert str(caught.value) == (
        f"{empty}: the {side} snapshot has no article to compare (1 files, 1 could not be loaded)"
    )


def test_the_same_folder_twice_is_a_clear_error(snapshots):
    old, _ = snapshots
    with pytest.raises(newskit.CorpusError, match="old and new are the same folder"):
        compare(old, Path(f"{old}/"))
    corpus = newskit.load_corpus(old)
    with pytest.raises(newskit.CorpusError, match="old and new are one corpus"):
        compare(corpus, corpus)


def test_an_unreadable_side_is_a_clear_error(snapshots, tmp_path):
    missing = tmp_path / "missing"
    with pytest.raises(newskit.CorpusError, match=f"^{missing}: no such file or folder"):
        compare(snapshots[0], missing)
    with pytest.raises(TypeError, match="old must be a Corpus or a path, got int"):
        compare(3, snapshots[1])


# -- the command line -------------------------------------------------------------------------


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_text_summary(capsys, snapshots):
    old, new = snapshots
    fingerprints = [newskit.load_corpus(p).fingerprint for p in snapshots]
    status, out, err = run(capsys, "compare", str(old), str(new))
    assert (status, err) == (0, "")
    assert out == (
        f"old:           {old}\n"
        f"new:           {new}\n"
        "articles:      10 -> 14 (+4): 5 added (1 new, 3 backfill, 1 undated), 1 removed, "
        "4 changed, 2 moved, 5 unchanged\n"
        "published:     2021-01-01 to 2021-01-10 -> 2020-06-01 to 2021-02-01\n"
        "providers:     2 -> 2 (+0); new: new.com; vanished: gone.com\n"
        "topics:        2 -> 3 (+1); new: Robotics; vanished: -\n"
        "fields:        original_url (1), quality (1), heat (1), topics (1), title (1), "
        "extra.sourceId (1)\n"
        "scores:        quality 1 changed (1 up, 0 down), mean 50 -> 51.5; "
        "heat 1 changed (0 up, 1 down), mean 40 -> 37.9\n"
        "concentration: top-10 share 1 -> 1, Herfindahl 0.82 -> 0.867\n"
        "completeness:  publishedDateTime 100.0% -> 92.9%, quality 100.0% -> 92.9%, "
        "originalUrl 90.0% -> 92.9% and 1 more\n"
        "problems:      1 new, 1 resolved (errors 1 -> 0 (-1), warnings 0 -> 1 (+1))\n"
        "duplicates:    1 new, 0 resolved, 0 kept\n"
        f"fingerprint:   {fingerprints[0]} -> {fingerprints[1]}\n"
        "added:         + j.md (new)\n"
        "               + k.md (backfill)\n"
        "               + l.md (undated)\n"
        "               + n.md (backfill)\n"
        "               + oops.md (backfill)\n"
        "removed:       - c.md\n"
        "changed:       ~ e2.md: original_url\n"
        "               ~ g.md: quality, heat\n"
        "               ~ h.md: topics\n"
        "               ~ i.md: title, extra.sourceId\n"
        "moved:         > d.md -> archive/d-renamed.md\n"
        "               > e.md -> e2.md\n"
        "note:          1 article shares a normalised URL with an earlier article of its "
        "snapshot (new: 1, resolved: 0, kept: 0). A URL shared by several articles matches the "
        "article at the same path first, then the first in path order.\n"
        "note:          1 article was matched by article_id (the path), having no URL in "
        "common.\n"
    )


def test_cli_json(capsys, snapshots):
    status, out, err = run(capsys, "compare", *map(str, snapshots), "--json")
    assert (status, err) == (0, "")
    assert out.isascii()
    data = json.loads(out)
    assert data["counts"]["changed"] == 4
    assert {row["article_id"]: row["when"] for row in data["added"]} == {
        "j.md": "new",
        "k.md": "backfill",
        "l.md": "undated",
        "n.md": "backfill",
        "oops.md": "backfill",
    }
    assert [row["article_id"] for row in data["removed"]] == ["c.md"]
    assert [(r["article_id"], r["field"], r["old"], r["new"]) for r in data["changed"]] == [
        tuple(row) for row in CHANGED
    ]
    assert [(r["old_article_id"], r["new_article_id"]) for r in data["moved"]] == [
        ("d.md", "archive/d-renamed.md"),
        ("e.md", "e2.md"),
    ]
    assert data["added"][0]["published_at"] == "2021-02-01T09:00:00+00:00"
    assert data["added"][2]["published_at"] is None


class _Page(html.parser.HTMLParser):
    """The tags, the text of every table cell (and row) and the section headings of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.cells: list[str] = []
        self.rows: list[list[str]] = []
        self.headings: list[str] = []
        self.text: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "h2"):
            self._in, self._buffer = tag, ""

    def handle_endtag(self, tag):
        if tag == self._in:
            (self.cells if tag == "td" else self.headings).append(self._buffer)
            if tag == "td":
                self.rows[-1].append(self._buffer)
            self._in = None

    def handle_data(self, data):
        self.text.append(data)
        if self._in:
            self._buffer += data


def test_cli_report(capsys, snapshots, tmp_path):
    out_dir = tmp_path / "report"
    status, out, err = run(capsys, "compare", *map(str, snapshots), "--out", str(out_dir))
    assert (status, err) == (0, "")
    page_path = out_dir / "compare.html"
    assert out.endswith(f"\nwrote {page_path}\n")
    text = page_path.read_text(encoding="utf-8")
    page = _Page()
    page.feed(text)
    assert page.headings == [
        "Summary",
        "Headline numbers",
        "Added articles",
        "Removed articles",
        "Changed articles",
        "Changes, field by field",
        "Moved articles",
        "Score drift",
        "Topics",
        "Providers",
        "Field completeness",
        "Load problems",
        "Duplicates",
    ]
    # inert: newskit's script only, no link or resource outside the page
    check_page_policy(text)
    assert page.tags.count("script") == 1 and "iframe" not in page.tags and "b" not in page.tags
    assert "http://" not in text.replace("http://www.ex.com", "") and 'src="' not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in text
    assert HOSTILE in page.cells  # the title is shown, as text
    for article_id in ["j.md", "k.md", "l.md", "n.md", "oops.md", "c.md", "e2.md", "g.md"]:
        assert article_id in page.cells
    assert "archive/d-renamed.md" in page.cells
    assert ["g.md", "quality", "50", "70"] in page.rows  # Changes, field by field
    assert ["h.md", "topics", "AI", "Robotics"] in page.rows
    topics = {row[0]: row[1:] for row in page.rows if row and row[0] in ("Robotics", "AI")}
    assert topics["Robotics"][:2] == ["0", "1"] and topics["Robotics"][-1] == "new"
    assert [row[-1] for row in page.rows if row and row[0] == "gone.com"] == ["vanished"]


def test_cli_report_holds_every_row_the_terminal_cuts(capsys, tmp_path):
    old = write(tmp_path / "old", {"a.md": OLD["a.md"]})
    many = {
        f"n{i:03}.md": article(f"N{i}", f"https://ex.com/n{i}", "2021-02-01") for i in range(45)
    }
    new = write(tmp_path / "new", {"a.md": OLD["a.md"], **many})
    status, out, _ = run(capsys, "compare", str(old), str(new), "--out", str(tmp_path / "r"))
    assert status == 0
    assert "added:         + n000.md (new)\n" in out
    assert "               40 more not shown\n" in out
    page = (tmp_path / "r" / "compare.html").read_text(encoding="utf-8")
    # The page holds every added article (up to display.MAX_ROWS), the terminal only the first.
    assert '<p class="newskit-count">45 rows</p>' in page
    assert all(f"n{i:03}.md" in page for i in range(45))


def test_cli_errors_are_one_line(capsys, snapshots, tmp_path):
    old, _ = snapshots
    status, out, err = run(capsys, "compare", str(old), str(old))
    assert (status, out) == (1, "")
    assert err == (
        f"Error: {old}: old and new are the same folder; compare two snapshots (copies) of a "
        "corpus\n"
    )
    status, out, err = run(capsys, "compare", str(old), str(tmp_path / "nothing"))
    assert (status, out, err) == (1, "", f"Error: {tmp_path / 'nothing'}: no such file or folder\n")
