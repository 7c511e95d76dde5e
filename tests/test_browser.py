"""Open every generated report in Debian's headless Chromium: offline, error-free, inert.

Driven by Python playwright with ``executable_path``; no browser is ever downloaded. Without
chromium or playwright the tests skip, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import full_run

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Everything in the DOM that could run code or leave the file.
DOM_CHECK = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (['script', 'iframe', 'object', 'embed', 'frame'].includes(tag)) found.push('<' + tag + '>');
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.trim().toLowerCase();
      if (name.startsWith('on')) found.push(tag + ' ' + name);
      const away = ['javascript:', 'http:', 'https:', '//'].some(p => value.startsWith(p));
      if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(name) && away)
        found.push(tag + ' ' + name + '=' + value.slice(0, 40));
    }
  }
  return found;
}"""


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required under CI)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed: pip install -e '.[dev]'")
    executable = CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")
    if executable is None:
        _unavailable(f"{CHROMIUM} not found: apt-get install chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(executable), args=FLAGS)
        yield browser
        browser.close()


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
    seen["dom"] = page.evaluate(DOM_CHECK)
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
    page.close()
    assert shown and set(shown) == {"grid"}
    # In print a heading stays on the page of what follows it.
    assert heading == ("avoid" if media == "print" else "auto")
