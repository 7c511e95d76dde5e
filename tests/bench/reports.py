"""Reports at scale: render every report of a generated corpus and open each page in Chromium.

Prints, per page: its size (every page must stay under 5 MB), the requests it made (none may leave
the file), its tables and figures, whether every table sorts (a click on its first header) and
downloads (the CSV of its rows), and whether every figure's data table downloads. Then the
article browser: how many rows it lists of how many articles, and whether a link into it
filtered by provider shows only that provider. Not a test: it prints figures (a few minutes for
100,000 records).

    python tests/bench/reports.py [N]        # default 100,000 records, into tests/bench/out/
    python tests/bench/reports.py FOLDER     # a corpus of your own
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from generate import generate

import newskit
from newskit import listing
from newskit.report import render_reports

OUT = Path(__file__).resolve().parent / "out"
LIMIT = 5 * 1024 * 1024

CHECK = """async () => {
  const boxes = Array.from(document.querySelectorAll('div.newskit-table-box'));
  const result = {tables: boxes.length, tools: 0, sorted: 0, csv_rows_ok: 0, charts: 0,
                  chart_tables: 0, images_with_alt: 0, images: document.images.length};
  for (const box of boxes) {
    if (box.querySelector('div.newskit-tools')) result.tools += 1;
    const button = box.querySelector('button.newskit-sort');
    if (button) {
      button.click();
      const th = button.closest('th');
      if (th.getAttribute('aria-sort') === 'ascending') result.sorted += 1;
      button.click(); button.click();
    }
    if (box.closest('details.newskit-details')) result.chart_tables += 1;
  }
  for (const img of document.images) {
    const alt = img.getAttribute('alt') || '';
    if (alt && !alt.startsWith('No description')) result.images_with_alt += 1;
  }
  return result;
}"""


def check_page(browser, path: Path) -> dict:
    """Open a report; what it requested and what its tables and figures did."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    own = path.resolve().as_uri()
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if r.url != own else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", lambda r: r.continue_() if r.request.url == own else r.abort())
    began = time.perf_counter()
    page.goto(own, wait_until="load")
    opened = time.perf_counter() - began
    seen = page.evaluate(CHECK)
    downloads = 0
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    buttons = page.locator("div.newskit-tools button")
    for i in range(buttons.count()):
        for _ in range(2):  # Chromium now and then drops one of many downloads in a row
            try:
                with page.expect_download(timeout=5_000) as info:
                    buttons.nth(i).click()
            except PlaywrightTimeout:
                continue
            downloads += info.value.path().stat().st_size > 0
            break
    context.close()
    outside = [u for u in requests if not u.startswith("blob:")]
    return {
        **seen,
        "downloads": downloads,
        "bytes": path.stat().st_size,
        "requests": outside,
        "errors": errors,
        "seconds": opened,
    }


def main() -> None:
    argument = sys.argv[1] if len(sys.argv) > 1 else "100000"
    from playwright.sync_api import sync_playwright

    if Path(argument).is_dir():  # a corpus of your own
        corpus = Path(argument)
    else:
        n = int(argument)
        corpus = OUT / f"reports-{n}"
    if not corpus.exists():
        print(f"generating {n:,} records into {corpus} ...", flush=True)
        generate(corpus, n)
    with tempfile.TemporaryDirectory(prefix="newskit-reports-") as folder:
        out = Path(folder)
        began = time.perf_counter()
        render_reports(corpus, out)
        print(
            f"rendered {len(list(out.glob('*.html')))} pages in {time.perf_counter() - began:.0f} s"
        )
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            print(
                f"{'page':<22}{'MB':>6}{'open s':>8}{'tables':>8}{'sort':>6}{'csv':>6}"
                f"{'charts':>8}{'alt':>5}{'data':>6}  requests/errors"
            )
            ok = True
            for path in sorted(out.glob("*.html")):
                r = check_page(browser, path)
                fine = (
                    r["bytes"] < LIMIT
                    and not r["requests"]
                    and not r["errors"]
                    and r["tools"] == r["sorted"] == r["downloads"] == r["tables"]
                    and r["images_with_alt"] == r["images"]
                    and r["chart_tables"] <= r["images"]
                )
                ok &= fine
                print(
                    f"{path.name:<22}{r['bytes'] / 1e6:>6.2f}{r['seconds']:>8.2f}{r['tables']:>8}"
                    f"{r['sorted']:>6}{r['downloads']:>6}{r['images']:>8}"
                    f"{r['images_with_alt']:>5}{r['chart_tables']:>6}  "
                    f"{len(r['requests'])}/{len(r['errors'])}{'' if fine else '  <- FAILS'}"
                )
            articles = newskit.load_corpus(corpus).articles
            provider = articles["provider_domain"].value_counts().index[0]
            page = browser.new_page()
            page.goto((out / listing.PAGE).resolve().as_uri())
            listed = page.locator("div.newskit-table-box tbody tr").count()
            page.goto(
                (out / listing.PAGE).resolve().as_uri()
                + "#"
                + listing.article_link(provider=provider).partition("#")[2]
            )
            providers = set(
                page.evaluate(
                    "Array.from(document.querySelectorAll('div.newskit-table-box tbody tr'))"
                    ".map(tr => tr.cells[1].textContent)"
                )
            )
            browser.close()
        print(
            f"article browser: {listed:,} rows of {len(articles):,} articles; "
            f"filtered to {provider}: {providers == {provider}}"
        )
        print("all pages pass" if ok and providers == {provider} else "SOME PAGES FAIL")


if __name__ == "__main__":
    main()
