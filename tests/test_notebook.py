"""newskit.notebook: the setup and the sections the report notebooks share, on real corpora."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from conftest import SEEDS, record
from IPython.display import Image

import newskit
from newskit import listing, notebook, plots, stats
from newskit.corpus import SNAPSHOT_ENV
from newskit.display import SUMMARY_LABELS, Rendered


def story(date: str, *, kind: str = "article", domain: str = "a.com", topic: str = "X", **more):
    fields = {
        "title": '"Robots build cars"',
        "type": kind,
        "publishedDateTime": date,
        "quality": 10,
        "heat": 20,
        "provider": f"{{name: A, domain: {domain}}}",
        "topics": f"[{topic}]",
    }
    return record(**(fields | more))


def texts(shown: list) -> list[str]:
    return [item.text if isinstance(item, Rendered) else type(item).__name__ for item in shown]


def test_open_selection_selects_what_the_parameters_ask(capsys):
    corpus = notebook.open_selection(str(SEEDS), topic="AI")
    assert len(corpus.articles) == 1
    assert capsys.readouterr().out == ""
    nothing = notebook.open_selection(str(SEEDS), start="2030-01-01", provider=None, end=None)
    assert nothing.articles.empty
    assert "No article matches the selection" in capsys.readouterr().out


def test_choose_freq_tells_what_it_leaves_out(make_corpus, capsys):
    root = make_corpus({"a.md": story("1720-04-12T13:30:00Z"), "b.md": story("2021-01-04")})
    articles = newskit.load_corpus(root, cache=False).articles
    assert notebook.choose_freq(articles) == stats.choose_freq(articles)
    assert "1 article is dated before 1990" in capsys.readouterr().out
    notebook.choose_freq(articles.iloc[1:])
    assert capsys.readouterr().out == ""


def test_show_over_time_empty_single_and_many_periods(make_corpus):
    one = newskit.load_corpus(make_corpus({"a.md": story("2021-01-04")})).articles
    counts = stats.count_by_period(one, freq="month")
    shown = notebook.show_over_time(
        counts.iloc[0:0], freq="month", plot=plots.plot_period_counts, empty="Nothing dated."
    )
    assert texts(shown) == ["Nothing dated."]
    shown = notebook.show_over_time(
        counts, freq="month", plot=plots.plot_period_counts, empty="-", with_table=True
    )
    assert (
        texts(shown)[0] == "All dated articles fall in one month, so there is no change over time."
    )
    assert len(shown) == 2 and "n_articles" in shown[1].text
    shown = notebook.show_over_time(counts, freq="month", plot=plots.plot_period_counts, empty="-")
    assert len(shown) == 1
    two = pd.concat([counts, counts.assign(period=pd.Timestamp("2021-02-01"))])
    shown = notebook.show_over_time(
        two, freq="month", plot=plots.plot_period_counts, empty="-", title="Per month"
    )
    image, table = shown
    assert image.metadata["alt"].startswith("Bar chart: Per month. 2 bars from 2021-01 to 2021-02")
    assert "Data behind this chart (2 rows)" in table.html and "2021-02-01" in table.text


def test_show_chart_shows_the_figure_with_its_alt_text_then_its_data():
    counts = pd.DataFrame({"topic": ["AI", "Robots <b>"], "n_articles": [3, 5]})
    ax = plots.plot_counts(counts, title="Articles per topic")
    dpi = ax.figure.dpi
    shown = notebook.show_chart(ax, counts)
    image, table = shown
    assert isinstance(image, Image) and image.format == "png"
    assert image.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert image.metadata == {"alt": plots.describe_chart(ax)}
    assert "the largest is Robots <b> with 5 articles" in image.metadata["alt"]
    # what a notebook's output keeps: the alt text under the PNG's own metadata
    data, metadata = image._repr_png_()
    assert metadata == {"alt": image.metadata["alt"]}
    assert not plt.fignum_exists(ax.figure.number)  # closed: shown once
    assert "<details" in table.html and "Data behind this chart (2 rows)" in table.html
    assert "Robots &lt;b&gt;" in table.html and "<b>" not in table.html
    assert 'data-name="articles-per-topic"' in table.html
    whole = io.BytesIO()  # newskit's chart fits its figure: rendered whole, at its dpi
    ax.figure.savefig(whole, format="png", dpi=dpi)
    assert image.data == whole.getvalue()


def measured(figure) -> list:
    """The times ``figure``'s tight bounding box is measured from now on."""
    calls = []
    measure = figure.get_tightbbox
    figure.get_tightbbox = lambda *args, **kwargs: calls.append(1) or measure(*args, **kwargs)
    return calls


