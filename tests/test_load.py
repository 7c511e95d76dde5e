"""The load pipeline: serial, parallel and cached loads, and the speed-ups, give identical corpora;
the worker pool, its progress bar and its signals."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from conftest import BAD_FILES, GOOD, SEEDS, require_shared

import newskit.parse
from newskit import load_corpus
from newskit.files import scan_files

TABLES = ("articles", "topics", "images", "related", "problems", "providers", "stories")


def assert_same_corpus(left, right) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(left, name), getattr(right, name), obj=name)
    assert left.fingerprint == right.fingerprint
    assert left.summary() == right.summary()


def reference(root):
    """The corpus as one serial pass over every file builds it, record by record."""
    from newskit.corpus import finish_corpus
    from newskit.load import build_file_tables, read_record
    from newskit.schema import FILE_TABLES, table_to_frame

    base = root if root.is_dir() else root.parent
    relpaths = [entry[0] for entry in scan_files(root)]
    paths = [str(base / relpath) for relpath in relpaths]
    reads = [read_record(path) for path in paths]
    tables = build_file_tables(relpaths, paths, reads)  # no story keys: the stories make them
    frames = {name: table_to_frame(table, FILE_TABLES[name][0]) for name, table in tables.items()}
    digests = {relpath: read.digest for relpath, read in zip(relpaths, reads, strict=True)}
    return finish_corpus(root, frames, digests)


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_parallel_and_serial_loads_equal_one_serial_pass(mixed_corpus, workers):
    expected = reference(mixed_corpus)
    assert len(expected) == 122 and expected.n_errors == len(BAD_FILES)
    corpus = load_corpus(mixed_corpus, workers=workers, cache=False)
    assert_same_corpus(corpus, expected)


def test_automatic_worker_count_uses_a_pool_for_large_loads(mixed_corpus, monkeypatch):
    monkeypatch.setattr("newskit.load.PARALLEL_MIN_FILES", 10)
    monkeypatch.setattr("newskit.load.PARALLEL_MIN_FILES_COLD", 100)
    monkeypatch.setattr("newskit.load._forkserver_started", False)
    assert_same_corpus(load_corpus(mixed_corpus, cache=False), reference(mixed_corpus))
    assert newskit.load._forkserver_started  # 122 files: a pool, whose server now runs


def test_a_fresh_process_parses_alone_until_a_pool_would_pay_for_its_start(monkeypatch):
    from newskit.load import PARALLEL_MIN_FILES, PARALLEL_MIN_FILES_COLD, _worker_count

    monkeypatch.setattr("newskit.load.usable_cpus", lambda: 4)
    monkeypatch.setattr("newskit.load._forkserver_started", False)
    assert _worker_count(None, PARALLEL_MIN_FILES) == 1
    assert _worker_count(None, PARALLEL_MIN_FILES_COLD - 1) == 1
    assert _worker_count(None, PARALLEL_MIN_FILES_COLD) == 4
    assert _worker_count(2, 50) == 2  # as asked
    monkeypatch.setattr("newskit.load._forkserver_started", True)  # the server runs: quick
    assert _worker_count(None, PARALLEL_MIN_FILES - 1) == 1
    assert _worker_count(None, PARALLEL_MIN_FILES) == 2
    assert _worker_count(None, 4 * PARALLEL_MIN_FILES) == 4


def test_parallel_load_with_cache_equals_serial(mixed_corpus, tmp_path):
    cold = load_corpus(mixed_corpus, workers=2, cache_dir=tmp_path / "c")
    (mixed_corpus / "0" / "005.md").unlink()
    (mixed_corpus / "2" / "new.md").write_text(GOOD)
    warm = load_corpus(mixed_corpus, workers=2, cache_dir=tmp_path / "c")
    assert len(warm) == len(cold)
    assert_same_corpus(warm, reference(mixed_corpus))


def test_bad_inputs_give_the_same_rows_with_pyyaml_only(mixed_corpus, monkeypatch, tmp_path):
    fast = load_corpus(mixed_corpus, workers=2, cache=False)
    monkeypatch.setattr(newskit.parse, "yaml_rs", None)  # as where yaml-rs is not installed
    monkeypatch.setattr(newskit.parse, "_plainyaml", None)  # nor newskit's C reader built
    slow = load_corpus(mixed_corpus, workers=1, cache=False)
    assert_same_corpus(fast, slow)


def test_real_corpus_parallel_serial_and_pyyaml_agree(monkeypatch):
    root = require_shared()
    serial = load_corpus(root, workers=1, cache=False)
    assert len(serial) == 192
    assert_same_corpus(load_corpus(root, workers=2, cache=False), serial)
    monkeypatch.setattr(newskit.parse, "yaml_rs", None)
    monkeypatch.setattr(newskit.parse, "_plainyaml", None)
    assert_same_corpus(load_corpus(root, workers=1, cache=False), serial)


def test_workers_must_be_a_positive_whole_number():
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="workers"):
            load_corpus(SEEDS, workers=bad, cache=False)


def test_progress_bar_only_when_asked_or_interactive(mixed_corpus, capsys, monkeypatch):
    load_corpus(mixed_corpus, cache=False, progress=True)
    assert "parsing records" in capsys.readouterr().err
    monkeypatch.setattr("newskit.load.PROGRESS_MIN_FILES", 1)
    load_corpus(mixed_corpus, cache=False)  # stderr is captured: not a terminal
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("NEWSKIT_PROGRESS", "0")
    load_corpus(mixed_corpus, cache=False)
    assert capsys.readouterr().err == ""
    load_corpus(mixed_corpus, cache=False, progress=False)
    assert capsys.readouterr().err == ""


# --- yaml-rs is used only where it reads exactly as PyYAML's safe loader ----------------------


def test_generated_corpus_loads_the_same_with_and_without_the_speed_ups(tmp_path, monkeypatch):
    """Records shaped like real ones (the benchmark's generator: CRLF files, missing fields,
    duplicates): the C reader, yaml-rs and the C scan change nothing but the speed."""
    import newskit.files

    monkeypatch.syspath_prepend(str(SEEDS.parent / "tests" / "bench"))
    from generate import generate

    generate(tmp_path / "corpus", 400, seed=5)
    fast = load_corpus(tmp_path / "corpus", workers=2, cache=False)
    monkeypatch.setattr(newskit.parse, "yaml_rs", None)
    monkeypatch.setattr(newskit.parse, "_plainyaml", None)
    monkeypatch.setattr(newskit.files, "_scan", None)
    slow = load_corpus(tmp_path / "corpus", workers=1, cache=False)
    assert len(slow) == 400
    assert_same_corpus(fast, slow)


# --- the worker pool's processes ----------------------------------------------------------------


# Loads a corpus with two workers over and over, stopping on Ctrl-C as the CLI does.
LOOP = """
import sys
from newskit import load_corpus
try:
    while True:
        load_corpus(sys.argv[1], workers=2, cache=False, progress=False)
