"""Report runner: real kernels executing real notebooks, exported to offline HTML."""

from __future__ import annotations

import asyncio
import html
import html.parser
import json
import os
import re
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from conftest import SEEDS, check_page_policy, full_run, private_cache, record
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

import newskit
from newskit import stats
from newskit.cli import main
from newskit.display import format_value, render_numbers
from newskit.errors import CorpusError, ReportError
from newskit.report import (
    NOTEBOOKS,
    PAGE_SCRIPT,
    ReportResult,
    build_index,
    build_toc,
    inject_parameters,
    nothing_shown,
    render_reports,
)

MAX_BYTES = 5 * 1024 * 1024
# Any reference a browser would fetch or follow off the file: absolute, protocol-relative or
# javascript: URLs in src/href, and script elements that load code.
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:|//|javascript:)""", re.I)
#: A link a reader follows to an article (the article browser's titles): opened in a new tab,
#: with no referrer; the only web address a page may hold.
ARTICLE_LINK = re.compile(r'<a href="https?://[^"\s]*" rel="noopener noreferrer" target="_blank">')

PARAMETERS = "corpus = '../seeds'\nstart = None\nend = None\ntopic = None\nprovider = None"


def write_notebook(path: Path, *cells: str, parameters: str | None = PARAMETERS) -> Path:
    """A notebook of markdown (text starting with '#') and code cells, with a parameters cell."""
    nb_cells = []
    if parameters is not None:
        nb_cells.append(new_code_cell(parameters, metadata={"tags": ["parameters"]}))
    for text in cells:
        if text.lstrip().startswith("#") and not text.lstrip().startswith("#!"):
            nb_cells.append(new_markdown_cell(text))
        else:
            nb_cells.append(new_code_cell(text))
    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb = new_notebook(cells=nb_cells, metadata={"kernelspec": kernelspec})
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def write_tiny_notebooks(folder: Path) -> Path:
    write_notebook(
        folder / "01-overview.ipynb",
        "# Tiny overview",
        "## Size",
        "import json\nimport os\nimport newskit\nfrom ipykernel import get_connection_info\n"
        "from newskit.display import note, render_numbers, render_table\n"
        "corpus = newskit.load_corpus(corpus).select(start=start, end=end, topic=topic, "
        "provider=provider)\n"
        "render_numbers({'articles': len(corpus), 'cwd': os.getcwd(), "
        "'progress': os.environ.get('NEWSKIT_PROGRESS'), "
        "'snapshot': os.environ.get('NEWSKIT_SNAPSHOT'), "
        "'snapshot_crc': os.environ.get('NEWSKIT_SNAPSHOT_CRC'), "
        "'transport': json.loads(get_connection_info())['transport']})",
        "## Titles",
        "render_table(corpus.articles[['title', 'web_url']], max_rows=5)",
        "## A figure",
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 3, 2])\nplt.show()",
        "## Related",
        "note('No related stories in this corpus.')",
    )
    write_notebook(
        folder / "02-broken.ipynb",
        "# Broken",
        "## Before",
        "print('computed before the failure')",
        "x = {}['missing']",
        "print('never printed')",
    )
    write_notebook(folder / "03-after.ipynb", "# After", "## Only section", "print(6 * 7)")
    return folder


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """One report run of three tiny notebooks (the second fails) on the seed corpus."""
    root = tmp_path_factory.mktemp("tiny")
    notebooks = write_tiny_notebooks(root / "notebooks")
    out = root / "reports"
    temporary = root / "tmp"  # where the kernels' sockets go, for the run alone
    temporary.mkdir()
    with private_cache(root), pytest.MonkeyPatch.context() as mp:
        mp.setattr(tempfile, "tempdir", str(temporary))
        with pytest.raises(ReportError) as info:
            render_reports(SEEDS, out, topic="AI", notebooks_dir=notebooks)
    return out, notebooks, info.value


def test_failed_notebook_is_named_with_its_cell(tiny_run):
    _, notebooks, error = tiny_run
    # Cell 4 of 02-broken.ipynb as its author sees it: parameters, '# Broken', '## Before',
    # print, then the failing cell; the injected cell is not counted.
    assert str(error) == (
        f"{notebooks / '02-broken.ipynb'}: cell 5 (x = {{}}['missing']): KeyError: 'missing'"
    )


def test_a_failure_carries_its_notebook_cell_and_error(tiny_run):
    _, notebooks, error = tiny_run
    (failure,) = error.failures
    assert failure.notebook == notebooks / "02-broken.ipynb"
    assert (failure.cell, failure.code) == (5, "x = {}['missing']")
    assert (failure.ename, failure.evalue) == ("KeyError", "'missing'")


def test_every_report_is_written_although_one_failed(tiny_run):
    out, _, _ = tiny_run
    names = sorted(p.name for p in out.glob("*.html"))
    assert names == ["01-overview.html", "02-broken.html", "03-after.html", "index.html"]
    assert sorted(p.name for p in out.glob("*.ipynb")) == [
        "01-overview.ipynb",
        "02-broken.ipynb",
        "03-after.ipynb",
    ]
    assert "<pre>42\n</pre>" in (out / "03-after.html").read_text(encoding="utf-8")


def test_failed_report_shows_the_error_and_what_ran_before(tiny_run):
    page = (tiny_run[0] / "02-broken.html").read_text(encoding="utf-8")
    assert 'class="newskit-failure"' in page
    assert "This report is incomplete." in page
    assert "computed before the failure" in page
    assert "KeyError" in page
    assert "never printed" not in page.replace("print(&#39;never printed&#39;)", "")