def png_size(data: bytes) -> tuple[int, int]:
    """A PNG's width and height in pixels (its IHDR chunk)."""
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_a_newskit_chart_is_rendered_whole_with_all_it_draws():
    ax = plots.plot_counts(
        pd.DataFrame({"topic": ["A rather long topic name", "B"], "n_articles": [3, 5]}),
        title="Articles per topic",
        xlabel="articles",
    )
    width, height = ax.figure.get_size_inches() * ax.figure.dpi
    tight = measured(ax.figure)
    image = notebook.show_chart(ax, None)[0]
    # the whole figure, never measured for a tight box (which lays out every text again)
    assert not tight
    assert png_size(image.data) == (round(width), round(height))
    # what it draws lies inside the figure, with the margin a tight box keeps around it
    drawn = ax.figure.get_tightbbox()
    size = ax.figure.get_size_inches()
    margin = plots.MARGIN * 0.9  # constrained layout places things to a few hundredths
    assert drawn.x0 >= margin and drawn.y0 >= margin
    assert drawn.x1 <= size[0] - margin and drawn.y1 <= size[1] - margin


def test_a_figure_of_ones_own_is_cropped_as_the_inline_backend_crops_it():
    figure, ax = plt.subplots()  # no layout: its labels may reach past the figure
    ax.bar(["a label far too long to fit the figure at all", "b"], [1, 2])
    ax.tick_params(axis="x", labelrotation=90)
    dpi = figure.dpi
    tight = measured(figure)
    image = notebook.show_chart(ax, None)[0]
    assert tight  # measured, then cropped
    inline = io.BytesIO()  # as the inline backend renders: bbox tight, the figure's dpi
    figure.savefig(inline, format="png", bbox_inches="tight", dpi=dpi)
    assert image.data == inline.getvalue()
    assert png_size(image.data) != (
        round(figure.get_figwidth() * dpi),
        round(figure.get_figheight() * dpi),
    )


def test_show_chart_without_data_shows_the_figure_alone():
    counts = pd.DataFrame({"topic": ["AI"], "n_articles": [3]})
    ax = plots.plot_counts(counts, title="Articles per topic")
    shown = notebook.show_chart(ax, None)
    assert len(shown) == 1 and isinstance(shown[0], Image)
    assert "Articles per topic" in shown[0].metadata["alt"]


def test_show_chart_takes_its_alt_text_and_name_and_keeps_a_matrix_index():
    matrix = pd.DataFrame([[2, 1], [1, 3]], index=["AI", "Robots"], columns=["AI", "Robots"])
    ax = plots.plot_matrix(matrix, title="Pairs")
    image, table = notebook.show_chart(ax, matrix.head(1), alt="Two topics.", name="pairs")
    assert image.metadata["alt"] == "Two topics."
    assert 'data-name="pairs"' in table.html and "(1 row)" in table.html
    assert table.text.splitlines()[-1].split()[:2] == ["AI", "2"]


def test_show_over_time_draws_gaps_for_a_month_without_articles(make_corpus):
    files = {
        f"{i}.md": story(date, originalUrl=f'"u{i}"', quality=10 * (i + 1))
        for i, date in enumerate(["2021-01-04", "2021-03-01", "2021-03-08"])
    }
    articles = newskit.load_corpus(make_corpus(files), cache=False).articles
    trend = stats.build_score_trend(articles, freq="month")
    image, table = notebook.show_over_time(
        trend, freq="month", plot=plots.plot_score_trend, empty="-"
    )
    assert "2 lines (quality, heat) from 2021-01 to 2021-03" in image.metadata["alt"]
    assert "2 points are missing, drawn as gaps" in image.metadata["alt"]
    assert "(3 rows)" in table.html and "2021-02-01" in table.text


def test_show_shares_over_time_leaves_out_thin_periods_and_says_so(make_corpus):
    dates = ["2021-01-04"] * 5 + ["2021-02-01"] + ["2021-03-01"] * 6
    files = {
        f"{i}.md": story(
            f"{date}T{i:02d}:00:00Z", originalUrl=f'"u{i}"', topic="X" if i % 3 else "Y"
        )
        for i, date in enumerate(dates)
    }
    articles = newskit.load_corpus(make_corpus(files), cache=False).articles
    table = stats.count_topics_by_period(articles, freq="month")
    shown = notebook.show_shares_over_time(table, freq="month", title="Shares")
    assert texts(shown)[0].startswith("1 of the 3 months has fewer than 5 articles")
    image, data = shown[1:]
    assert image.metadata["alt"].startswith("Line chart: Shares. 2 lines")
    assert "2 points are missing, drawn as gaps" in image.metadata["alt"]
    assert "n_period_articles" in data.text
    few = stats.count_topics_by_period(articles.iloc[:6], freq="month")
    assert texts(notebook.show_shares_over_time(few, freq="month")) == [
        "Fewer than two months have 5 articles or more, so there are no shares to compare."
    ]
    every = stats.count_topics_by_period(articles.iloc[:6], freq="month", min_articles=1)
    shown = notebook.show_shares_over_time(every, freq="month", min_articles=1)
    assert texts(shown)[0] == "1 of the 3 months has no article, so no share (gaps in the lines)."
    assert isinstance(shown[1], Image) and "2021-02-01" in shown[2].text