except KeyboardInterrupt:
    print("Error: interrupted", file=sys.stderr)
    sys.exit(130)
"""


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory):
    import sys

    sys.path.insert(0, str(SEEDS.parent / "tests" / "bench"))
    try:
        from generate import generate
    finally:
        sys.path.pop(0)
    root = tmp_path_factory.mktemp("big") / "corpus"
    generate(root, 3000, seed=3)
    return root


def start_loading(root):
    """A Python process loading ``root`` in a loop, once two pool workers of it are parsing."""
    import subprocess
    import sys
    import time

    import psutil

    process = subprocess.Popen(
        [sys.executable, "-c", LOOP, str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # a process group of its own, as a shell gives a job
        env={**__import__("os").environ, "NEWSKIT_PROGRESS": "0"},
    )
    handle = psutil.Process(process.pid)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            family = handle.children(recursive=True)
            workers = [p for p in family if is_pool_worker(p, process.pid)]
        except psutil.Error:
            continue
        if len(workers) >= 2:
            return process, family
        time.sleep(0.005)
    process.kill()
    pytest.fail("no pool workers seen in 60 s")


def survivors(family) -> list:
    """Those of ``family`` still running 5 s on (killed then: a test leaves none behind). A
    zombie has exited: only its parent, or an init that does not reap, has yet to collect it."""
    import time

    import psutil

    def running() -> list:
        still = []
        for proc in family:
            try:
                if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                    still.append(proc)
            except psutil.NoSuchProcess:
                pass
        return still

    deadline = time.monotonic() + 5
    while running() and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = running()
    for proc in alive:
        proc.kill()
    return alive


def is_pool_worker(proc, top: int) -> bool:
    import psutil

    try:
        command = " ".join(proc.cmdline())
        return "resource_tracker" not in command and (
            proc.ppid() != top or "forkserver" not in command
        )
    except psutil.Error:
        return False


@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_no_worker_outlives_a_killed_load(big_corpus, how):
    """Killed while parsing, a load leaves no process behind, nor its stdout held open."""
    import signal

    process, family = start_loading(big_corpus)
    os.kill(process.pid, getattr(signal, how))
    process.wait(timeout=10)
    alive = survivors(family)
    assert alive == []
    assert process.stdout.read() == b""  # EOF: no worker still holds the pipe
    process.stderr.close()


def test_ctrl_c_stops_a_parallel_load_with_one_line(big_corpus):
    """Ctrl-C in a terminal signals the whole job: workers print nothing, the load stops."""
    import signal

    process, family = start_loading(big_corpus)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=30)
    alive = survivors(family)
    assert err.decode() == "Error: interrupted\n"
    assert process.returncode == 130
    assert alive == []


def test_load_from_a_threaded_process_forks_no_thread(big_corpus):
    """A process running a thread (a Jupyter kernel does) loads in parallel without forking
    itself: Python 3.12+ warns that a fork there may deadlock the child."""
    import subprocess
    import sys

    script = """