def test_parameters_are_injected_and_kernels_run_in_the_notebooks_folder(tiny_run):
    out, notebooks, _ = tiny_run
    page = (out / "01-overview.html").read_text(encoding="utf-8")
    assert "<dt>articles</dt><dd>1</dd>" in page  # the seed has topic AI
    assert f"<dt>cwd</dt><dd>{notebooks}</dd>" in page
    assert "<dt>progress</dt><dd>0</dd>" in page
    # the kernels read the corpus as the report's own load found it (see SNAPSHOT_ENV), from
    # the cache file it checked, whose payload CRC they need not compute again
    assert f"<dt>snapshot</dt><dd>{SEEDS.resolve()}</dd>" in page
    [store] = (out.parent / "newskit-cache").glob("*.nkcache")
    data = store.read_bytes()
    header_length, _ = struct.unpack_from("<QI", data, len(data) - 12)
    header = json.loads(data[len(data) - 12 - header_length : len(data) - 12])
    assert f"<dt>snapshot_crc</dt><dd>{header['payload_crc']}</dd>" in page


@pytest.mark.skipif(os.name != "posix", reason="Unix sockets: POSIX only")
def test_kernels_talk_over_unix_sockets_removed_after_the_run(tiny_run):
    # no TCP port for another process to take between its choice and the kernel's bind
    out, _, _ = tiny_run
    page = (out / "01-overview.html").read_text(encoding="utf-8")
    assert "<dt>transport</dt><dd>ipc</dd>" in page
    assert list((out.parent / "tmp").iterdir()) == []


@pytest.mark.skipif(os.name != "posix", reason="Unix sockets: POSIX only")
def test_a_temporary_folder_too_deep_for_a_socket_keeps_tcp(tmp_path, monkeypatch):
    from newskit.report import _OwnKernelManager

    monkeypatch.setattr(tempfile, "tempdir", "/tmp")
    assert _OwnKernelManager().transport == "ipc"
    deep = tmp_path / ("x" * 60) / ("y" * 40)
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    manager = _OwnKernelManager()
    assert (manager.transport, manager.ip) == ("tcp", "127.0.0.1")


@pytest.mark.skipif(os.name != "posix", reason="Unix sockets: POSIX only")
def test_a_kernel_that_cannot_start_leaves_no_socket_folder(tmp_path, monkeypatch):
    from jupyter_client.kernelspec import KernelSpec

    from newskit.report import _OwnKernelManager

    gone = [str(tmp_path / "gone" / "python"), "-m", "ipykernel_launcher", "-f"]
    spec = KernelSpec(argv=[*gone, "{connection_file}"], display_name="Gone", language="python")
    monkeypatch.setattr(_OwnKernelManager, "kernel_spec", property(lambda self: spec))
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks / "a.ipynb", "print(1)")
    with pytest.raises(ReportError, match=r"a\.ipynb: FileNotFoundError"):
        render_reports(SEEDS, tmp_path / "out", notebooks_dir=notebooks)
    assert list(temporary.iterdir()) == []


def test_a_kernel_that_dies_as_it_starts_fails_its_report_with_one_line(tmp_path):
    spec = tmp_path / "jupyter" / "kernels" / "dies"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-c", "raise SystemExit(3)", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Dies"}))
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks / "a.ipynb", "print(1)")
    run = subprocess.run(
        [sys.executable, "-m", "newskit", "report", "--out", str(tmp_path / "out")]
        + ["--notebooks", str(notebooks), "--kernel", "dies"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "JUPYTER_PATH": str(tmp_path / "jupyter"), "NEWSKIT_PROGRESS": "0"},
    )
    assert run.returncode == 1
    # one line, and no traceback from nbclient's exit hook for the kernel that never started
    [line] = run.stderr.splitlines()
    assert line.startswith(f"Error: {notebooks / 'a.ipynb'}: "), run.stderr


def test_reports_make_no_external_reference(tiny_run):
    for page in tiny_run[0].glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not EXTERNAL.findall(text), page.name
        check_page_policy(text)
        assert "@import" not in text, page.name


def test_reports_are_small(tiny_run):
    for page in tiny_run[0].glob("*.html"):
        assert page.stat().st_size < MAX_BYTES, page.name


def test_code_is_hidden_by_default(tiny_run):
    page = (tiny_run[0] / "01-overview.html").read_text(encoding="utf-8")
    assert "render_table" not in page
    assert 'class="jp-CodeMirrorEditor' not in page


def test_figures_are_embedded(tiny_run):
    page = (tiny_run[0] / "01-overview.html").read_text(encoding="utf-8")
    images = re.findall(r'<img[^>]*src="([^"]*)"', page)
    assert len(images) == 1
    assert images[0].startswith("data:image/png;base64,")


def test_table_of_contents_links_every_section(tiny_run):
    page = (tiny_run[0] / "01-overview.html").read_text(encoding="utf-8")
    toc = re.search(r'<nav class="newskit-toc">.*?</nav>', page).group(0)
    assert re.findall(r'<a href="#([^"]+)">([^<]+)</a>', toc) == [
        ("Size", "Size"),
        ("Titles", "Titles"),
        ("A-figure", "A figure"),
        ("Related", "Related"),
    ]
    for anchor in ("Size", "Titles", "A-figure", "Related"):
        assert f'<h2 id="{anchor}">' in page


def test_footer_names_corpus_count_fingerprint_and_version(tiny_run):
    page = (tiny_run[0] / "03-after.html").read_text(encoding="utf-8")
    footer = re.search(r'<footer class="newskit-footer">.*?</footer>', page, re.S).group(0)
    corpus = newskit.load_corpus(SEEDS)
    assert f"<dt>corpus</dt><dd>{SEEDS}</dd>" in footer
    assert "<dt>articles</dt><dd>1</dd>" in footer
    assert "<dt>filters</dt><dd>topic=AI</dd>" in footer
    assert f"<code>{corpus.fingerprint}</code>" in footer
    assert f"<dt>newskit</dt><dd>{newskit.__version__}</dd>" in footer
    assert re.search(r"<dt>generated</dt><dd>\d{4}-\d\d-\d\d \d\d:\d\d UTC</dd>", footer)


def test_index_links_reports_with_headline_numbers(tiny_run):
    out, _, _ = tiny_run
    page = (out / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', page) == [
        ("01-overview.html", "Tiny overview"),
        ("02-broken.html", "Broken"),
        ("03-after.html", "After"),
    ]
    assert page.count("failed:") == 1
    summary = newskit.load_corpus(SEEDS).summary()
    assert f"<dt>articles</dt><dd>{summary['n_articles']}</dd>" in page
    assert f"<dt>topics</dt><dd>{summary['n_topics']}</dd>" in page
    assert "<dt>published</dt><dd>2021-04-12 to 2021-04-12</dd>" in page