def test_show_over_time_says_its_own_sentence_for_one_period(make_corpus):
    counts = stats.count_by_period(
        newskit.load_corpus(make_corpus({"a.md": story("2021-01-04")})).articles
    )
    shown = notebook.show_over_time(
        counts, freq="week", plot=plots.plot_period_counts, empty="-", single="Only one."
    )
    assert texts(shown) == ["Only one."]


@pytest.mark.parametrize("by", ["type", "provider", "topic"])
def test_show_scores_by_every_branch(make_corpus, by):
    none, one, no_spread = notebook.SCORES_BY_NOTES[by]
    kinds = {"type": "kind", "provider": "domain", "topic": "topic"}[by]
    values = {"kind": ("article", "video"), "domain": ("a.com", "b.com"), "topic": ("X", "Y")}
    first, second = values[kinds]

    def articles(files: dict) -> pd.DataFrame:
        return newskit.load_corpus(make_corpus(files), cache=False).articles

    same = articles({"a.md": story("2021-01-04", **{kinds: first})})
    assert texts(notebook.show_scores_by(same, by=by))[1] == one
    singles = articles(
        {
            "a.md": story("2021-01-04", **{kinds: first}),
            "b.md": story("2021-01-05", originalUrl='"u"', **{kinds: second}),
        }
    )
    assert texts(notebook.show_scores_by(singles, by=by))[1] == no_spread
    many = articles(
        {
            f"{i}.md": story("2021-01-04", originalUrl=f'"u{i}"', **{kinds: (first, second)[i % 2]})
            for i in range(4)
        }
    )
    shown = notebook.show_scores_by(many, by=by)
    assert shown[1].metadata["alt"].startswith(f"Box plot: Quality by {by}. 2 boxes of quality")
    assert "Data behind this chart (2 rows)" in shown[2].html and "q1" in shown[2].text
    assert texts(notebook.show_scores_by(same.iloc[0:0], by=by)) == [none]


def test_show_scores_by_checks_its_grouping_first(make_corpus):
    with pytest.raises(ValueError, match="by must be one of"):
        notebook.show_scores_by(newskit.load_corpus(SEEDS).articles.iloc[0:0], by="colour")


def test_list_title_words():
    words = pd.DataFrame(
        {"topic": ["Y", "Y", "X"], "word": ["cars", "law", "robots"], "n_titles": [3, 1, 2]}
    ).astype({"topic": "string", "word": "string"})
    listed = notebook.list_title_words(words)
    assert listed.columns.tolist() == ["topic", "most frequent title words (titles)"]
    assert listed.values.tolist() == [["Y", "cars (3), law (1)"], ["X", "robots (2)"]]


def test_headline_numbers_use_the_one_set_of_labels():
    corpus = newskit.load_corpus(SEEDS)
    shown = notebook.headline_numbers(corpus).text.splitlines()
    assert shown[0] == f"{SUMMARY_LABELS['n_articles']}: 1"
    assert shown[1:4] == [
        "stories: 1",
        "share of articles that are copies: 0.0%",
        "files read: 1",
    ]
    assert shown[-1] == f"fingerprint: {corpus.fingerprint}"
    assert len(shown) == len(notebook.HEADLINE_KEYS)


def test_links_into_the_browser_only_in_a_report_that_renders_it(monkeypatch):
    table = pd.DataFrame({"provider": ["a.example", None], "n_articles": [2, 1]})
    monkeypatch.delenv(listing.PAGE_ENV, raising=False)
    assert notebook.article_links(table, provider="provider") is None
    monkeypatch.setenv(listing.PAGE_ENV, listing.PAGE)
    assert notebook.article_links(table, provider="provider") == {
        "provider": ["06-articles.html#filter:provider=%3Da.example", None]
    }


def test_periods_link_to_their_articles(monkeypatch):
    table = pd.DataFrame(
        {
            "period": pd.to_datetime(["2021-03-01", "2021-03-08"]),
            "topic": ["AI", "Robots & co"],
            "n_articles": [1, 2],
        }
    )
    monkeypatch.setenv(listing.PAGE_ENV, listing.PAGE)
    links = notebook.period_links(table, freq="week")
    assert links["period"] == [
        "06-articles.html#filter:published=2021-03-01..2021-03-07",
        "06-articles.html#filter:published=2021-03-08..2021-03-14",
    ]
    assert links["topic"][1] == (
        "06-articles.html#filter:published=2021-03-08..2021-03-14&topics=%3DRobots%20%26%20co"
    )
    month = notebook.period_links(table.iloc[:1], freq="month")
    assert month["period"] == ["06-articles.html#filter:published=2021-03-01..2021-03-31"]
    monkeypatch.delenv(listing.PAGE_ENV)
    assert notebook.period_links(table, freq="week") is None


