"""Open every generated report in Debian's headless Chromium: offline, error-free, inert.

Driven by Python playwright with ``executable_path``; no browser is ever downloaded. Without
chromium or playwright the tests skip, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from conftest import full_run

from newskit.report import PAGE_SCRIPT

# Everything in the DOM that could run code or leave the file, but newskit's own script (its
# text is the argument) and links to http(s) addresses that open apart without a referrer.
DOM_CHECK = """(own) => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (tag === 'script' && el.textContent === own && !el.src) continue;
    const live = ['script', 'iframe', 'object', 'embed', 'frame', 'base'];
    if (live.includes(tag)) found.push('<' + tag + '>');
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.trim().toLowerCase();
      if (name.startsWith('on')) found.push(tag + ' ' + name);
      const web = value.startsWith('http:') || value.startsWith('https:');
      const apart = tag === 'a' && name === 'href' && web && el.relList.contains('noopener')
        && el.relList.contains('noreferrer');
      const away = ['javascript:', 'http:', 'https:', '//', 'data:text']
        .some(p => value.startsWith(p));
      if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(name) && away && !apart)
        found.push(tag + ' ' + name + '=' + value.slice(0, 40));
    }
  }
  return found;
}"""


@pytest.fixture(scope="module", params=["seeds", "real", "hostile"])
def opened(request, tmp_path_factory, browser) -> dict[str, dict]:
    """Every report of one corpus, opened once: file name -> what the page did."""
    _, out, error = full_run(request.param, tmp_path_factory)
    assert error is None
    return {path.name: open_report(browser, path) for path in sorted(out.glob("*.html"))}


def open_report(browser, path: Path) -> dict:
    """Load a report, let it settle, and return what the page did."""
    page = browser.new_page()
    seen: dict = {"requests": [], "console": [], "errors": [], "dialogs": []}
    own = path.resolve().as_uri()
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("console", lambda m: seen["console"].append((m.type, m.text)))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))

    def dialog(d):
        seen["dialogs"].append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    # Any request that is not the file itself is recorded above and then refused here.
    page.route(
        "**/*", lambda route: route.continue_() if route.request.url == own else route.abort()
    )
    page.goto(own, wait_until="load")
    page.wait_for_timeout(300)  # onerror/onload handlers would have fired by now
    seen["images"] = page.evaluate(
        "Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight])"
    )
    seen["pwned"] = page.evaluate("typeof window.__pwned === 'undefined' ? null : window.__pwned")
    seen["dom"] = page.evaluate(DOM_CHECK, PAGE_SCRIPT)
    seen["tables"] = page.evaluate("document.querySelectorAll('div.newskit-table-box').length")
    seen["tools"] = page.evaluate("document.querySelectorAll('div.newskit-tools').length")
    seen["own"] = own
    seen["title"] = page.title()
    page.close()
    return seen


def test_reports_open_offline_without_errors(opened):
    assert len(opened) >= 2
    for name, seen in opened.items():
        outside = [u for u in seen["requests"] if u != seen["own"] and not u.startswith("data:")]
        assert outside == [], name
        assert [t for t, _ in seen["console"] if t == "error"] == [], (name, seen["console"])
        assert seen["errors"] == [], name
        assert seen["dialogs"] == [], name
        assert seen["pwned"] is None, name
        assert seen["dom"] == [], name
        assert seen["title"], name
        # newskit's script ran under the page's policy: every table got its tools.
        assert seen["tools"] == seen["tables"], name


def test_every_figure_decodes(opened):
    for name, seen in opened.items():
        for complete, width, height in seen["images"]:
            assert complete and width > 0 and height > 0, name
    assert sum(len(seen["images"]) for seen in opened.values()) > 0


# JupyterLab's own stylesheet, as nbconvert's lab template ships it, with an output inside the
# elements JupyterLab wraps outputs in: the display helpers must win over its rules.
LAB_OUTPUT = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>{lab_css}</style></head>
<body><div class="jp-OutputArea-output jp-RenderedHTMLCommon jp-RenderedHTML">{output}</div>
</body></html>"""