def test_cli_report_with_code_shows_code(tmp_path, capsys):
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks / "only.ipynb", "# Only", "## Answer", "answer = 6 * 7\nanswer")
    out = tmp_path / "out"
    status = main(["report", "--out", str(out), "--notebooks", str(notebooks), "--with-code"])
    captured = capsys.readouterr()
    assert (status, captured.err) == (0, "")
    assert captured.out == f"wrote 1 reports and {out / 'index.html'}\n"
    page = (out / "only.html").read_text(encoding="utf-8")
    assert "answer" in page and "6" in page and 'class="jp-CodeMirrorEditor' in page
    assert "Parameters injected by newskit report" in page
    assert "<pre>42</pre>" in page


def test_cli_report_failure_is_one_error_line(tmp_path, capsys):
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks / "bad.ipynb", "1 / 0")
    status = main(["report", "--out", str(tmp_path / "out"), "--notebooks", str(notebooks)])
    captured = capsys.readouterr()
    assert status == 1
    assert captured.err == (
        f"Error: {notebooks / 'bad.ipynb'}: cell 2 (1 / 0): ZeroDivisionError: division by zero\n"
    )
    assert (tmp_path / "out" / "bad.html").exists()


def test_bad_corpus_fails_before_any_kernel_starts(tmp_path):
    notebooks = write_tiny_notebooks(tmp_path / "notebooks")
    with pytest.raises(CorpusError):
        render_reports(tmp_path / "missing", tmp_path / "out", notebooks_dir=notebooks)
    assert not (tmp_path / "out").exists()


def test_no_notebooks_is_an_error(tmp_path):
    with pytest.raises(ReportError, match="no notebooks to render"):
        render_reports(SEEDS, tmp_path / "out", notebooks_dir=tmp_path)


def test_bad_date_is_a_value_error(tmp_path):
    notebooks = write_tiny_notebooks(tmp_path / "notebooks")
    with pytest.raises(ValueError):
        render_reports(SEEDS, tmp_path / "out", start="soon", notebooks_dir=notebooks)


def test_inject_parameters_after_the_parameters_cell(tmp_path):
    path = write_notebook(tmp_path / "a.ipynb", "# Title", "x = 1")
    nb = nbformat.read(path, as_version=4)
    params = {"start": "2021-01-01", "end": None, "topic": "O'Neil", "provider": None}
    at = inject_parameters(nb, Path("/data/corpus"), params, notebook=path)
    assert at == 1
    cell = nb.cells[1]
    assert cell.metadata["tags"] == ["injected-parameters"]
    namespace: dict = {}
    exec(cell.source, namespace)
    assert {k: namespace[k] for k in ("corpus", "start", "end", "topic", "provider")} == {
        "corpus": "/data/corpus",
        **params,
    }


def test_inject_parameters_accepts_corpus_path_name(tmp_path):
    path = write_notebook(tmp_path / "a.ipynb", parameters="corpus_path = 'x'")
    nb = nbformat.read(path, as_version=4)
    inject_parameters(nb, Path("/c"), {"topic": None}, notebook=path)
    assert nb.cells[1].source.splitlines()[1:] == ["corpus_path = '/c'"]


def test_inject_parameters_refuses_a_filter_the_notebook_ignores(tmp_path):
    path = write_notebook(tmp_path / "a.ipynb", parameters="corpus = 'x'")
    nb = nbformat.read(path, as_version=4)
    with pytest.raises(ReportError, match=r"a\.ipynb: the parameters cell takes no topic"):
        inject_parameters(nb, Path("/c"), {"topic": "AI"}, notebook=path)


def test_inject_parameters_needs_a_parameters_cell(tmp_path):
    path = write_notebook(tmp_path / "a.ipynb", "x = 1", parameters=None)
    nb = nbformat.read(path, as_version=4)
    with pytest.raises(ReportError, match="no cell tagged 'parameters'"):
        inject_parameters(nb, Path("/c"), {}, notebook=path)


def test_build_toc_escapes_labels():
    page = (
        '<h2 id="A-&amp;-B">A &amp; &lt;B&gt;'
        '<a class="anchor-link" href="#A-&amp;-B">\u00b6</a></h2>'
    )
    assert build_toc(page) == (
        '<nav class="newskit-toc"><p>Contents</p><ol>'
        '<li><a href="#A-&amp;-B">A &amp; &lt;B&gt;</a></li></ol></nav>'
    )
    assert build_toc("<h1>none</h1>") == ""


@pytest.fixture(scope="module", params=["seeds", "real", "hostile"])
def project_run(request, tmp_path_factory):
    return full_run(request.param, tmp_path_factory)


def numbers_in(page: str) -> dict[str, str]:
    """Every headline number a report shows, label -> text, across its number lists."""
    shown: dict[str, str] = {}
    for block in re.findall(r'<dl class="newskit-numbers">(.*?)</dl>', page, re.S):
        for label, value in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", block, re.S):
            shown[html.unescape(label)] = html.unescape(value)
    return shown


def test_project_notebooks_all_render(project_run):
    corpus, out, error = project_run
    assert error is None
    names = sorted(p.name for p in out.glob("*.html"))
    expected = sorted(f"{p.stem}.html" for p in NOTEBOOKS.glob("*.ipynb"))
    assert names == sorted([*expected, "index.html"])
    loaded = newskit.load_corpus(corpus)
    for page in out.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert page.stat().st_size < MAX_BYTES, page.name
        assert not EXTERNAL.findall(ARTICLE_LINK.sub("<a>", text)), page.name
        check_page_policy(text)
        assert f"<code>{loaded.fingerprint}</code>" in text, page.name
        assert f"<dt>articles</dt><dd>{len(loaded):,}</dd>" in text, page.name


