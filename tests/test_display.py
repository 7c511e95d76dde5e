"""Display helpers: escaped, bounded tables, notes and headline numbers."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pytest
from conftest import SEED_TEXT

from newskit import load_corpus
from newskit.display import (
    CSS,
    Rendered,
    escape_controls,
    format_value,
    note,
    render_corpus,
    render_numbers,
    render_table,
)

HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="alert(1)">'


def test_table_escapes_every_cell_and_header():
    data = pd.DataFrame({HOSTILE: [HOSTILE], "url": ["javascript:alert(1)"]})
    out = render_table(data)
    assert isinstance(out, Rendered)
    assert "<script" not in out.html
    assert "<img" not in out.html
    assert "&lt;script&gt;" in out.html
    assert "onerror=&quot;alert(1)&quot;" in out.html
    # URLs are text in a cell, never a link.
    assert "<a" not in out.html
    assert "<td>javascript:alert(1)</td>" in out.html


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        " javascript:alert(1)",
        "\x00https://a.example/",
        "https://a.example/\nx",
        "data:text/html,<script>alert(1)</script>",
        "//a.example/x",
        "/etc/passwd",
        "ftp://a.example/",
        "http:/a.example",
        "https://",
        "vbscript:x",
        'index.html#"><script>',
        "../index.html",
        None,
        "",
    ],
)
def test_links_other_than_http_or_report_pages_stay_text(href):
    out = render_table(pd.DataFrame({"title": ["A title"]}), links={"title": [href]})
    assert "<a" not in out.html
    assert "<td>A title</td>" in out.html


def test_links_open_http_addresses_apart_and_report_pages_in_place():
    data = pd.DataFrame({"title": ["One <b>", "Two", "Three"]})
    hrefs = ['https://a.example/x?a=1&b="2"', "HTTP://b.example/", "06-articles.html#filter:a=%3Db"]
    out = render_table(data, links={"title": hrefs})
    assert (
        '<td><a href="https://a.example/x?a=1&amp;b=&quot;2&quot;" rel="noopener noreferrer"'
        ' target="_blank">One &lt;b&gt;</a></td>'
    ) in out.html
    assert '<a href="HTTP://b.example/" rel="noopener noreferrer" target="_blank">Two</a>' in (
        out.html
    )
    assert '<td><a href="06-articles.html#filter:a=%3Db">Three</a></td>' in out.html
    assert out.text.splitlines()[1] == "One <b>"


def test_links_must_match_the_table():
    data = pd.DataFrame({"title": ["a", "b"]})
    with pytest.raises(ValueError, match="1 links for 2 rows"):
        render_table(data, links={"title": ["https://a.example/"]})
    with pytest.raises(ValueError, match="no column 'url'"):
        render_table(data, links={"url": ["x", "y"]})


def test_shares_show_as_percentages_and_keep_their_value():
    data = pd.DataFrame({"share": [0.9375, None], "top_share": [0.5, 1.0], "shares": [0.5, 1.0]})
    out = render_table(data)
    assert '<td class="num" data-v="0.9375">93.8%</td>' in out.html
    assert '<td class="num" data-v="0.5">50.0%</td>' in out.html
    # Only columns named share, share_* or *_share are shares.
    assert '<td class="num">0.5</td>' in out.html
    assert out.text.splitlines()[1].split() == ["93.8%", "50.0%", "0.5"]


def test_sort_values_are_raw_numbers_iso_timestamps_and_whole_texts():
    data = pd.DataFrame(
        {
            "n": [1234567],
            "when": pd.to_datetime(["2021-04-12T13:30:00Z"]),
            "title": ["x" * 300],
        }
    )
    out = render_table(data, max_chars=30)
    assert '<td class="num" data-v="1234567">1,234,567</td>' in out.html
    assert '<td data-v="2021-04-12T13:30:00+00:00">2021-04-12 13:30 UTC</td>' in out.html
    assert f'<td data-v="{"x" * 300}">{"x" * 29}\u2026</td>' in out.html


def test_list_cells_keep_their_items():
    data = pd.DataFrame({"topics": [["AI", "<b>"], ["a" * 30, "b" * 30, "c" * 30]]})
    out = render_table(data, max_chars=70)
    assert (
        '<td><span class="newskit-item">AI</span>, <span class="newskit-item">&lt;b&gt;</span></td>'
        in out.html
    )
    cut = f'data-v="{"a" * 30}, {"b" * 30}, {"c" * 30}"'
    assert cut in out.html and ", \u2026</td>" in out.html


def test_details_wrap_the_table_closed():
    out = render_table(pd.DataFrame({"n": [1]}), details="Data behind this <chart>")
    assert out.html.startswith(
        '<details class="newskit-details"><summary>Data behind this &lt;chart&gt;</summary>'
    )
    assert out.html.endswith("</details>")


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({}, "table"),
        ({"caption": "Articles per <topic>"}, "articles-per-topic"),
        ({"name": "My data"}, "my-data"),
    ],
)
def test_table_names_its_download(kwargs, name):
    out = render_table(pd.DataFrame({"n": [1]}), **kwargs)
    assert out.html.startswith(f'<div class="newskit-table-box" data-name="{name}">')


def test_numeric_columns_are_marked_for_right_alignment():
    data = pd.DataFrame({"name": ["a"], "n": [1], "share": [0.5], "flag": [True]})
    out = render_table(data)
    assert out.html.splitlines()[3] == (
        '<thead><tr><th>name</th><th class="num">n</th><th class="num">share</th>'
        "<th>flag</th></tr></thead>"
    )


def test_table_bounds_rows_and_says_how_many_are_left_out():
    data = pd.DataFrame({"n": range(1234)})
    out = render_table(data, max_rows=5)
    assert out.html.count("<tr>") == 6  # header + 5 rows
    line = "The first 5 of 1,234 rows; the page and its CSV download hold only these."
    assert f'<p class="newskit-count" data-cut="">{line}</p>' in out.html
    assert out.text.splitlines()[-1] == line


def test_table_says_how_many_rows_it_has():
    out = render_table(pd.DataFrame({"n": [1, 2]}))
    assert '<p class="newskit-count">2 rows</p>' in out.html
    assert out.text == "n\n1\n2"
    assert '<p class="newskit-count">1 row</p>' in render_table(pd.DataFrame({"n": [1]})).html


def test_table_cuts_long_cells():
    out = render_table(pd.DataFrame({"body": ["x" * 500]}), max_chars=10)
    assert f'<td data-v="{"x" * 500}">xxxxxxxxx\u2026</td>' in out.html


def test_table_formats_lists_missing_values_and_dates():
    data = pd.DataFrame(
        {
            "topics": [["AI", "Computer Vision"], np.array(["Power Apps"], dtype=object)],
            "quality": pd.array([46, None], dtype="Int64"),
            "published_at": pd.to_datetime(["2021-04-12T13:30:00Z", "2021-04-10T00:00:00Z"]),
        }
    )
    out = render_table(data)
    assert out.text.splitlines()[1:] == [
        "AI, Computer Vision  46       2021-04-12 13:30 UTC",
        "Power Apps                    2021-04-10",
    ]
    assert '<td class="num"></td>' in out.html


def test_table_index_and_series_and_caption():
    counts = pd.Series([3, 1], index=pd.Index(["AI", "<b>"], name="topic"), name="articles")
    out = render_table(counts, index=True, caption="Per <topic>")
    assert '<th>topic</th><th class="num">articles</th>' in out.html
    assert '<td>&lt;b&gt;</td><td class="num">1</td>' in out.html
    assert '<p class="newskit-caption">Per &lt;topic&gt;</p>' in out.html
    assert out.text.splitlines()[0] == "Per <topic>"


def test_table_rejects_bad_arguments():
    with pytest.raises(ValueError):
        render_table(pd.DataFrame(), max_rows=-1)
    with pytest.raises(TypeError):
        render_table([1, 2])


def test_empty_table_renders_header_only():
    out = render_table(pd.DataFrame({"a": pd.Series([], dtype="str")}))
    assert "<th>a</th>" in out.html
    assert "<td>" not in out.html


def test_note_is_one_escaped_paragraph():
    out = note(f"No related stories in {HOSTILE}.")
    assert out.html.startswith('<p class="newskit-note">No related stories in &lt;script&gt;')
    assert "<script" not in out.html
    assert repr(out) == f"No related stories in {HOSTILE}."


def test_numbers_render_as_escaped_definition_list():
    out = render_numbers({"articles": 1234, "mean quality": 46.2734, HOSTILE: None})
    assert "<dt>articles</dt><dd>1,234</dd>" in out.html
    assert "<dt>mean quality</dt><dd>46.273</dd>" in out.html
    assert "<script" not in out.html
    assert out.text.splitlines()[:2] == ["articles: 1,234", "mean quality: 46.273"]
    assert out.text.splitlines()[2].endswith(": -")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (pd.NA, ""),
        (pd.NaT, ""),
        (float("nan"), ""),
        (True, "yes"),
        (np.int64(1234567), "1,234,567"),
        (0.5, "0.5"),
        (2.0, "2"),
        (np.float64(0.12345), "0.123"),
        (-0.0001, "0"),
        (pd.Timestamp("2021-01-01", tz="UTC"), "2021-01-01"),
        (pd.Timestamp("2021-01-01 13:05", tz="UTC"), "2021-01-01 13:05 UTC"),
        (pd.Timestamp("2021-01-01 13:05", tz="Europe/Paris"), "2021-01-01 13:05 CET"),
        (pd.Timestamp("2021-01-01 13:05"), "2021-01-01 13:05"),
        ("a\tb", "a\tb"),
        (pd.Period("2021-04", freq="M"), "2021-04"),
    ],
)
def test_format_value(value, text):
    assert format_value(value) == text


def test_control_characters_are_shown_escaped():
    frame = pd.DataFrame({"topic\x1b": ["nul\x00here", "esc\x1b]52;c;x\x07"]})
    table = render_table(frame)
    numbers = render_numbers({"key\x1b": "value\x00"})
    sentence = note("a\x1b[2J note")
    for rendered in (table, numbers, sentence):
        for form in (rendered.html, rendered.text):
            assert "\x00" not in form and "\x1b" not in form and "\x07" not in form
    assert "nul\\x00here" in table.html and "topic\\x1b" in table.text
    assert "esc\\x1b]52;c;x\\x07" in table.text
    assert numbers.text == "key\\x1b: value\\x00"
    assert sentence.text == "a\\x1b[2J note"


def test_every_control_character_and_lone_surrogate_is_escaped_and_nothing_else():
    # Unicode's categories Cc and Cs, less newline and tab, character by character
    for code in [*range(0x3000), *range(0xD700, 0xE100), 0xFEFF, 0xFFFD, 0x1F600, 0xE0001]:
        char = chr(code)
        control = char not in "\n\t" and unicodedata.category(char) in ("Cc", "Cs")
        expected = char.encode("unicode_escape", "backslashreplace").decode() if control else char
        assert escape_controls(f"a{char}b") == f"a{expected}b", hex(code)


def test_jupyter_output_carries_the_css_and_html_stays_plain():
    out = render_numbers({"articles": 1})
    assert out._repr_html_() == f'<style type="text/css">{CSS}</style>{out.html}'
    assert "<style" not in out.html
    assert ".jp-OutputArea-output dl.newskit-numbers" in CSS


def test_corpus_shows_its_headline_numbers(make_corpus):
    root = make_corpus({"a.md": SEED_TEXT, "b.md": "no fences\n"})
    corpus = load_corpus(root)
    shown = render_corpus(corpus)
    assert shown.text.splitlines()[:5] == [
        f"Corpus {root}",
        "articles: 1",
        "stories: 1",
        "share of articles that are copies: 0.0%",
        "duplicates: 0",
    ]
    assert "<dt>load errors</dt><dd>1</dd>" in shown.html
    assert "<dt>published</dt><dd>2021-04-12 to 2021-04-12</dd>" in shown.html
    assert corpus._repr_html_() == shown._repr_html_()


def test_numbers_show_shares_as_percentages():
    out = render_numbers({"share of the top 10": 0.9375, "shared": 0.5, "share": 1})
    assert out.text.splitlines() == ["share of the top 10: 93.8%", "shared: 0.5", "share: 1"]


def test_a_repeated_value_shows_as_it_does_alone():
    """Cells of a column made once per distinct value show each value as a table of that value
    alone would: equal values of other types (1, True, 1.0, "1"), missing ones, lists and
    tuples of the same texts, and links stay apart."""
    values = [1, True, 1.0, "1", None, pd.NA, 0, False, -0.0, 0.0, ["a", "b"], ("a", "b"),
              ["a", "b"], "x" * 80, "x" * 80, 1, True, None, float("nan"), "<b>"]  # fmt: skip
    hrefs = [None] * len(values)
    hrefs[1] = hrefs[-1] = "https://example.com/"
    for name in ("value", "share"):  # shown as text, or as percentages where numeric
        table = pd.DataFrame({name: pd.Series(values, dtype=object)})
        alone = [
            render_table(
                pd.DataFrame({name: pd.Series([v], dtype=object)}),
                links={name: [h]},
                max_chars=40,
            ).html
            for v, h in zip(values, hrefs, strict=True)
        ]
        rows = render_table(table, links={name: hrefs}, max_chars=40).html.split("<tr>")[2:]
        cells = [row.split("</tr>")[0] for row in rows]
        assert cells == [html.split("<tr>")[2].split("</tr>")[0] for html in alone]
        counts = pd.DataFrame({"n_articles": [3, 3, 1_000, 3]})  # an integer column repeats too
        assert render_table(counts).text.split("\n")[1:] == ["3", "3", "1,000", "3"]
