"""Display helpers: escaped, bounded tables, notes and headline numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import SEED_TEXT

from newskit import load_corpus
from newskit.display import (
    CSS,
    Rendered,
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


def test_numeric_columns_are_marked_for_right_alignment():
    data = pd.DataFrame({"name": ["a"], "n": [1], "share": [0.5], "flag": [True]})
    out = render_table(data)
    assert out.html.splitlines()[1] == (
        '<thead><tr><th>name</th><th class="num">n</th><th class="num">share</th>'
        "<th>flag</th></tr></thead>"
    )


def test_table_bounds_rows_and_says_how_many_are_left_out():
    data = pd.DataFrame({"n": range(1234)})
    out = render_table(data, max_rows=5)
    assert out.html.count("<tr>") == 6  # header + 5 rows
    assert "1,229 more rows not shown (1,234 in all)" in out.html
    assert out.text.splitlines()[-1] == "1,229 more rows not shown (1,234 in all)"


def test_table_without_overflow_has_no_more_line():
    out = render_table(pd.DataFrame({"n": [1, 2]}))
    assert "more rows" not in out.html
    assert out.text == "n\n1\n2"


def test_table_cuts_long_cells():
    out = render_table(pd.DataFrame({"body": ["x" * 500]}), max_chars=10)
    assert "<td>xxxxxxxxx\u2026</td>" in out.html


def test_table_formats_lists_missing_values_and_dates():
    data = pd.DataFrame(
        {
            "topics": [["AI", "Computer Vision"], np.array(["Power Apps"], dtype=object)],
            "quality": pd.array([46, None], dtype="Int64"),
            "published_at": pd.to_datetime(["2021-04-12T13:30:00Z", "2021-04-10T00:00:00Z"]),
        }
    )
    out = render_table(data)
    row = '<td>AI, Computer Vision</td><td class="num">46</td><td>2021-04-12 13:30</td>'
    assert row in out.html
    assert '<td>Power Apps</td><td class="num"></td><td>2021-04-10</td>' in out.html


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


def test_jupyter_output_carries_the_css_and_html_stays_plain():
    out = render_numbers({"articles": 1})
    assert out._repr_html_() == f'<style type="text/css">{CSS}</style>{out.html}'
    assert "<style" not in out.html
    assert ".jp-OutputArea-output dl.newskit-numbers" in CSS


def test_corpus_shows_its_headline_numbers(make_corpus):
    root = make_corpus({"a.md": SEED_TEXT, "b.md": "no fences\n"})
    corpus = load_corpus(root)
    shown = render_corpus(corpus)
    assert shown.text.splitlines()[:3] == [f"Corpus {root}", "articles: 1", "duplicates: 0"]
    assert "<dt>load errors</dt><dd>1</dd>" in shown.html
    assert "<dt>published</dt><dd>2021-04-12 to 2021-04-12</dd>" in shown.html
    assert corpus._repr_html_() == shown._repr_html_()