class _Live(html.parser.HTMLParser):
    """What in a page could run code: tags, event-handler attributes, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "frame", "svg", "base", "form"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}")
            address = (value or "").strip().lower()
            if name in ("href", "src", "action", "formaction") and address.startswith(
                ("javascript:", "vbscript:", "data:text")
            ):
                self.found.append(f"{tag} {name}={address[:30]}")


def test_project_reports_keep_corpus_text_inert(project_run):
    _, out, _ = project_run
    own = f"<script>{PAGE_SCRIPT}</script>"
    for page in out.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert text.count(own) == 1, page.name
        live = _Live()
        live.feed(text.replace(own, ""))
        assert live.found == [], page.name


def test_project_reports_show_the_numbers_the_api_gives(project_run):
    corpus, out, _ = project_run
    loaded = newskit.load_corpus(corpus)
    articles = loaded.articles
    s = loaded.summary()
    expected = {
        "01-overview.html": {
            "articles": s["n_articles"],
            "stories": s["n_stories"],
            "share of articles that are copies": s["share_copies"],
            "files read": s["n_files"],
            "first published": s["first_published_at"],
            "last published": s["last_published_at"],
            "providers": s["n_providers"],
            "topics": s["n_topics"],
            "duplicates": s["n_duplicates"],
            "fingerprint": s["fingerprint"],
        },
    }
    concentration = stats.measure_concentration(articles, n=10)
    if not concentration.empty:
        row = concentration.iloc[0]
        expected["03-providers.html"] = {
            "share of the top 10": row["top_share"],
            "Herfindahl index": row["herfindahl"],
        }
    stories = stats.summarize_stories(articles).iloc[0]
    expected["05-coverage.html"] = {
        "stories": stories["n_stories"],
        "copies": stories["n_copies"],
        "share of articles that are copies": stories["share_copies"],
        "stories with more than one article": stories["n_syndicated"],
    }
    relation = stats.correlate_scores(articles).iloc[0]
    expected["04-quality-heat.html"] = {
        "articles with both scores": relation["n_pairs"],
        "share where quality equals heat": relation["share_equal"],
    }
    for name, numbers in expected.items():
        shown = numbers_in((out / name).read_text(encoding="utf-8"))
        for label, value in numbers.items():
            # As the display helpers show a number: a share as a percentage.
            text = render_numbers({label: value}).text.split(": ", 1)[1]
            assert shown.get(label) == text, (name, label)


def test_the_index_counts_stories_and_coverage_shows_them_without_related(project_run):
    corpus, out, _ = project_run
    loaded = newskit.load_corpus(corpus)
    index = numbers_in((out / "index.html").read_text(encoding="utf-8"))
    share = loaded.summary()["share_copies"]
    assert index["articles"] == format_value(len(loaded))
    assert index["stories"] == format_value(len(loaded.stories))
    assert index["share of articles that are copies"] == f"{share * 100:.1f}%"
    coverage = (out / "05-coverage.html").read_text(encoding="utf-8")
    assert "Stories and their copies" in coverage
    if loaded.related.empty:  # the real corpus: no record has related
        assert "No article has related stories" in coverage
        page = (out / "index.html").read_text(encoding="utf-8")
        assert "nothing to show" not in page


def test_table_of_contents_follows_the_title_cell(tiny_run):
    page = (tiny_run[0] / "01-overview.html").read_text(encoding="utf-8")
    assert page.index("</h1>") < page.index('<nav class="newskit-toc">') < page.index("<h2")
    assert page.count('<nav class="newskit-toc">') == 1


def test_render_reports_works_inside_a_running_event_loop(tmp_path):
    # As in a notebook cell, where Jupyter's own event loop is running.
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks / "a.ipynb", "print(1)")

    async def inside_a_loop():
        return render_reports(SEEDS, tmp_path / "out", notebooks_dir=notebooks)

    written = asyncio.run(inside_a_loop())
    assert [p.name for p in written] == ["a.html", "index.html"]


def test_reports_get_the_mode_of_any_new_file(tmp_path):
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks / "a.ipynb", "print(1)")
    mask = os.umask(0o027)
    try:
        written = render_reports(SEEDS, tmp_path / "out", notebooks_dir=notebooks)
    finally:
        os.umask(mask)
    assert [p.stat().st_mode & 0o777 for p in written] == [0o640, 0o640]


# --- Signals, full disks and unwritable folders: `newskit report` run as a user runs it ---

NEWSKIT = Path(sys.executable).parent / "newskit"
GOOD = "<!DOCTYPE html><html><body>a good report from an earlier run</body></html>\n"


def write_sleeping_notebooks(folder: Path, marks: Path) -> Path:
    """Two notebooks whose kernels each start a child process, say so in ``marks``, then wait."""
    for name in ("a-sleeps", "b-sleeps"):
        write_notebook(
            folder / f"{name}.ipynb",
            f"# {name}",
            "import os, pathlib, subprocess, time\n"
            "child = subprocess.Popen(['sleep', '300'])\n"
            f"pathlib.Path({str(marks)!r}, {name!r}).write_text(f'{{os.getpid()}} {{child.pid}}')\n"
            "time.sleep(300)",
        )
    return folder


def start_report(out: Path, notebooks: Path, **popen) -> subprocess.Popen:
    """``newskit report`` on the seed corpus, in a session of its own as a shell job would be."""
    command = [str(NEWSKIT), "report", str(SEEDS), "--out", str(out)]
    command += ["--notebooks", str(notebooks)]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen
    )


def process_state(pid: int) -> tuple[str, int] | None:
    """(state letter, parent pid) of a process from /proc, None when there is none."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    state, ppid = stat[stat.rindex(")") + 2 :].split()[:2]
    return state, int(ppid)


def descendants(pid: int) -> list[int]:
    parents = {int(p.name): process_state(int(p.name)) for p in Path("/proc").glob("[0-9]*")}
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        kids = [k for k, st in parents.items() if st is not None and st[1] == parent]
        found += kids
        todo += kids
    return found


