"""The article browser (06-articles.html) in Debian's headless Chromium: every article a row,
titles linked only to web addresses, and links from other reports opening it filtered.

Driven by Python playwright with ``executable_path``; no browser is ever downloaded. Without
chromium or playwright the tests skip, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import full_run

import newskit
from newskit.listing import PAGE, article_link, build_article_list, title_hrefs

# The rows the browser shows: each cell's text, and the title's link when it has one.
ROWS = """() => {
  const table = document.querySelector('table.newskit-table');
  const names = Array.from(table.tHead.rows[0].cells).map(th => th.textContent);
  return {names, rows: Array.from(table.tBodies[0].rows).map(tr => {
    const a = tr.cells[0].querySelector('a');
    return {
      cells: Array.from(tr.cells).map(td => td.textContent),
      href: a && a.getAttribute('href'),
      rel: a && a.getAttribute('rel'),
      target: a && a.getAttribute('target'),
    };
  })};
}"""


def shown_rows(browser, out: Path, link: str = PAGE) -> dict:
    """Open ``link`` (the page, perhaps with a fragment) in ``out``; the table as shown."""
    page_file, _, fragment = link.partition("#")
    own = (out / page_file).resolve().as_uri()
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", lambda r: r.continue_() if r.request.url == own else r.abort())
    page.goto(own + (f"#{fragment}" if fragment else ""), wait_until="load")
    shown = page.evaluate(ROWS)
    page.close()
    assert errors == []
    return shown


def column(shown: dict, name: str) -> list[str]:
    at = shown["names"].index(name)
    return [row["cells"][at] for row in shown["rows"]]


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    corpus, out, error = full_run("real", tmp_path_factory)
    assert error is None
    return newskit.load_corpus(corpus), out


def test_every_article_of_the_corpus_is_a_row(browser, real):
    corpus, out = real
    shown = shown_rows(browser, out)
    assert shown["names"] == [
        "title",
        "provider",
        "published",
        "type",
        "topics",
        "quality",
        "heat",
        "story",
    ]
    assert len(shown["rows"]) == len(corpus.articles) == 192
    assert sorted(column(shown, "title")) == sorted(corpus.articles["title"])


@pytest.mark.parametrize("name", ["real", "hostile"])
def test_titles_link_only_to_web_addresses(browser, tmp_path_factory, name):
    path, out, error = full_run(name, tmp_path_factory)
    assert error is None
    listed = build_article_list(newskit.load_corpus(path).articles)
    expected = sorted(zip(listed["title"], title_hrefs(listed), strict=True), key=str)
    shown = shown_rows(browser, out)
    assert sorted(((r["cells"][0], r["href"]) for r in shown["rows"]), key=str) == expected
    for row in shown["rows"]:
        if row["href"] is None:
            assert row["rel"] is None
        else:
            assert row["href"].startswith(("https://", "http://"))
            assert (row["rel"], row["target"]) == ("noopener noreferrer", "_blank")
    linked = [h for _, h in expected if h is not None]
    assert len(linked) == (192 if name == "real" else 0)


def test_a_link_into_the_browser_shows_only_what_it_names(browser, real):
    corpus, out = real
    articles = corpus.articles
    when = articles["published_at"]
    quality = articles["quality"].fillna(-1)
    story = corpus.stories.sort_values("n_articles", ascending=False)["story_id"].iloc[0]
    cases = {
        article_link(provider="electronicdesign.com"): articles["provider_domain"]
        == "electronicdesign.com",
        article_link(provider="ELECTRONICDESIGN.COM"): articles["provider_domain"]
        == "electronicdesign.com",
        article_link(topics="portals"): articles["topics"].map(lambda t: "Portals" in t),
        article_link(published="2021-05"): when.dt.strftime("%Y-%m") == "2021-05",
        article_link(published=pd.Period("2021-05-03", "W"), provider="microsoft.com"): (
            (when >= pd.Timestamp("2021-05-03", tz="UTC"))
            & (when < pd.Timestamp("2021-05-10", tz="UTC"))
            & (articles["provider_domain"] == "microsoft.com")
        ),
        article_link(quality=(100, None)): quality >= 100,
        article_link(quality=int(articles["quality"].iloc[0])): quality == quality.iloc[0],
        article_link(story=story): articles["story_id"] == story,
    }
    for link, wanted in cases.items():
        wanted = wanted.fillna(False).astype(bool)
        assert 0 < wanted.sum() < len(articles), link
        shown = shown_rows(browser, out, link)
        titles = column(shown, "title")
        assert sorted(titles) == sorted(articles.loc[wanted, "title"]), link


def test_a_period_of_a_chart_table_opens_its_articles(browser, real):
    corpus, out = real
    page = browser.new_page()
    page.goto((out / "01-overview.html").resolve().as_uri())
    link = page.locator("details.newskit-details a[href^='06-articles.html#filter:published=']")
    assert link.count() > 0  # every period of "Articles per month" links to its articles
    month = corpus.articles["published_at"].dt.strftime("%Y-%m").value_counts().index[0]
    href = page.evaluate(
        """(day) => Array.from(document.querySelectorAll('details.newskit-details td a'))
          .filter(a => a.textContent === day).map(a => a.getAttribute('href'))[0]""",
        f"{month}-01",
    )
    page.close()
    assert href == f"06-articles.html#filter:published={month}-01..{month}-{_last_day(month)}"
    shown = shown_rows(browser, out, href)
    months = {cell[:7] for cell in column(shown, "published")}
    assert months == {month}
    assert len(shown["rows"]) == int(
        (corpus.articles["published_at"].dt.strftime("%Y-%m") == month).sum()
    )


def _last_day(month: str) -> str:
    import pandas as pd

    return f"{pd.Period(month, freq='M').end_time.day:02}"
