"""newskit.notebook: the setup and the sections the report notebooks share, on real corpora."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import SEEDS, record
from matplotlib.axes import Axes

import newskit
from newskit import notebook, plots, stats
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
    assert isinstance(shown[0], Axes) and shown[0].get_title() == "Per month"


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
    assert isinstance(shown[1], Axes) and shown[1].get_title() == f"Quality by {by}"
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
    assert shown[1] == "files read: 1"
    assert shown[-1] == f"fingerprint: {corpus.fingerprint}"
    assert len(shown) == len(notebook.HEADLINE_KEYS)