STYLES = """() => {
  const style = (selector, prop) => getComputedStyle(document.querySelector(selector))[prop];
  return {
    dl: style('dl.newskit-numbers', 'display'),
    dt: style('dl.newskit-numbers dt', 'float'),
    dt_width: style('dl.newskit-numbers dt', 'width') === style('dl.newskit-numbers', 'width'),
    text_cell: style('table.newskit-table td', 'textAlign'),
    text_head: style('table.newskit-table th', 'textAlign'),
    number_cell: style('table.newskit-table td.num', 'textAlign'),
    // Long words (addresses, camelCase keys) wrap whole or scroll, never break mid-word.
    wrap: style('table.newskit-table td', 'overflowWrap'),
    word_break: style('table.newskit-table td', 'wordBreak'),
  };
}"""


def lab_stylesheet() -> str:
    from jupyter_core.paths import jupyter_path

    for folder in jupyter_path("nbconvert", "templates", "lab", "static"):
        css = Path(folder) / "index.css"
        if css.exists():
            return css.read_text(encoding="utf-8")
    pytest.fail("nbconvert's lab template (index.css) not found")


@pytest.mark.parametrize("media", ["screen", "print"])
def test_display_helpers_look_the_same_under_jupyterlab_css(browser, tmp_path, media):
    import pandas as pd

    from newskit.display import render_numbers, render_table

    table = render_table(pd.DataFrame({"provider": ["a.example"], "articles": [3]}))
    numbers = render_numbers({"Spearman correlation": 1, "Pearson correlation": 1})
    output = numbers._repr_html_() + table._repr_html_()
    page_file = tmp_path / "lab.html"
    page_file.write_text(LAB_OUTPUT.format(lab_css=lab_stylesheet(), output=output), "utf-8")
    page = browser.new_page()
    page.emulate_media(media=media)
    page.goto(page_file.resolve().as_uri())
    styles = page.evaluate(STYLES)
    page.close()
    assert styles == {
        "dl": "grid",
        "dt": "none",
        "dt_width": False,
        "text_cell": "left",
        "text_head": "left",
        "number_cell": "right",
        "wrap": "break-word",
        "word_break": "normal",
    }


@pytest.mark.parametrize("media", ["screen", "print"])
def test_numbers_are_a_grid_in_a_report(browser, tmp_path_factory, media):
    _, out, error = full_run("seeds", tmp_path_factory)
    assert error is None
    page = browser.new_page()
    page.emulate_media(media=media)
    page.goto((out / "01-overview.html").resolve().as_uri())
    shown = page.evaluate(
        "() => Array.from(document.querySelectorAll('dl.newskit-numbers'))"
        ".map(e => getComputedStyle(e).display)"
    )
    heading = page.evaluate("() => getComputedStyle(document.querySelector('h2')).breakAfter")
    boxes = page.evaluate(
        "() => Array.from(document.querySelectorAll('div.newskit-scroll'))"
        ".map(e => getComputedStyle(e).maxHeight)"
    )
    tools = page.evaluate(
        "() => Array.from(document.querySelectorAll('div.newskit-tools, tr.newskit-filters'))"
        ".map(e => getComputedStyle(e).display)"
    )
    page.close()
    # In print every row of a table is on paper and the controls are not.
    assert boxes and tools
    assert ("none" in set(boxes)) == (media == "print")
    assert ("none" in set(tools)) == (media == "print")
    assert shown and set(shown) == {"grid"}
    # In print a heading stays on the page of what follows it.
    assert heading == ("avoid" if media == "print" else "auto")


# --- Tables a reader can explore: newskit's script on a page built as reports build theirs. ---

HOSTILE = "<img src=x onerror=\"window.__pwned='table'\">"


def _sample():
    import pandas as pd

    rows = []
    for i in range(30):
        rows.append(
            {
                "provider": ["alpha.example", "beta.example", HOSTILE][i % 3],
                "n": None if i == 7 else (i * 37) % 50 * 100,
                "share": i / 40,
                "published": pd.Timestamp("2021-03-01T08:00Z") + pd.Timedelta(days=i),
                "topics": [["AI"], ["AI", "Robotics"], ["Robotics"]][i % 3],
                "title": f"=cmd|' /C calc'!A{i}" if i == 5 else f'Title {i:02}, with "quotes"',
            }
        )
    frame = pd.DataFrame(rows)
    frame["n"] = frame["n"].astype("Int64")
    return frame