def alive(pids) -> list[int]:
    """The processes of ``pids`` still running (zombies, already dead, do not count)."""
    states = {pid: process_state(pid) for pid in pids}
    return [pid for pid, st in states.items() if st is not None and st[0] != "Z"]


def in_session(sid: int) -> list[int]:
    left = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if os.getsid(int(entry.name)) == sid:
                left.append(int(entry.name))
        except OSError:
            pass
    return alive(left)


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_stops_the_run_kills_every_kernel_and_keeps_good_reports(tmp_path, signum, status):
    marks = tmp_path / "marks"
    marks.mkdir()
    notebooks = write_sleeping_notebooks(tmp_path / "notebooks", marks)
    out = tmp_path / "out"
    out.mkdir()
    for name in ("a-sleeps.html", "index.html"):
        (out / name).write_text(GOOD, encoding="utf-8")
    run = start_report(out, notebooks, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while len(list(marks.iterdir())) < 2:  # both kernels are running a cell
            assert run.poll() is None, run.communicate()
            if time.monotonic() > deadline:  # what the report said of its kernels, then
                os.killpg(run.pid, signal.SIGKILL)
                pytest.fail(f"the kernels never ran: {run.communicate()[1]}")
            time.sleep(0.1)
        kernels = descendants(run.pid)
        grandchildren = [int(p) for m in marks.iterdir() for p in m.read_text().split()]
        began = time.monotonic()
        os.killpg(run.pid, signum)
        _, err = run.communicate(timeout=30)
        took = time.monotonic() - began
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    assert run.returncode == status
    assert err.splitlines()[-1] == "Error: interrupted", err
    assert "Traceback" not in err and "AssertionError" not in err, err
    assert took < 10
    time.sleep(0.5)
    assert len(kernels) >= 2
    assert alive(kernels + grandchildren) == []
    assert in_session(run.pid) == []
    assert sorted(p.name for p in out.iterdir()) == ["a-sleeps.html", "index.html"]
    assert (out / "a-sleeps.html").read_text(encoding="utf-8") == GOOD
    assert (out / "index.html").read_text(encoding="utf-8") == GOOD


def write_big_and_small_notebooks(folder: Path, size: int) -> Path:
    write_notebook(folder / "a-small.ipynb", "# Small", "print(42)")
    write_notebook(folder / "b-big.ipynb", "# Big", f"print('x' * {size})")
    return folder


def with_good_reports(out: Path) -> Path:
    out.mkdir()
    for name in ("b-big.html", "index.html"):
        (out / name).write_text(GOOD, encoding="utf-8")
    return out


def assert_good_reports_kept(out: Path) -> None:
    assert (out / "b-big.html").read_text(encoding="utf-8") == GOOD
    assert (out / "index.html").read_text(encoding="utf-8") == GOOD
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def _limit_file_size():
    # Without SIGXFSZ ignored, the limit kills the process instead of failing the write.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, 400_000))


def test_report_too_big_to_write_names_the_file_and_keeps_the_old_one(tmp_path):
    notebooks = write_big_and_small_notebooks(tmp_path / "notebooks", 600_000)
    out = with_good_reports(tmp_path / "out")
    run = start_report(out, notebooks, preexec_fn=_limit_file_size)
    _, err = run.communicate(timeout=180)
    assert run.returncode == 1
    assert err.splitlines()[-1] == f"Error: {out / 'b-big.html'}: File too large", err
    assert "Traceback" not in err, err
    assert_good_reports_kept(out)


@contextmanager
def mounted_tmpfs(folder: Path, options: str):
    """A tmpfs at ``folder``; skipped where mounting is not allowed (not root, a container)."""
    folder.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def test_full_disk_names_the_file_and_keeps_old_reports(tmp_path):
    notebooks = write_big_and_small_notebooks(tmp_path / "notebooks", 2_000_000)
    with mounted_tmpfs(tmp_path / "out", "size=1m") as out:
        for name in ("b-big.html", "index.html"):
            (out / name).write_text(GOOD, encoding="utf-8")
        run = start_report(out, notebooks)
        _, err = run.communicate(timeout=180)
        assert run.returncode == 1
        # The two pages are exported side by side: the one whose write found the disk full is
        # named, the big page or the small one written while the big one took the space.
        last = err.splitlines()[-1]
        named = re.fullmatch(rf"Error: {re.escape(str(out))}/(.+): No space left on device", last)
        assert named, err
        assert named[1] in {"a-small.html", "a-small.ipynb", "b-big.html", "b-big.ipynb"}, err
        assert "Traceback" not in err, err
        assert_good_reports_kept(out)


@contextmanager
def unwritable(folder: Path, how: str):
    if how == "a file":
        folder.write_text("not a folder", encoding="utf-8")
        yield "not a folder"
    elif os.geteuid() == 0:  # root writes through permission bits: a read-only mount then
        with mounted_tmpfs(folder, "ro,size=64k"):
            yield "Read-only file system"
    else:
        folder.mkdir()
        folder.chmod(0o555)
        try:
            yield "Permission denied"
        finally:
            folder.chmod(0o755)


@pytest.mark.parametrize("how", ["a file", "read-only"])
def test_unwritable_output_folder_is_found_before_any_notebook_runs(tmp_path, how):
    ran = tmp_path / "ran"
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks / "a.ipynb", f"open({str(ran)!r}, 'w').close()")
    out = tmp_path / "out"
    with unwritable(out, how) as reason:
        run = start_report(out, notebooks)
        _, err = run.communicate(timeout=180)
    assert (run.returncode, err) == (1, f"Error: {out}: {reason}\n")
    assert not ran.exists()


def test_stderr_of_a_notebook_goes_to_the_console_not_the_report(tmp_path, capsys):
    notebooks = tmp_path / "notebooks"
    write_notebook(
        notebooks / "warns.ipynb",
        "# Warns",
        "import sys, warnings\n"
        "warnings.warn('Glyph 21335 missing from font(s) DejaVu Sans.')\n"
        "print('said on stderr', file=sys.stderr)\n"
        "print('said on stdout')",
    )
    render_reports(SEEDS, tmp_path / "out", notebooks_dir=notebooks)
    page = (tmp_path / "out" / "warns.html").read_text(encoding="utf-8")
    assert "said on stdout" in page
    assert "Glyph 21335" not in page and "said on stderr" not in page
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in page
    err = capsys.readouterr().err.splitlines()
    nb = notebooks / "warns.ipynb"
    assert f"{nb}: said on stderr" in err
    assert any(
        line.startswith(f"{nb}: ") and "UserWarning: Glyph 21335 missing" in line for line in err
    )


