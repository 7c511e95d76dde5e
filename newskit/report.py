"""Notebooks -> self-contained HTML reports: :func:`render_reports`.

Every notebook in ``notebooks/`` is executed with the report's parameters injected the way
papermill does it (a cell tagged ``injected-parameters`` after the cell tagged ``parameters``),
several at a time (:func:`kernel_slots`) in one process with nbclient, then exported to HTML
with the ``newskit`` template: no CDN script, figures embedded, code hidden unless asked for,
a table of contents and a footer saying which corpus the report was made from. ``index.html``
links the reports, and each executed notebook is kept beside its report (``NAME.ipynb``).
Kernels are ipykernel in the interpreter running newskit (:func:`find_kernel`), unless a kernel
spec is named.

A run stops on the first SIGINT or SIGTERM: the event loop runs in a thread of its own, so
nbclient cannot install its signal handlers (which would stop one kernel and let the run go on);
the main thread's handler cancels the run, every kernel is killed and :class:`Interrupted` is
raised. Every file is written under a temporary name in its folder and renamed, so a full disk
or a signal never leaves a partial report in place of a good one.
"""

from __future__ import annotations

import ast
import asyncio
import atexit
import base64
import contextlib
import hashlib
import html
import importlib.util
import json
import os
import re
import secrets
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from newskit._jsonschema import without_iri_grammar
from newskit.errors import MissingExtraError

try:
    with without_iri_grammar():
        import jinja2
        import nbformat
        from jupyter_client.kernelspec import KernelSpec, KernelSpecManager, NoSuchKernel
        from jupyter_client.manager import AsyncKernelManager
        from markupsafe import Markup
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError
        from nbconvert import HTMLExporter
        from traitlets import default
except ImportError as exc:  # the core install has no report packages
    raise MissingExtraError(
        f"newskit report needs {exc.name}, which is not installed: pip install 'newskit[report]'"
    ) from exc

import newskit
from newskit.cache import (
    CACHE_DIR_ENV,
    cache_file,
    checked_checksum,
    default_cache_dir,
    wait_for_writes,
)
from newskit.compare import Comparison
from newskit.corpus import SNAPSHOT_CRC_ENV, SNAPSHOT_ENV, Corpus, load_corpus
from newskit.dataset import REPORT_COLUMNS
from newskit.display import CSS as DISPLAY_CSS
from newskit.display import corpus_numbers, cut_text, note, render_numbers, render_table
from newskit.errors import Interrupted, NotebookFailure, ReportError
from newskit.files import shown_name
from newskit.listing import PAGE, PAGE_ENV
from newskit.machine import available_memory, peak_memory, usable_cpus
from newskit.workspace import shipped_notebooks, shipped_seeds

#: The notebooks rendered by default, and the default corpus (shipped with newskit).
NOTEBOOKS = shipped_notebooks()
SEEDS = shipped_seeds()
TEMPLATES = Path(__file__).resolve().parent / "templates"

#: What a kernel is taken to hold at its peak, against the peak of the process that runs the
#: report after its own load of the corpus (measured: 1.3x on the seed, 2.0x at 100,000 records).
KERNEL_MEMORY_FACTOR = 2
#: Seconds a single cell may run before the notebook counts as failed.
CELL_TIMEOUT = 600
#: Environment given to kernels: no progress widgets in a report.
KERNEL_ENV = {"NEWSKIT_PROGRESS": "0"}
#: Names a parameters cell may use for the corpus path, in order of preference.
CORPUS_PARAMETERS = ("corpus", "corpus_path")
#: The name reports give the kernel of the interpreter running newskit (``kernel=None``).
OWN_KERNEL = "newskit-python"


#: newskit's one script, inlined once in every page (tables that sort, filter, download).
PAGE_SCRIPT = (TEMPLATES / "newskit" / "newskit.js").read_text(encoding="utf-8")