def _page(tmp_path: Path, body: str, name: str = "page.html") -> Path:
    """A page with the head, policy, styles and script every newskit report carries."""
    from newskit.display import CSS
    from newskit.report import CSP

    path = tmp_path / name
    path.write_text(
        f'<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" '
        f'content="{html.escape(CSP)}"><meta charset="utf-8"><title>t</title>'
        f"<style>{CSS}</style></head><body>{body}<script>{PAGE_SCRIPT}</script></body></html>",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def table_page(browser, tmp_path):
    from newskit.display import render_table

    path = _page(tmp_path, render_table(_sample(), name="sample").html)
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.resolve().as_uri())
    yield page
    assert errors == []
    context.close()


def _column(page, name: str) -> list[str]:
    return page.evaluate(
        """(name) => {
          const head = document.querySelector('table.newskit-table thead tr');
          const heads = Array.from(head.cells);
          const at = heads.findIndex(th => th.textContent === name);
          return Array.from(document.querySelectorAll('table.newskit-table tbody tr'))
            .map(tr => tr.cells[at].textContent);
        }""",
        name,
    )


def _status(page) -> str:
    return page.text_content("span.newskit-status")


def test_clicking_a_header_sorts_both_ways_then_restores_the_order(table_page):
    frame = _sample()
    page = table_page
    original = _column(page, "title")
    assert original == list(frame["title"])
    page.click("th >> text=n")
    numbers = frame["n"].dropna().sort_values(kind="stable")
    shown = _column(page, "n")
    assert shown == [f"{v:,}" for v in numbers] + [""]  # the empty cell last
    assert page.get_attribute("th:has-text('n') >> nth=0", "aria-sort") is not None
    page.click("th >> text=n")
    assert _column(page, "n") == [f"{v:,}" for v in numbers.sort_values(ascending=False)] + [""]
    page.click("th >> text=n")
    assert _column(page, "title") == original
    # Shares sort by value, not by their text ("10.0%" < "2.5%" as text).
    page.click("th >> text=share")
    assert _column(page, "share") == [f"{v * 100:.1f}%" for v in sorted(frame["share"])]


def test_search_and_column_filters_keep_the_matching_rows(table_page):
    frame = _sample()
    page = table_page
    page.fill("input[type=search]", "BETA")
    assert _column(page, "title") == list(frame.loc[frame["provider"] == "beta.example", "title"])
    assert _status(page) == "Showing 10 of 30 rows"
    page.fill("input[type=search]", "")
    filters = page.locator("tr.newskit-filters input")
    topics = list(frame.columns).index("topics")
    filters.nth(topics).fill("=ai")  # exact, case-insensitive: an item of the list cell
    expected = frame[frame["topics"].map(lambda t: "AI" in t)]
    assert _column(page, "title") == list(expected["title"])
    n = list(frame.columns).index("n")
    filters.nth(n).fill(">=2,000".replace(",", ""))
    expected = expected[expected["n"].fillna(-1) >= 2000]
    assert _column(page, "title") == list(expected["title"])
    filters.nth(topics).fill("")
    filters.nth(n).fill("")
    published = list(frame.columns).index("published")
    filters.nth(published).fill("2021-03-05..2021-03-09")  # the last day counts whole
    days = frame["published"].dt.strftime("%Y-%m-%d")
    assert _column(page, "title") == list(
        frame.loc[days.between("2021-03-05", "2021-03-09"), "title"]
    )
    filters.nth(published).fill("2021-03-3")  # contains: the 30th and 31st
    assert _column(page, "title") == list(frame.loc[days.str.startswith("2021-03-3"), "title"])
    # Corpus text in a cell stays text: the filter matches it, nothing runs.
    filters.nth(published).fill("")
    filters.nth(0).fill("onerror")
    assert len(_column(page, "title")) == 10
    assert page.evaluate("typeof window.__pwned") == "undefined"