def test_a_corpus_folder_whose_name_is_not_utf8_reports(tmp_path):
    """The kernel opens the very folder; the footer shows its name with the byte escaped."""
    folder = os.fsdecode(os.fsencode(str(tmp_path)) + b"/caf\xe9")
    os.mkdir(folder)
    shutil.copy(SEEDS / "000_cebf85bee666f480.txt", folder)
    notebooks = tmp_path / "notebooks"
    write_notebook(
        notebooks / "a.ipynb",
        "import newskit\nprint('articles:', len(newskit.load_corpus(corpus)))",
    )
    written = render_reports(folder, tmp_path / "out", notebooks_dir=notebooks)
    page = written[0].read_text(encoding="utf-8")
    assert "articles: 1" in page
    assert "caf\\xe9" in page


def test_overview_lists_every_key_and_the_locales(tmp_path):
    """The overview shows what the records really hold (corpus.fields), unknown keys included,
    and a breakdown by locale where records give one."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, locale in [("a", "en-us"), ("b", "en-us"), ("c", "fr-fr")]:
        text = record(title=f"Story {name}", locale=locale, wordCount=300, sourceDesk="world")
        (corpus / f"{name}.md").write_text(text, encoding="utf-8")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(NOTEBOOKS / "01-overview.ipynb", notebooks)
    with private_cache(tmp_path):
        written = render_reports(corpus, tmp_path / "out", notebooks_dir=notebooks)
    page = written[0].read_text(encoding="utf-8")
    keys = page.split('id="Every-key-the-records-carry"', 1)[1].split('id="Locales"', 1)[0]
    for key in ("title", "locale", "wordCount", "sourceDesk"):
        assert f">{key}<" in keys
    assert "extra" in keys
    locales = page.split("Articles per locale", 1)[1].split("</table>", 1)[0]
    assert ">en-us<" in locales and ">fr-fr<" in locales


# --- Which notebooks run, in which kernel, and what is kept beside the reports ---


def write_broken_python3_kernel(folder: Path) -> Path:
    """A user-level ``python3`` kernel spec pointing at an interpreter that does not exist,
    as one left behind by another environment would."""
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [str(folder / "gone" / "bin" / "python3"), "-m", "ipykernel_launcher", "-f"]
    kernel = {"argv": [*argv, "{connection_file}"], "display_name": "Python 3"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    return folder


def test_reports_run_in_this_interpreter_whatever_python3_is(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", str(write_broken_python3_kernel(tmp_path / "jupyter")))
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks / "a.ipynb", "import sys\nprint('python:', sys.executable)")
    written = render_reports(SEEDS, tmp_path / "out", notebooks_dir=notebooks)
    page = written[0].read_text(encoding="utf-8")
    assert f"python: {html.escape(sys.executable)}" in page


def test_kernel_chooses_an_installed_kernel_spec(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", str(write_broken_python3_kernel(tmp_path / "jupyter")))
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks / "a.ipynb", "print(1)")
    with pytest.raises(ReportError, match=r"a\.ipynb: .*No such file"):
        render_reports(SEEDS, tmp_path / "out", notebooks_dir=notebooks, kernel="python3")
    with pytest.raises(ReportError, match="no Jupyter kernel named 'nothing-here'"):
        render_reports(SEEDS, tmp_path / "out2", notebooks_dir=notebooks, kernel="nothing-here")
    assert not (tmp_path / "out2").exists()


def test_notebooks_without_parameters_are_skipped_and_named(tmp_path, capsys):
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks / "a.ipynb", "# A", "print(1)")
    write_notebook(notebooks / "Untitled.ipynb", "print('scratch')", parameters=None)
    status = main(["report", "--out", str(tmp_path / "out"), "--notebooks", str(notebooks)])
    captured = capsys.readouterr()
    assert status == 0
    assert captured.err == f"{notebooks / 'Untitled.ipynb'}: skipped: no cell tagged 'parameters'\n"
    assert sorted(p.name for p in (tmp_path / "out").glob("*.html")) == ["a.html", "index.html"]


def test_a_folder_of_scratch_notebooks_only_is_an_error(tmp_path):
    write_notebook(tmp_path / "Untitled.ipynb", "print(1)", parameters=None)
    with pytest.raises(ReportError, match="no notebook has a cell tagged 'parameters'"):
        render_reports(SEEDS, tmp_path / "out", notebooks_dir=tmp_path)


def test_executed_notebooks_are_written_beside_the_reports(tiny_run):
    out, notebooks, _ = tiny_run
    for source in notebooks.glob("*.ipynb"):
        executed = nbformat.read(out / source.name, as_version=4)
        tags = [cell.metadata.get("tags", []) for cell in executed.cells]
        assert ["injected-parameters"] in tags
        outputs = [o for cell in executed.cells for o in cell.get("outputs", [])]
        assert outputs, source.name
    # The notebooks rendered are left as they were: no outputs, nothing injected.
    for source in notebooks.glob("*.ipynb"):
        nb = nbformat.read(source, as_version=4)
        assert not any(cell.get("outputs") for cell in nb.cells)
        assert not any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--topic", "portals"], r"no article of 1 has topic='portals'$"),
        (["--provider", "a.example", "--provider", "b.example"], r"provider=\['a.example', "),
    ],
)
def test_a_selection_of_nothing_is_an_error_before_any_kernel(tmp_path, capsys, argv, message):
    notebooks = write_tiny_notebooks(tmp_path / "notebooks")
    out = tmp_path / "out"
    status = main(["report", str(SEEDS), "--out", str(out), "--notebooks", str(notebooks), *argv])
    err = capsys.readouterr().err
    assert status == 1
    assert re.search(message, err.strip()), err
    assert not out.exists()


def test_an_empty_corpus_is_an_error(tmp_path, capsys):
    notebooks = write_tiny_notebooks(tmp_path / "notebooks")
    (tmp_path / "empty").mkdir()
    status = main(["report", str(tmp_path / "empty"), "--notebooks", str(notebooks)])
    assert status == 1
    assert capsys.readouterr().err == f"Error: {tmp_path / 'empty'}: no articles to report on\n"


def test_repeated_topics_reach_the_notebooks_as_a_list(tmp_path, capsys):
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks / "a.ipynb", "print('topic:', topic)")
    out = tmp_path / "out"
    argv = ["report", str(SEEDS), "--out", str(out), "--notebooks", str(notebooks)]
    assert main([*argv, "--topic", "AI", "--topic", "Computer Vision"]) == 0
    page = (out / "a.html").read_text(encoding="utf-8")
    assert "topic: ['AI', 'Computer Vision']" in page


def test_the_older_corpus_option_works_with_a_note(tmp_path, capsys):
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks / "a.ipynb", "print(1)")
    argv = ["report", "--corpus", str(SEEDS), "--out", str(tmp_path / "out")]
    assert main([*argv, "--notebooks", str(notebooks)]) == 0
    err = capsys.readouterr().err
    assert err.startswith("Note: 'newskit report --corpus PATH' is the older form")
    assert main(["report", "x", "--corpus", "y", "--notebooks", str(notebooks)]) == 1
    assert capsys.readouterr().err == "Error: two corpora given: x and --corpus y\n"


def _executed(*outputs: dict) -> nbformat.NotebookNode:
    nb = new_notebook(cells=[new_code_cell("x")])
    nb.cells[0].outputs = [nbformat.from_dict(o) for o in outputs]
    return nb


def _html(text: str) -> dict:
    return {"output_type": "display_data", "data": {"text/html": text}, "metadata": {}}


def test_a_report_of_notes_only_shows_nothing_and_says_why():
    from newskit.display import note, render_numbers, render_table

    nothing = _executed(
        _html(note("No article has related coverage, so there is <nothing>.")._repr_html_()),
        _html(note("A second note.")._repr_html_()),
    )
    assert nothing_shown(nothing) == "No article has related coverage, so there is <nothing>."
    assert nothing_shown(_executed()) == "This report shows nothing for this corpus."
    table = render_table(pd.DataFrame({"n": [1]}))._repr_html_()
    for shown in (
        _html(table),
        _html(render_numbers({"articles": 1})._repr_html_()),
        {"output_type": "display_data", "data": {"image/png": "iVBO"}, "metadata": {}},
    ):
        assert nothing_shown(_executed(_html(note("A note.")._repr_html_()), shown)) == ""


def test_index_marks_reports_with_nothing_to_show(tmp_path):
    corpus = newskit.load_corpus(SEEDS)
    results = [
        ReportResult(tmp_path / "a.ipynb", tmp_path / "a.html", "Shown", 1.0),
        ReportResult(
            tmp_path / "b.ipynb", tmp_path / "b.html", "Empty", 1.0, nothing_shown="No <related>."
        ),
    ]
    page = build_index(results, corpus, {"corpus": "c", "articles": "1", "filters": ""})
    assert page.count("nothing to show") == 1
    empty = '<span class="newskit-empty">nothing to show: No &lt;related&gt;.</span>'
    assert f'<a href="b.html">Empty</a> {empty}' in page
    check_page_policy(page)


def test_a_page_is_the_page_nbconvert_makes_with_its_outputs_held_out_of_its_last_pass():
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    from newskit.display import render_table
    from newskit.report import CSP, DISPLAY_CSS, TEMPLATES, export_html, place_toc

    table = render_table(pd.DataFrame({"word": ["it's", 'a "b"', "<c> & d"]}))._repr_html_()
    image = {"output_type": "display_data", "data": {"image/png": "iVBO"}, "metadata": {}}
    nb = _executed(_html(table), image, _html("<p>it&#x27;s <b>bold</b></p>"))
    nb.cells.insert(0, new_markdown_cell("# Title\n\n## It's a section"))
    footer = {"corpus": "c", "articles": "3", "filters": "", "fingerprint": "f"}
    page = export_html(nb, title="T", footer=footer)
    assert table in page  # as the kernel gave it, not as BeautifulSoup writes it again
    assert "newskit-held" not in page
    assert nb.cells[1].outputs[0]["data"]["text/html"] == table  # the notebook as it was
    # nbconvert's own export, outputs and all through its BeautifulSoup pass: the same document
    newskit_resources = {"failure": None, "display_css": DISPLAY_CSS, "csp": CSP}
    resources = {"newskit": {**footer, **newskit_resources, "script": PAGE_SCRIPT}}
    exporter = HTMLExporter(
        template_name="newskit",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    whole, _ = exporter.from_notebook_node(nb, resources=resources)
    whole = place_toc(whole, build_toc(whole))
    assert 'tabindex="0"' in page and 'alt="No description' in page  # nbconvert's last pass
    assert page != whole
    soup = [str(BeautifulSoup(text, features="html.parser")) for text in (page, whole)]
    assert soup[0] == soup[1]


def _ran_for(path: Path, seconds: int) -> None:
    """An executed notebook whose cells took ``seconds``, as nbclient times them."""
    timing = {
        "iopub.execute_input": "2021-01-01T00:00:00.000000Z",
        "shell.execute_reply": f"2021-01-01T00:00:{seconds:02d}.500000Z",
    }
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# x"}]
    cells.append({"cell_type": "code", "metadata": {"execution": timing}, "source": "x"})
    path.write_text(json.dumps({"cells": cells}), encoding="utf-8")


def test_notebooks_start_longest_first_by_the_last_run_and_are_listed_by_name(tmp_path):
    from newskit.report import previous_seconds

    notebooks, out = tmp_path / "notebooks", tmp_path / "reports"
    out.mkdir()
    for name in ("a", "b", "c"):
        write_notebook(notebooks / f"{name}.ipynb", f"# {name.upper()}", "import time")
    _ran_for(out / "a.ipynb", 1)
    _ran_for(out / "c.ipynb", 9)
    (out / "b.ipynb").write_text("not a notebook", encoding="utf-8")
    assert previous_seconds(out / "c.ipynb") == 9.5
    assert previous_seconds(out / "b.ipynb") == previous_seconds(out / "x.ipynb") == float("inf")
    with private_cache(tmp_path):
        render_reports(SEEDS, out, notebooks_dir=notebooks, jobs=2)
    began = {}
    for name in ("a", "b", "c"):
        cells = nbformat.read(out / f"{name}.ipynb", as_version=4).cells
        began[name] = min(
            c.metadata.execution["iopub.execute_input"] for c in cells if "execution" in c.metadata
        )
    # two at a time: b (no time known) and c (the longest) first, a once one of them is done
    assert began["a"] > max(began["b"], began["c"])
    index = (out / "index.html").read_text(encoding="utf-8")
    assert [index.index(f'href="{name}.html"') for name in "abc"] == sorted(
        index.index(f'href="{name}.html"') for name in "abc"
    )


def test_the_report_module_leaves_out_the_iri_grammar_and_only_that():
    pytest.importorskip("rfc3987_syntax")  # installed with JupyterLab
    script = (
        "import sys, newskit.report, jsonschema\n"
        "assert 'rfc3987_syntax' not in sys.modules, 'imported with nbformat'\n"
        "import rfc3987_syntax\n"  # importable afterwards, as ever
        "print(rfc3987_syntax.is_valid_syntax('iri', 'https://example.com/caf\\u00e9'))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, "True\n"), done.stderr


def _spans(out: Path, names: str) -> dict[str, tuple[str, str]]:
    """When each executed notebook's first cell began and its last one replied."""
    spans = {}
    for name in names:
        cells = nbformat.read(out / f"{name}.ipynb", as_version=4).cells
        times = [c.metadata.execution for c in cells if "execution" in c.metadata]
        spans[name] = (
            min(t["iopub.execute_input"] for t in times),
            max(t["shell.execute_reply"] for t in times),
        )
    return spans