def content_security_policy(script: str = PAGE_SCRIPT) -> str:
    """The policy every page carries: ``script`` (by its SHA-256) and nothing else runs;
    styles and images may only be inline; no request of any kind, no form, no ``<base>``."""
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return (
        f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


#: The policy of every page newskit writes, for ``PAGE_SCRIPT``.
CSP = content_security_policy()

#: Signals that stop a run; each ends it with :class:`Interrupted`.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass
class ReportResult:
    """What rendering one notebook gave."""

    notebook: Path
    html_path: Path
    title: str
    seconds: float
    failure: NotebookFailure | None = None
    #: The first note of a report that shows no table, number or figure ("" when it shows some).
    nothing_shown: str = ""


class _Run:
    """The event loop of one report run, its kernels, and what stops them.

    The loop runs in a worker thread: there ``loop.add_signal_handler`` fails, so nbclient's
    own handlers stay out, and the handlers installed here in the main thread decide.
    """

    def __init__(self) -> None:
        self.signum: int | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.task: asyncio.Task | None = None
        self.clients: set[NotebookClient] = set()
        self.stopping = False
        self.in_loop = False

    def on_signal(self, signum: int, frame: object) -> None:
        if self.signum is not None:
            return  # already stopping
        self.signum = signum
        if not self.in_loop:
            raise Interrupted(signum)
        loop = self.loop
        if loop is not None:
            # A loop that has just closed ends the run anyway; run() then raises Interrupted.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self.stop)

    def stop(self) -> None:
        """Cancel the run, its kernels killed rather than asked to finish (loop thread only)."""
        if self.stopping:
            return
        self.stopping = True
        for client in self.clients:
            client.shutdown_kernel = "immediate"
        if self.task is not None:
            self.task.cancel()

    def run(self, coro):
        async def main():
            self.loop = asyncio.get_running_loop()
            self.task = asyncio.current_task()
            if self.signum is not None:
                coro.close()
                raise asyncio.CancelledError
            return await coro

        self.in_loop = True
        with ThreadPoolExecutor(1, thread_name_prefix="newskit-report") as pool:
            future = pool.submit(asyncio.run, main())
            try:
                result = future.result()
            except BaseException:
                if self.signum is None:
                    raise
                result = None
            finally:
                # From here a signal interrupts the main thread as it would any program.
                self.in_loop, self.loop = False, None
        if self.signum is not None:
            raise Interrupted(self.signum)
        return result

    def __enter__(self) -> _Run:
        self.previous = {}
        if threading.current_thread() is threading.main_thread():
            for signum in STOP_SIGNALS:
                self.previous[signum] = signal.signal(signum, self.on_signal)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)