def test_download_holds_exactly_the_filtered_rows_in_the_order_shown(table_page, tmp_path):
    import pandas as pd

    frame = _sample()
    page = table_page
    page.locator("tr.newskit-filters input").nth(0).fill("=alpha.example")
    page.click("th >> text=n")
    page.click("th >> text=n")  # descending
    with page.expect_download() as info:
        page.click("text=Download CSV")
    download = info.value
    assert download.suggested_filename == "sample.csv"
    target = tmp_path / "sample.csv"
    download.save_as(target)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so spreadsheets read UTF-8
    got = pd.read_csv(target, encoding="utf-8-sig", keep_default_na=False)
    expected = frame[frame["provider"] == "alpha.example"].sort_values(
        "n", ascending=False, kind="stable"
    )
    assert list(got.columns) == list(frame.columns)
    assert list(got["title"]) == [
        "'" + t if t.startswith("=") else t for t in expected["title"]
    ]  # a formula-looking text is kept from running in a spreadsheet
    assert list(got["n"]) == list(expected["n"])  # raw numbers, not "1,200"
    assert list(got["share"]) == list(expected["share"])  # 0.075, not "7.5%"
    assert list(got["published"]) == [t.isoformat() for t in expected["published"]]
    assert list(got["topics"]) == [", ".join(t) for t in expected["topics"]]


def test_a_link_filters_the_table_through_the_address(browser, tmp_path):
    from newskit.display import render_table

    path = _page(tmp_path, render_table(_sample(), name="sample").html)
    page = browser.new_page()
    page.goto(path.resolve().as_uri() + "#filter:provider=%3Dbeta.example&topics=%3Drobotics")
    assert set(_column(page, "provider")) == {"beta.example"}
    assert len(_column(page, "provider")) == 10
    assert page.locator("tr.newskit-filters input").nth(0).input_value() == "=beta.example"
    page.evaluate("location.hash = '#filter:n=' + encodeURIComponent('<1000')")
    page.wait_for_function("document.querySelector('span.newskit-status').textContent.length")
    frame = _sample()
    assert len(_column(page, "n")) == int((frame["n"] < 1000).sum())
    page.close()


def test_the_policy_blocks_a_script_planted_in_a_report(browser, tmp_path_factory, tmp_path):
    _, out, error = full_run("hostile", tmp_path_factory)
    assert error is None
    report = (out / "01-overview.html").read_text(encoding="utf-8")
    planted = (
        "<script>window.__pwned='inline'</script>"
        "<img src=x onerror=\"window.__pwned='handler'\">"
        "<a id=planted href=\"javascript:void(window.__pwned='url')\">x</a>"
        "<script src=\"data:text/javascript,window.__pwned='data'\"></script>"
    )
    assert report.count("<main>") == 1
    path = tmp_path / "planted.html"
    path.write_text(report.replace("<main>", "<main>" + planted), encoding="utf-8")
    page = browser.new_page()
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else 0)
    page.goto(path.resolve().as_uri())
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    page.click("#planted")
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert len(violations) >= 3
    # newskit's own script still ran.
    assert page.locator("div.newskit-tools").count() > 0
    page.close()


def test_reports_are_complete_with_javascript_off(browser, tmp_path_factory):
    _, out, error = full_run("real", tmp_path_factory)
    assert error is None
    context = browser.new_context(java_script_enabled=False)
    for path in sorted(out.glob("*.html")):
        page = context.new_page()
        page.goto(path.resolve().as_uri())
        assert page.locator("div.newskit-tools").count() == 0, path.name
        boxes = page.locator("div.newskit-table-box")
        for i in range(boxes.count()):
            box = boxes.nth(i)
            line = box.locator("p.newskit-count").text_content()
            rows = box.locator("tbody tr").count()
            assert box.locator("p.newskit-count").is_visible() or not box.is_visible()
            if "first" not in line:
                assert line == (f"{rows:,} row" if rows == 1 else f"{rows:,} rows"), path.name
        page.close()
    context.close()