import os, sys, threading, time
forks = []
os.register_at_fork(before=lambda: forks.append(threading.active_count()))
threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
from newskit import load_corpus
corpus = load_corpus(sys.argv[1], workers=2, cache=False, progress=False)
print(len(corpus), len(forks))
"""
    done = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", script, str(big_corpus)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "fork" not in done.stderr
    rows, forks = done.stdout.split()
    assert rows == "3000"
    assert forks == "0"  # the workers came from a forkserver (or spawn), not from a fork here


def test_a_script_without_a_main_guard_loads_once(big_corpus, tmp_path):
    """Workers start without running the caller's script again (as spawn would, loading the
    corpus once more in each worker)."""
    import subprocess
    import sys

    script = tmp_path / "plain.py"
    script.write_text(
        "import sys\nfrom newskit import load_corpus\nprint('loading', flush=True)\n"
        "print(len(load_corpus(sys.argv[1], workers=2, cache=False, progress=False)))\n"
    )
    done = subprocess.run(
        [sys.executable, str(script), str(big_corpus)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout == "loading\n3000\n"


def test_a_signal_during_a_parallel_parse_is_acted_on_between_chunks():
    """Ctrl-C while the pool runs is held until a point where raising is safe (raised inside
    one of multiprocessing's finalizers, it would be printed as "Exception ignored" and lost)."""
    import signal

    from newskit.load import _signals_between_chunks

    with pytest.raises(KeyboardInterrupt), _signals_between_chunks() as act_on_signals:
        os.kill(os.getpid(), signal.SIGINT)
        held = True  # reached: the handler only noted the signal
        act_on_signals()
        held = False
    assert held
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