def render_reports(
    corpus_path: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    start: str | None = None,
    end: str | None = None,
    topic: str | list[str] | None = None,
    provider: str | list[str] | None = None,
    with_code: bool = False,
    notebooks_dir: str | os.PathLike = NOTEBOOKS,
    kernel: str | None = None,
    jobs: int | None = None,
) -> list[Path]:
    """Execute every notebook on a corpus and write one HTML report each, and ``index.html``.

    Parameters
    ----------
    corpus_path : path-like
        The corpus folder (or record file) the notebooks analyse.
    out_dir : path-like
        Folder the HTML files are written to (created when missing).
    start, end : str, optional
        Date window (inclusive, ``YYYY-MM-DD`` or a timestamp) passed to every notebook.
    topic, provider : str or list of str, optional
        Keep only articles with any of these topics, from any of these providers (domain or
        name).
    with_code : bool
        Show the notebooks' code cells; by default only their outputs are shown.
    notebooks_dir : path-like
        Folder of ``*.ipynb`` files to render, in name order; a notebook without a cell tagged
        ``parameters`` (a scratch notebook) is skipped, with a line on stderr saying so. By
        default the notebooks shipped with newskit.
    kernel : str, optional
        Name of the Jupyter kernel to run the notebooks in; by default the Python interpreter
        running newskit (``sys.executable``), whatever kernel is called ``python3``.
    jobs : int, optional
        How many notebooks run at the same time; by default :func:`kernel_slots` chooses from
        the CPUs and the memory.

    Returns
    -------
    list of pathlib.Path
        The reports written, then ``index.html``. Beside each report ``NAME.html`` the
        executed notebook is written as ``NAME.ipynb``.

    Raises
    ------
    CorpusError
        When the corpus cannot be loaded (nothing is executed then).
    ReportError
        When there is no notebook to render, no kernel of that name, or when the corpus or the
        selection holds no article (nothing is executed then); after every report is written
        when a notebook failed, the message naming each failed notebook and cell.
    ValueError
        When ``start`` or ``end`` is not a date, or ``jobs`` is below 1.
    """
    if jobs is not None and jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    corpus_path = Path(corpus_path).resolve()
    out_dir = Path(out_dir)
    notebooks_dir = Path(notebooks_dir).resolve()
    found = sorted(p for p in notebooks_dir.glob("*.ipynb") if not p.name.startswith("."))
    if not found:
        raise ReportError(f"{notebooks_dir}: no notebooks to render")
    # Every notebook is read before anything runs: a notebook that cannot be read fails fast.
    notebooks = [(p, read_notebook(p)) for p in found]
    for notebook, nb in notebooks:
        if not has_parameters(nb):
            print(f"{notebook}: skipped: no cell tagged 'parameters'", file=sys.stderr)
    notebooks = [(p, nb) for p, nb in notebooks if has_parameters(nb)]
    if not notebooks:
        raise ReportError(f"{notebooks_dir}: no notebook has a cell tagged 'parameters'")
    kernel_manager = find_kernel(kernel)
    topic, provider = _one_or_list(topic), _one_or_list(provider)
    # Links into the article browser, from the footers and tables, only when it is rendered.
    articles_page = next((PAGE for p, _ in notebooks if f"{p.stem}.html" == PAGE), None)
    kernel_env = {**KERNEL_ENV, **({PAGE_ENV: articles_page} if articles_page else {})}
    # the kernels read the corpus from the cache this process's load checks (or writes) below,
    # without listing the folder again
    kernel_env[SNAPSHOT_ENV] = os.path.abspath(corpus_path)
    # ... in this process's cache folder, which a relative $NEWSKIT_CACHE_DIR would not name
    # from the notebooks' folder, where the kernels run
    kernel_env[CACHE_DIR_ENV] = os.path.abspath(default_cache_dir())

    with _Run() as run:
        # Loading once here gives the index its numbers, checks the corpus before any kernel
        # starts and warms the corpus cache the kernels then read from (every column; this
        # process, like the notebooks, makes frames only of the columns a report reads).
        corpus = load_corpus(corpus_path, columns=REPORT_COLUMNS)
        # A cache written in the background now would not be there for the kernels to read.
        wait_for_writes()
        # the cache file as this load checked or wrote it: the kernels need not check it again
        crc = checked_checksum(cache_file(corpus_path, None))
        if crc is not None:
            kernel_env[SNAPSHOT_CRC_ENV] = str(crc)
        selected = corpus.select(start=start, end=end, topic=topic, provider=provider)
        parameters = {"start": start, "end": end, "topic": topic, "provider": provider}
        check_selection(corpus_path, corpus, selected, parameters)
        footer = build_footer(corpus_path, corpus, selected, parameters)
        footer["articles_page"] = articles_page
        numbers = headline_numbers(selected)
        del corpus, selected  # the kernels hold the corpus from here; this process need not

        # Every notebook is parameterised, and the output folder tried, before any runs: a
        # broken contract or an unwritable folder fails fast.
        prepared = [
            (p, nb, inject_parameters(nb, corpus_path, parameters, notebook=p))
            for p, nb in notebooks
        ]
        check_writable(out_dir)
        if jobs is None:
            peak = peak_memory()
            jobs = kernel_slots(
                len(prepared),
                cpus=usable_cpus(),
                available=available_memory(),
                per_kernel=KERNEL_MEMORY_FACTOR * peak if peak else None,
            )
        results = run.run(
            _render_all(
                prepared,
                out_dir,
                footer,
                run,
                slots=jobs,
                with_code=with_code,
                kernel_manager=kernel_manager,
                env=kernel_env,
            )
        )
        index = out_dir / "index.html"
        write_file(index, _index_page(results, numbers, footer))

    failures = [r.failure for r in results if r.failure]
    if failures:
        raise ReportError("; ".join(map(str, failures)), tuple(failures))
    return [r.html_path for r in results] + [index]