def test_headline_numbers_count_articles_and_stories(make_corpus):
    files = {f"{i}.md": story(f"2021-01-0{i + 1}T10:00:00Z", domain=f"p{i}.com") for i in range(3)}
    files["other.md"] = story("2021-02-01T10:00:00Z", title='"Boats sail home"')
    shown = notebook.headline_numbers(newskit.load_corpus(make_corpus(files)))
    assert shown.text.splitlines()[:3] == [
        "articles: 4",
        "stories: 2",
        "share of articles that are copies: 50.0%",
    ]


def test_list_distinctive_words():
    words = pd.DataFrame(
        {
            "group": ["Y", "Y", "X"],
            "word": ["cars", "law", "robots"],
            "n_group": [3, 1, 2],
            "n_rest": [0, 0, 1],
            "log_odds": [2.0, 1.0, 0.5],
            "z": [3.0, 1.0, 0.4],
        }
    ).astype({"group": "string", "word": "string"})
    listed = notebook.list_distinctive_words(words, label="topic")
    assert listed.columns.tolist() == ["topic", "distinctive title words (stories)"]
    assert listed.values.tolist() == [["Y", "cars (3), law (1)"], ["X", "robots (2)"]]


def test_show_distinctive_words(make_corpus, monkeypatch):
    monkeypatch.delenv(listing.PAGE_ENV, raising=False)
    files = {
        f"{i}.md": story(
            f"2021-01-0{i + 1}T10:00:00Z",
            title=f'"{"Robots build cars" if i < 3 else "Boats sail home"} {i}"',
            topic="X" if i < 3 else "Y",
        )
        for i in range(6)
    }
    articles = newskit.load_corpus(make_corpus(files), cache=False).articles
    shown = notebook.show_distinctive_words(articles, by="topic")
    assert len(shown) == 2
    assert shown[0].text.splitlines()[0].split() == ["topic", "distinctive", "title", "words"] + [
        "(stories)"
    ]
    assert "robots (3)" in shown[0].text and "boats (3)" in shown[0].text
    assert "<details" in shown[1].html and "log_odds" in shown[1].text
    assert "06-articles.html" not in shown[0].html  # no browser outside a report
    monkeypatch.setenv(listing.PAGE_ENV, listing.PAGE)
    linked = notebook.show_distinctive_words(articles, by="topic")
    assert 'href="06-articles.html#filter:topics=%3DX"' in linked[0].html
    assert 'href="06-articles.html#filter:topics=%3DY"' in linked[1].html
    alone = notebook.show_distinctive_words(articles.iloc[:1], by="provider")
    assert texts(alone) == [
        "No provider stands apart by its title words: there are fewer than two providers, "
        "or no title word is used in two stories of one provider more than elsewhere."
    ]


@pytest.mark.parametrize("in_report", [True, False])
def test_a_reports_kernel_moves_what_it_holds_out_of_the_collectors_way(tmp_path, in_report):
    # in a process of its own: a frozen object stays out of the collector's reach for good
    code = (
        "import gc, weakref\nfrom newskit import notebook\n"
        # garbage in a cycle, which only a collection frees (none runs by itself here)
        "gc.disable()\nclass Node: pass\nnode = Node()\nnode.me = node\n"
        "garbage = weakref.ref(node)\ndel node\n"
        "corpus = notebook.open_selection(sys.argv[1], columns=notebook.REPORT_COLUMNS)\n"
        "gc.collect()  # what is frozen stays\n"
        "print(len(corpus), gc.get_freeze_count(), garbage() is None)"
    )
    env = {**os.environ, "NEWSKIT_CACHE_DIR": str(tmp_path), "NEWSKIT_PROGRESS": "0"}
    env.pop(SNAPSHOT_ENV, None)
    if in_report:  # as newskit report starts its kernels
        env[SNAPSHOT_ENV] = str(SEEDS.resolve())
    done = subprocess.run(
        [sys.executable, "-c", "import sys\n" + code, str(SEEDS)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    articles, frozen, freed = done.stdout.split()
    assert int(articles) == 1
    # the libraries, the corpus and its frames: thousands of objects
    assert (int(frozen) > 10_000) if in_report else int(frozen) == 0
    assert freed == "True"  # the garbage there was when it froze was collected, not frozen