def test_kernel_slots_are_the_cpus_plus_one_within_the_notebooks_and_the_memory():
    from newskit.report import kernel_slots

    gib = 2**30
    assert kernel_slots(6, cpus=2, available=16 * gib, per_kernel=gib) == 3
    assert kernel_slots(6, cpus=8, available=16 * gib, per_kernel=gib) == 6
    assert kernel_slots(2, cpus=8, available=None, per_kernel=None) == 2
    assert kernel_slots(6, cpus=8, available=5 * gib, per_kernel=2 * gib) == 2
    assert kernel_slots(6, cpus=8, available=gib, per_kernel=3 * gib) == 1
    assert kernel_slots(6, cpus=1, available=16 * gib, per_kernel=None) == 2


def test_jobs_is_how_many_notebooks_run_at_once_and_the_default_is_kernel_slots(
    tmp_path, monkeypatch
):
    import newskit.report as report

    marks = tmp_path / "marks"
    marks.mkdir()
    # each notebook waits (30 s at most) until all three are running: only three at a time
    # get past the wait, however slowly their kernels start
    waiting = (
        "import pathlib, time\n"
        f"marks = pathlib.Path({str(marks)!r})\n"
        "(marks / '{name}').touch()\n"
        "deadline = time.monotonic() + 30\n"
        "while len(list(marks.iterdir())) < 3:\n"
        "    assert time.monotonic() < deadline, 'not all three ran at once'\n"
        "    time.sleep(0.05)"
    )
    waiting_notebooks, notebooks = tmp_path / "waiting", tmp_path / "notebooks"
    for name in "abc":
        write_notebook(waiting_notebooks / f"{name}.ipynb", f"# {name}", waiting.format(name=name))
        write_notebook(notebooks / f"{name}.ipynb", f"# {name}", "import time\ntime.sleep(0.2)")
    with private_cache(tmp_path):
        render_reports(SEEDS, tmp_path / "three", notebooks_dir=waiting_notebooks, jobs=3)
        spans = _spans(tmp_path / "three", "abc")
        # all three at once: each began before any other ended
        assert max(began for began, _ in spans.values()) < min(end for _, end in spans.values())

        asked = []

        def one_slot(notebooks, **machine):
            asked.append((notebooks, machine))
            return 1

        monkeypatch.setattr(report, "kernel_slots", one_slot)
        before = report.peak_memory()
        render_reports(SEEDS, tmp_path / "one", notebooks_dir=notebooks)
    assert [(n, m["cpus"]) for n, m in asked] == [(3, report.usable_cpus())]
    factor = report.KERNEL_MEMORY_FACTOR
    assert factor * before <= asked[0][1]["per_kernel"] <= factor * report.peak_memory()
    assert 0 < asked[0][1]["available"] <= report.available_memory() * 2
    spans = sorted(_spans(tmp_path / "one", "abc").values())
    # one at a time: each began after the one before it ended
    assert all(spans[k][0] > spans[k - 1][1] for k in (1, 2))


def test_jobs_below_one_is_refused(tmp_path, capsys):
    with pytest.raises(ValueError, match="jobs must be at least 1, not 0"):
        render_reports(SEEDS, tmp_path / "out", jobs=0)
    with pytest.raises(SystemExit):
        main(["report", "--jobs", "0", "--out", str(tmp_path / "out")])
    assert "argument --jobs: must be at least 1: '0'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_kernels_use_the_report_s_cache_folder_when_it_is_named_relative(tmp_path, monkeypatch):
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks / "load.ipynb", "import newskit\nnewskit.load_corpus(corpus)")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSKIT_CACHE_DIR", "cache")
    render_reports(SEEDS, tmp_path / "out", notebooks_dir=notebooks)
    assert len(list((tmp_path / "cache").glob("*.nkcache"))) == 1
    assert sorted(p.name for p in notebooks.rglob("*")) == ["load.ipynb"]