async def _render_all(
    prepared: list[tuple[Path, nbformat.NotebookNode, int]],
    out_dir: Path,
    footer: dict,
    run: _Run,
    *,
    slots: int,
    with_code: bool,
    kernel_manager: tuple[type, str],
    env: dict[str, str],
) -> list[ReportResult]:
    running = asyncio.Semaphore(slots)

    async def one(notebook: Path, nb: nbformat.NotebookNode, injected_at: int) -> ReportResult:
        async with running:
            return await render_notebook(
                notebook,
                nb,
                injected_at,
                out_dir,
                footer,
                with_code=with_code,
                run=run,
                kernel_manager=kernel_manager,
                env=env,
            )

    # Started longest first (by the last run's times), so that no long notebook starts last
    # and runs on alone; the results stay in name order.
    seconds = {p: previous_seconds(out_dir / f"{p.stem}.ipynb") for p, _, _ in prepared}
    order = sorted(prepared, key=lambda p: -seconds[p[0]])
    started = {p[0]: asyncio.ensure_future(one(*p)) for p in order}
    tasks = [started[p] for p, _, _ in prepared]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        # A report that cannot be written (a full disk) stops the others, as a signal does.
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def kernel_slots(
    notebooks: int, *, cpus: int, available: int | None, per_kernel: int | None
) -> int:
    """How many notebooks run at the same time: one more than the CPUs (a kernel spends part
    of its time starting and waiting on its messages, when another one can compute), no more
    than there are notebooks, and no more kernels than ``available`` bytes of memory hold at
    ``per_kernel`` bytes each (no limit where either is unknown); at least one."""
    slots = min(notebooks, cpus + 1)
    if available is not None and per_kernel:
        slots = min(slots, available // per_kernel)
    return max(1, slots)


def previous_seconds(executed: Path) -> float:
    """How long the cells of a notebook an earlier run executed (``NAME.ipynb`` beside its
    report) took, from nbclient's timings: infinite when unknown, so new ones start first."""
    try:
        with open(executed, "rb") as file:
            cells = json.load(file)["cells"]
        timings = [cell["metadata"]["execution"] for cell in cells if cell["cell_type"] == "code"]
        began = min(datetime.fromisoformat(t["iopub.execute_input"]) for t in timings)
        ended = max(datetime.fromisoformat(t["shell.execute_reply"]) for t in timings)
    except (OSError, ValueError, LookupError, TypeError, AttributeError):
        return float("inf")
    return (ended - began).total_seconds()


def read_notebook(notebook: Path) -> nbformat.NotebookNode:
    """Read a notebook file.

    Raises
    ------
    ReportError
        ``path: not a readable notebook: reason``.
    """
    try:
        return nbformat.read(notebook, as_version=4)
    except (ValueError, nbformat.reader.NotJSONError) as exc:
        raise ReportError(f"{notebook}: not a readable notebook: {_first_line(str(exc))}") from exc


def has_parameters(nb: nbformat.NotebookNode) -> bool:
    """Whether a notebook has a code cell tagged ``parameters``: only those are reports."""
    return any(_is_parameters_cell(cell) for cell in nb.cells)


def _is_parameters_cell(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", [])


class _OwnKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel is ipykernel in the interpreter running newskit.

    On POSIX systems the kernel's channels are Unix sockets in a private folder rather than
    local TCP ports: a port is picked free, then bound by the kernel as it starts, and
    another process may take it in between (the kernel then dies with "Address already in
    use", now and then, when several start at once). TCP it is where the temporary folder's
    path is too long for a socket's.
    """

    @default("transport")
    def _default_transport(self) -> str:
        if os.name != "posix":
            return "tcp"
        # a socket's path must fit sun_path (104 bytes on macOS, 108 on Linux): in a temporary
        # folder deep down, the kernel could not bind it
        longest = os.path.join(tempfile.gettempdir(), "newskit-kernel-12345678", "kernel-99")
        return "ipc" if len(os.fsencode(longest)) < 100 else "tcp"

    @default("ip")
    def _default_ip(self) -> str:
        if self.transport != "ipc":
            return super()._ip_default()
        self._socket_folder = tempfile.mkdtemp(prefix="newskit-kernel-")
        return os.path.join(self._socket_folder, "kernel")

    def cleanup_ipc_files(self) -> None:
        super().cleanup_ipc_files()
        if folder := getattr(self, "_socket_folder", None):
            with contextlib.suppress(OSError):
                os.rmdir(folder)

    @property
    def kernel_spec(self) -> KernelSpec:
        if self._kernel_spec is None:
            self._kernel_spec = KernelSpec(
                argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                display_name=f"Python ({sys.executable})",
                language="python",
                metadata={"debugger": False},
            )
        return self._kernel_spec


def find_kernel(name: str | None) -> tuple[type, str]:
    """The kernel manager class and kernel name notebooks run with.

    ``None`` is the interpreter running newskit (it needs ipykernel); any other name is looked
    up among the installed Jupyter kernel specs, as ``jupyter kernelspec list`` shows them.

    Raises
    ------
    MissingExtraError
        When ``name`` is ``None`` and ipykernel is not installed.
    ReportError
        When no kernel spec is called ``name``.
    """
    if name is None:
        if importlib.util.find_spec("ipykernel") is None:
            raise MissingExtraError(
                "newskit report needs ipykernel, which is not installed: "
                "pip install 'newskit[report]'"
            )
        return _OwnKernelManager, OWN_KERNEL
    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel as exc:
        raise ReportError(
            f"no Jupyter kernel named {name!r} (`jupyter kernelspec list` shows them)"
        ) from exc
    return AsyncKernelManager, name


def check_selection(corpus_path: Path, corpus: Corpus, selected: Corpus, parameters: dict) -> None:
    """Refuse to render reports of nothing: an empty corpus, or filters no article passes.

    Raises
    ------
    ReportError
        ``path: no articles ...``, with the filters.
    """
    if len(corpus) == 0:
        raise ReportError(f"{shown_name(os.fspath(corpus_path))}: no articles to report on")
    if len(selected) > 0:
        return
    filters = ", ".join(f"{k}={v!r}" for k, v in parameters.items() if v is not None)
    message = f"{shown_name(os.fspath(corpus_path))}: no article of {len(corpus):,} has {filters}"
    raise ReportError(message)


def _one_or_list(value: str | list[str] | tuple[str, ...] | None) -> str | list[str] | None:
    """One value as itself, several as a list: what a notebook's ``topic =`` reads best as."""
    if value is None or isinstance(value, str):
        return value
    values = list(value)
    if not values:
        return None
    return values[0] if len(values) == 1 else values


async def render_notebook(
    notebook: Path,
    nb: nbformat.NotebookNode,
    injected_at: int,
    out_dir: Path,
    footer: dict,
    *,
    with_code: bool = False,
    run: _Run | None = None,
    kernel_manager: tuple[type, str] | None = None,
    env: dict[str, str] | None = None,
) -> ReportResult:
    """Execute a parameterised notebook and write its HTML report, also when a cell fails.

    The executed notebook is written beside the report, as ``NAME.ipynb``. What the notebook
    wrote to stderr (library warnings, mostly) is printed on this process's stderr, each line
    after the notebook's path, and left out of the report. ``kernel_manager`` is what
    :func:`find_kernel` gives (by default the interpreter running newskit); ``env`` what the
    kernel's environment adds to this process's (by default :data:`KERNEL_ENV`).
    """
    began = time.perf_counter()
    manager_class, kernel_name = kernel_manager or find_kernel(None)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name=kernel_name,
        kernel_manager_class=manager_class,
        # Kernels warn about local TCP on every start; only their errors belong on the console.
        # A report's cells are not the user's history: no write to ~/.ipython's history file.
        extra_arguments=["--IPKernelApp.log_level=ERROR", "--HistoryManager.enabled=False"],
        resources={"metadata": {"path": str(notebook.parent)}},
        # Once the last cell has replied the kernel holds nothing the report needs: killed, it
        # is gone at once; asked to stop, ipykernel takes 0.3 s, and now and then waits out
        # jupyter_client's 2.5 s before its SIGTERM. (A corpus cache it was writing is only
        # not written: the cache removes what a killed write leaves.)
        shutdown_kernel="immediate",
    )
    failure = None
    clients = run.clients if run is not None else set()
    clients.add(client)
    try:
        await client.async_execute(env={**os.environ, **(KERNEL_ENV if env is None else env)})
    except CellExecutionError as exc:
        failure = describe_failure(notebook, nb, injected_at, exc)
    except Exception as exc:  # a dead kernel or a timeout must not hide the other reports
        failure = NotebookFailure(notebook, None, "", type(exc).__name__, _first_line(str(exc)))
        # a kernel that failed to start is left to nbclient's exit hook, which then fails
        await _kill_kernel(client)
    except BaseException:
        # Cancelled (a signal), maybe while the kernel was starting, before nbclient cleans up.
        await _kill_kernel(client)
        raise
    finally:
        clients.discard(client)
    if run is not None and run.stopping:
        # nbclient can turn the cancellation into a dead-kernel error: no report of a stopped run.
        await _kill_kernel(client)
        raise asyncio.CancelledError

    # Exporting a large page takes seconds of CPU: in a thread, so that the loop goes on
    # serving the other notebook's kernel meanwhile.
    result = await asyncio.to_thread(
        write_report, notebook, nb, out_dir, footer, failure=failure, with_code=with_code
    )
    result.seconds = time.perf_counter() - began
    return result


def write_report(
    notebook: Path,
    nb: nbformat.NotebookNode,
    out_dir: Path,
    footer: dict,
    *,
    failure: NotebookFailure | None = None,
    with_code: bool = False,
) -> ReportResult:
    """Write the HTML report of an executed notebook and, beside it, the notebook itself."""
    executed = nbformat.writes(nb)  # as it ran, stderr included (the report leaves it out)
    for line in take_stderr(nb):
        print(f"{notebook}: {line}", file=sys.stderr)
    title = notebook_title(nb, notebook)
    html_path = out_dir / f"{notebook.stem}.html"
    page = export_html(nb, title=title, footer=footer, failure=failure, with_code=with_code)
    write_file(html_path, page)
    write_file(out_dir / f"{notebook.stem}.ipynb", executed)
    return ReportResult(notebook, html_path, title, 0.0, failure, nothing_shown(nb))


_CONTENT = ('<table class="newskit-table"', '<dl class="newskit-numbers"')
_NOTE = re.compile(r'<p class="newskit-note">(.*?)</p>', re.DOTALL)


def nothing_shown(nb: nbformat.NotebookNode) -> str:
    """Why an executed notebook shows nothing: the first of its notes when no output is a
    figure, a table or headline numbers; ``""`` when one is."""
    notes = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            page = data.get("text/html", "")
            page = "".join(page) if isinstance(page, list) else page
            if "image/png" in data or any(mark in page for mark in _CONTENT):
                return ""
            notes += [html.unescape(text) for text in _NOTE.findall(page)]
    return notes[0] if notes else "This report shows nothing for this corpus."


async def _kill_kernel(client: NotebookClient) -> None:
    atexit.unregister(client._cleanup_kernel)
    km, kc = client.km, client.kc
    if km is not None and km.has_kernel:
        await km.shutdown_kernel(now=True)
    elif km is not None:  # a kernel that never started: what was made for it
        km.cleanup_connection_file()
        km.cleanup_ipc_files()
    if kc is not None:
        kc.stop_channels()
    client.km = client.kc = None


def take_stderr(nb: nbformat.NotebookNode) -> list[str]:
    """Remove every stderr stream output from an executed notebook; return its lines."""
    lines = []
    for cell in nb.cells:
        outputs = cell.get("outputs")
        if not outputs:
            continue
        kept = []
        for output in outputs:
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                lines += [line for line in output.get("text", "").splitlines() if line.strip()]
            else:
                kept.append(output)
        cell.outputs = kept
    return lines


def check_writable(folder: Path) -> None:
    """Create ``folder`` if needed and make sure a file can be created in it.

    Raises
    ------
    ReportError
        ``folder: reason`` when it cannot be created or written to.
    """
    if folder.exists() and not folder.is_dir():
        raise ReportError(f"{folder}: not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".newskit-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ReportError(f"{folder}: {exc.strerror or exc}") from exc


def write_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` by a temporary file in the same folder and a rename.

    Raises
    ------
    ReportError
        ``path: reason`` when it cannot be written; ``path`` is left as it was.
    """
    temporary = None
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        # mkstemp makes the file private; a report gets the mode any new file would.
        os.chmod(fd, 0o666 & ~_umask())
        with open(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException as exc:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        if isinstance(exc, OSError):
            raise ReportError(f"{path}: {exc.strerror or exc}") from exc
        raise


def inject_parameters(
    nb: nbformat.NotebookNode, corpus_path: Path, parameters: dict, *, notebook: Path
) -> int:
    """Insert a cell tagged ``injected-parameters`` after the ``parameters`` cell.

    Values are written with ``repr``, as papermill does. Only names the parameters cell
    assigns are injected; asking for a filter the notebook does not take is an error, since
    it would be silently ignored. Returns the index of the inserted cell.
    """
    at = 0
    names: set[str] = set()
    for i, cell in enumerate(nb.cells):
        if _is_parameters_cell(cell):
            at = i + 1
            names = _assigned_names(cell.source)
            break
    corpus_name = next((n for n in CORPUS_PARAMETERS if n in names), None)
    if corpus_name is None:
        raise ReportError(
            f"{notebook}: no cell tagged 'parameters' assigns {' or '.join(CORPUS_PARAMETERS)}"
        )
    ignored = [k for k, v in parameters.items() if v is not None and k not in names]
    if ignored:
        raise ReportError(f"{notebook}: the parameters cell takes no {', '.join(ignored)}")
    lines = ["# Parameters injected by newskit report", f"{corpus_name} = {_literal(corpus_path)}"]
    lines += [f"{k} = {_literal(v)}" for k, v in parameters.items() if k in names]
    cell = nbformat.v4.new_code_cell("\n".join(lines), metadata={"tags": ["injected-parameters"]})
    nb.cells.insert(at, cell)
    return at


def describe_failure(
    notebook: Path, nb: nbformat.NotebookNode, injected_at: int, exc: CellExecutionError
) -> NotebookFailure:
    """Which cell failed, and how (its ``str``: ``path: cell N (first line of code):
    ErrorName: message``); N counts the notebook's cells as its author sees them."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            # Number cells as the author sees them in the notebook, without the injected one.
            number = i + 1 if i < injected_at else i
            code = _first_line(cell.source)
            ename, evalue = errors[0]["ename"], _first_line(errors[0]["evalue"])
            return NotebookFailure(notebook, number, code, ename, evalue)
    return NotebookFailure(notebook, None, "", exc.ename, _first_line(exc.evalue))


def export_html(
    nb: nbformat.NotebookNode,
    *,
    title: str,
    footer: dict,
    failure: NotebookFailure | None = None,
    with_code: bool = False,
) -> str:
    """The report page of an executed notebook, with its table of contents filled in."""
    exporter = HTMLExporter(
        template_name="newskit",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=not with_code,
        exclude_input_prompt=not with_code,
        exclude_output_prompt=True,
    )
    nb.metadata["title"] = title
    failure_text = None if failure is None else str(failure)
    resources = {
        "newskit": {
            **footer,
            "failure": failure_text,
            "display_css": DISPLAY_CSS,
            "csp": CSP,
            "script": PAGE_SCRIPT,
        }
    }
    # nbconvert parses the page it made with BeautifulSoup (to add alternative texts and tab
    # stops), in pure Python: seconds for a page of large tables. The HTML outputs, which it
    # neither changes nor reads, are held out of the page meanwhile as markers, and put back.
    marker = f"newskit-held-{secrets.token_hex(8)}-"
    with _outputs_held(nb, marker) as held:
        page, _ = exporter.from_notebook_node(nb, resources=resources)
    page = re.sub(re.escape(marker) + r"(\d+)", lambda m: held[int(m[1])], page)
    return place_toc(page, build_toc(page))


@contextlib.contextmanager
def _outputs_held(nb: nbformat.NotebookNode, marker: str):
    """Within this block every ``text/html`` output of ``nb`` is ``marker`` and a number, the
    position of its HTML in the list given; after it, its HTML again."""
    held: list[str] = []
    swapped = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/html" in data:
                value = data["text/html"]
                swapped.append((data, value))
                held.append("".join(value) if isinstance(value, list) else value)
                data["text/html"] = f"{marker}{len(held) - 1}"
    try:
        yield held
    finally:
        for data, value in swapped:
            data["text/html"] = value


def place_toc(page: str, toc: str) -> str:
    """Put the table of contents after the cell holding the title, else at the top."""
    title = page.find("</h1>")
    after = page.find('<div class="jp-Cell ', title) if title >= 0 else -1
    if after < 0:
        after = page.find("<main>") + len("<main>")
    return page[:after] + toc + page[after:]


_H2 = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def build_toc(page: str) -> str:
    """A ``<nav>`` linking every ``##`` section of a rendered notebook (empty when none)."""
    items = []
    for anchor, inner in _H2.findall(page):
        label = html.unescape(_TAG.sub("", inner)).rstrip("\u00b6").strip()
        items.append(f'<li><a href="#{anchor}">{html.escape(label)}</a></li>')
    if not items:
        return ""
    return '<nav class="newskit-toc"><p>Contents</p><ol>' + "".join(items) + "</ol></nav>"


def _literal(value: object) -> str:
    """``value`` as Python source; a path with bytes that are not UTF-8 (lone surrogates, which
    a notebook file cannot hold) as ASCII escapes that evaluate to the same string."""
    value = os.fspath(value) if isinstance(value, os.PathLike) else value
    text = repr(value)
    try:
        text.encode()
    except UnicodeEncodeError:
        return ascii(value)
    return text


def build_footer(corpus_path: Path, corpus: Corpus, selected: Corpus, parameters: dict) -> dict:
    """What every report's footer says about the corpus and the run."""
    articles = f"{len(selected):,}"
    if len(selected) != len(corpus):
        articles += f" of {len(corpus):,}"
    filters = ", ".join(f"{k}={v}" for k, v in parameters.items() if v is not None)
    return {
        "corpus": shown_name(os.fspath(corpus_path)),
        "articles": articles,
        "filters": filters,
        "fingerprint": corpus.fingerprint,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "version": newskit.__version__,
    }


def headline_numbers(corpus: Corpus) -> dict[str, object]:
    """The numbers ``index.html`` shows for a corpus (:func:`newskit.display.corpus_numbers`)."""
    return corpus_numbers(corpus)


def build_index(results: list[ReportResult], corpus: Corpus, footer: dict) -> str:
    """The text of ``index.html``: links to the reports and the corpus's headline numbers."""
    return _index_page(results, headline_numbers(corpus), footer)


def _index_page(results: list[ReportResult], numbers: dict[str, object], footer: dict) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, keep_trailing_newline=True
    )
    template = env.get_template("reports-index.html.j2")
    return template.render(
        reports=[
            {
                "href": r.html_path.name,
                "title": r.title,
                "seconds": f"{r.seconds:.1f}",
                "failure": None if r.failure is None else str(r.failure),
                "nothing_shown": r.nothing_shown,
            }
            for r in results
        ],
        numbers=Markup(render_numbers(numbers).html),
        css=Markup(
            (TEMPLATES / "newskit" / "newskit.css").read_text(encoding="utf-8") + DISPLAY_CSS
        ),
        footer=footer,
        csp=CSP,
        script=Markup(PAGE_SCRIPT),
    )


def notebook_title(nb: nbformat.NotebookNode, notebook: Path) -> str:
    """The notebook's first ``#`` heading, else its file name."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return notebook.stem


def _assigned_names(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _umask() -> int:
    try:  # read, not set: os.umask would change it for every thread for a moment
        status = Path("/proc/self/status").read_text(encoding="ascii")
        return int(re.search(r"^Umask:\s*([0-7]+)", status, re.M).group(1), 8)
    except (OSError, AttributeError):
        mask = os.umask(0o022)
        os.umask(mask)
        return mask


def _first_line(text: str, limit: int = 80) -> str:
    line = next((s.strip() for s in str(text).splitlines() if s.strip()), "")
    return cut_text(line, limit)


#: The file ``write_comparison_report`` writes in its folder.
COMPARISON_PAGE = "compare.html"


def write_comparison_report(comparison: Comparison, out_dir: str | os.PathLike) -> Path:
    """Write what changed between two snapshots as one offline HTML page, ``compare.html``.

    Parameters
    ----------
    comparison : Comparison
        What :func:`newskit.compare` gave.
    out_dir : path-like
        Folder the page is written to (created when missing).

    Returns
    -------
    pathlib.Path
        The page written, by a temporary file and a rename.

    Raises
    ------
    ReportError
        ``path: reason`` when the folder or the page cannot be written.
    """
    out_dir = Path(out_dir)
    check_writable(out_dir)
    path = out_dir / COMPARISON_PAGE
    write_file(path, build_comparison_page(comparison))
    return path


def build_comparison_page(comparison: Comparison) -> str:
    """The text of ``compare.html``: every table bounded and escaped by `newskit.display`."""

    def table(frame, *, empty: str, **kwargs) -> list[Markup]:
        if frame.empty:
            return [Markup(note(empty).html)]
        return [Markup(render_table(frame, **kwargs).html)]

    def moved_shares(frame):
        return frame[(frame["share_change"] != 0) | (frame["status"] != "kept")]

    counts = comparison.counts()
    changed = comparison.changed
    by_article = (
        changed.groupby("article_id", sort=False)
        .agg(title=("title", "first"), fields=("field", ", ".join))
        .reset_index()
    )
    headline = comparison.headline.set_index("measure")
    numbers = {
        "articles": f"{headline.at['articles', 'old']:,} -> {headline.at['articles', 'new']:,}",
        "added": f"{counts['added']:,} ({counts['added_new']:,} newly published, "
        f"{counts['added_backfill']:,} backfill, {counts['added_undated']:,} undated)",
        "removed": counts["removed"],
        "changed": counts["changed"],
        "moved": counts["moved"],
        "unchanged": counts["unchanged"],
    }
    completeness = comparison.completeness[comparison.completeness["change"] != 0]
    sections = [
        (
            "Summary",
            [Markup(render_numbers(numbers).html)]
            + [Markup(note(text).html) for text in comparison.notes],
        ),
        ("Headline numbers", table(comparison.headline, empty="No numbers.")),
        (
            "Added articles",
            table(
                comparison.added,
                empty="No article was added.",
                caption="when: new = published after the old snapshot's last date; "
                "backfill = on or before it",
            ),
        ),
        ("Removed articles", table(comparison.removed, empty="No article was removed.")),
        ("Changed articles", table(by_article, empty="No matched article changed.")),
        (
            "Changes, field by field",
            table(changed[["article_id", "field", "old", "new"]], empty="No field changed.")
            + table(comparison.field_counts, empty="", caption="Articles changed per field"),
        ),
        ("Moved articles", table(comparison.moved, empty="No article moved.")),
        ("Score drift", table(comparison.scores, empty="No scores.")),
        (
            "Topics",
            table(moved_shares(comparison.topics), empty="No topic's share changed."),
        ),
        (
            "Providers",
            table(
                moved_shares(comparison.providers),
                empty="No provider's share changed.",
            )
            + table(comparison.concentration, empty="", caption="Provider concentration"),
        ),
        ("Field completeness", table(completeness, empty="No field's completeness changed.")),
        ("Load problems", table(comparison.problems, empty="No load problem appeared or went.")),
        ("Duplicates", table(comparison.duplicates, empty="No article shares a URL.")),
    ]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, keep_trailing_newline=True
    )
    template = env.get_template("compare.html.j2")
    return template.render(
        sections=[
            {
                "anchor": re.sub(r"[^a-z]+", "-", title.lower()).strip("-"),
                "title": title,
                "parts": parts,
            }
            for title, parts in sections
        ],
        css=Markup((TEMPLATES / "newskit" / "newskit.css").read_text(encoding="utf-8")),
        footer={
            "old": comparison.old_root,
            "new": comparison.new_root,
            "old_articles": f"{headline.at['articles', 'old']:,}",
            "new_articles": f"{headline.at['articles', 'new']:,}",
            "old_fingerprint": headline.at["fingerprint", "old"],
            "new_fingerprint": headline.at["fingerprint", "new"],
            "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "version": newskit.__version__,
        },
        csp=CSP,
        script=Markup(PAGE_SCRIPT),
    )
