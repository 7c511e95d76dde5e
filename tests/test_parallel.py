"""Parallel and serial parsing, and yaml-rs and PyYAML, give identical corpora."""

from __future__ import annotations

import random

import pandas as pd
import pytest
from conftest import SEED_TEXT, SEEDS, record, require_built, require_shared
from test_corpus import BAD_FILES, GOOD

import newskit.parse
from newskit import load_corpus
from newskit.files import scan_files
from newskit.parse import RecordError, is_plain_yaml, load_yaml, load_yaml_fast, parse_record

TABLES = ("articles", "topics", "images", "related", "problems", "providers")


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
    tables = build_file_tables(relpaths, paths, reads)
    frames = {name: table_to_frame(tables[name], cols) for name, (cols, _) in FILE_TABLES.items()}
    digests = {relpath: read.digest for relpath, read in zip(relpaths, reads, strict=True)}
    return finish_corpus(root, frames, digests)


@pytest.fixture
def mixed_corpus(make_corpus):
    """120 files: chunks of 50 differ in their categories; bad files, warnings, duplicates."""
    files = {}
    for n in range(120):
        kind = "video" if n >= 100 else "article"  # only the last chunk has videos
        url = f"https://example.com/{n % 97}"  # files 97.. repeat earlier URLs
        files[f"{n // 40}/{n:03d}.md"] = record(
            title=f'"Story {n}"',
            originalUrl=f'"{url}"',
            type=kind,
            quality=n,
            topics=f"[Power Apps, T{n % 5}]",
            category="news" if n < 60 else "blog",
            images=f'[{{url: "https://img.example/{n}.png", width: {n}}}]',
        )
    files["1/seed.txt"] = SEED_TEXT
    files.update({f"2/{name}": content for name, (content, _) in BAD_FILES.items()})
    files["2/warned.md"] = record(title='"W"', quality='"46"', published="yes", topics="a, b")
    return make_corpus(files)


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_parallel_and_serial_loads_equal_one_serial_pass(mixed_corpus, workers):
    expected = reference(mixed_corpus)
    assert len(expected) == 122 and expected.n_errors == len(BAD_FILES)
    corpus = load_corpus(mixed_corpus, workers=workers, cache=False)
    assert_same_corpus(corpus, expected)


def test_automatic_worker_count_uses_a_pool_for_large_loads(mixed_corpus, monkeypatch):
    monkeypatch.setattr("newskit.load.PARALLEL_MIN_FILES", 10)
    assert_same_corpus(load_corpus(mixed_corpus, cache=False), reference(mixed_corpus))


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


def test_scan_files_lists_what_a_walk_finds(make_corpus):
    root = make_corpus(
        {
            "a.md": GOOD,
            "B.TXT": GOOD,
            ".hidden.md": GOOD,
            ".git/x.md": GOOD,
            "sub/deeper/c.md": GOOD,
            "notes.rst": "x",
            "sub/d.Md": GOOD,
        }
    )
    (root / "link-to-sub").symlink_to(root / "sub", target_is_directory=True)
    (root / "dangling.md").symlink_to(root / "nowhere.md")
    entries = [entry[:3] for entry in scan_files(root)]
    assert [relpath for relpath, _, _ in entries] == [
        "B.TXT",
        "a.md",
        "dangling.md",
        "sub/d.Md",
        "sub/deeper/c.md",
    ]
    assert dict((r, s) for r, s, _ in entries)["dangling.md"] == -1
    assert dict((r, s) for r, s, _ in entries)["a.md"] == len(GOOD.encode())


def test_c_scan_and_python_scan_list_the_same(make_corpus, monkeypatch):
    import os

    import newskit.files

    require_built(newskit.files._scan, "_scan")
    root = make_corpus(
        {
            "a.md": GOOD,
            "B.TXT": GOOD,
            "c.Md": GOOD,
            "notes.rst": "x",
            ".hidden.md": GOOD,
            ".git/x.md": GOOD,
            "sub/deeper/d.md": GOOD,
            "folder.md/e.txt": GOOD,
            "x.md.bak": GOOD,
            ".md": GOOD,
            "md": GOOD,
        }
    )
    (root / "link-to-sub").symlink_to(root / "sub", target_is_directory=True)
    (root / "link-to-a.md").symlink_to(root / "a.md")
    (root / "dangling.md").symlink_to(root / "nowhere.md")
    (root / "empty").mkdir()
    with open(os.path.join(os.fsencode(root), b"caf\xe9-latin1.md"), "w") as f:
        f.write(GOOD)
    fast = scan_files(root)
    monkeypatch.setattr(newskit.files, "_scan", None)
    assert fast == scan_files(root)
    assert [entry[0] for entry in fast] == [
        "B.TXT",
        "a.md",
        "c.Md",
        "caf\udce9-latin1.md",
        "dangling.md",
        "folder.md/e.txt",
        "link-to-a.md",
        "sub/deeper/d.md",
    ]


def test_c_scan_names_the_folder_it_cannot_list(tmp_path):
    import errno

    import newskit.files

    require_built(newskit.files._scan, "_scan")
    (tmp_path / "file.md").write_text(GOOD)
    with pytest.raises(OSError) as caught:
        newskit.files._scan.scan(str(tmp_path / "file.md"))
    assert caught.value.errno == errno.ENOTDIR and caught.value.filename == ""


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


def outcome(load, text):
    try:
        return "ok", load(text)
    except RecordError as exc:
        return "error", str(exc)
    except Exception as exc:  # noqa: BLE001 - any other failure must match too
        return type(exc).__name__, str(exc)


def assert_same_outcome(text: str) -> None:
    fast, slow = outcome(load_yaml_fast, text), outcome(load_yaml, text)
    assert fast == slow and repr(fast) == repr(slow), text


TRICKY = [
    # YAML 1.1 words, numbers and dates PyYAML reads differently from YAML 1.2
    "a: yes\nb: No\nc: on\nd: OFF\ne: y\n",
    "a: 010\nb: 0o17\nc: 0x1F\nd: 1_000\ne: 12:30\n",
    "a: 1e5\nb: .5\nc: 1.\nd: .inf\ne: -.Inf\nf: .NaN\ng: inf\nh: nan\n",
    "a: ~\nb: null\nc: Null\nd: NULL\ne:\n",
    "a: True\nb: FALSE\n",
    "a: +5\nb: -0\nc: 0\n",
    "a: 99999999999999999999\nb: 999999999999999999\n",
    # dates and time zones
    "a: 2021-04-12T13:30:00Z\nb: 2021-04-12T13:30:00+02:00\nc: 2021-04-12T13:30:00-23:59\n",
    "a: 2021-04-12T13:30:00.123456789Z\nb: 2021-04-12T13:30:00.5Z\n",
    "a: 2021-04-12\nb: 2021-04-12 13:30:00\nc: 2021-4-2T1:30:00Z\nd: 2021-04-12t13:30:00z\n",
    "a: 2021-02-29T00:00:00Z\n",
    "a: 2020-02-29T00:00:00Z\n",
    "a: 2021-13-01T00:00:00Z\n",
    "a: 2021-04-31T00:00:00Z\n",
    "a: 2021-01-01T24:00:00Z\n",
    "a: 2021-01-01T00:00:60Z\n",
    "a: 2021-01-01T00:00:00+25:00\n",
    "a: 2021-01-01T00:00:00.9999995Z\n",
    # tags: refused, never run
    "a: !!python/object/apply:os.system [echo hi]\n",
    "a: !!python/name:os.system\n",
    "a: !!str 5\n",
    "a: !custom x\n",
    "a: !!binary aGk=\n",
    "a: !!set {x}\n",
    # anchors, aliases, merge keys
    "a: &x [1, 2]\nb: *x\n",
    "a: &x\n  k: 1\nb:\n  <<: *x\n  j: 2\n",
    "<<: {a: 1}\n",
    "l0: &l0 [lol, lol]\nl1: &l1 [*l0, *l0, *l0]\nl2: [*l1, *l1, *l1]\n",
    # duplicate keys, nesting, indentation
    "a: 1\na: 2\n",
    "a:\n  b: 1\n  b: 2\n",
    "a: " + "[" * 1200 + "]" * 1200 + "\n",
    "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 30)) + "  " * 30 + "k: v\n",
    "a:\n  - x\n - y\n",
    "a:\n  b: 1\n c: 2\n",
    "a:\n- x\n- y\n",
    "a:\n  -\n  - x\n",
    "a: x\n  continued\n",
    "a: b\n  - c\n",
    "- a\n- b\n",
    "just text\n",
    "",
    "\n\n",
    # quoting, escapes, comments, odd characters
    'a: "x\\/y \\u00e9 \\x41 \\e \\N \\ud83d"\n',
    "a: 'it''s'\nb: \"\"\nc: ''\n",
    "a: C#\nb: x #comment\nc: a[b]{c},d\nd: x:y\ne: 'x: y'\n",
    'a: "x\n  y"\n',
    "a: x\u2028y\n",
    "a: x\x85y\n",
    "a: x\ty\n",
    "a:\tx\n",
    "a: \ufeffx\n",
    "a: x\x7fy\n",
    "a: caf\u00e9 \u2019s \U0001f600\n",
    "'a': 1\n\"b\": 2\n",
    "? a\n: 1\n",
    "a: |\n  x\n",
    "a: >\n  x\n  y\n",
    "%YAML 1.1\n---\na: 1\n",
    "a: 1\n---\nb: 2\n",
    "1: a\n",
    "on: x\n",
]


@pytest.mark.parametrize("text", TRICKY)
def test_fast_parser_matches_pyyaml_on_tricky_documents(text):
    assert_same_outcome(text)


def test_fast_parser_takes_the_records_of_the_real_format():
    front = SEED_TEXT.split("---\n")[1]
    assert is_plain_yaml(front)
    assert load_yaml_fast(front) == load_yaml(front)


def test_fast_parser_matches_pyyaml_on_mutated_records():
    """Random edits of real-looking records: whatever yaml-rs accepts, PyYAML reads alike."""
    fronts = [SEED_TEXT.split("---\n")[1], GOOD.split("---\n")[1]]
    pieces = [
        " ",
        "  ",
        "- ",
        ": ",
        "#",
        " #",
        '"',
        "'",
        "\\",
        "&a ",
        "*a",
        "!",
        "[",
        "]",
        "{",
        ",",
        "?",
        "|",
        ">",
        "yes",
        "~",
        "010",
        "1e5",
        "12:30",
        "\n",
        "\n  ",
        "\n- ",
        "\t",
        "2021-02-29T00:00:00Z",
        "2021-04-12",
        "True",
        "<<",
        "\\u00e9",
        "inf",
    ]
    rng = random.Random(20261126)
    used_fast = 0
    for _ in range(1500):
        lines = rng.choice(fronts).split("\n")
        for _ in range(rng.randint(1, 3)):
            k = rng.randrange(len(lines))
            j = rng.randint(0, len(lines[k]))
            op = rng.random()
            if op < 0.6:
                lines[k] = lines[k][:j] + rng.choice(pieces) + lines[k][j + rng.randint(0, 2) :]
            elif op < 0.75:
                lines[k] = " " * rng.randint(0, 5) + lines[k].lstrip()
            elif op < 0.9:
                lines.insert(k, lines[rng.randrange(len(lines))])
            else:
                del lines[k]
        text = "\n".join(lines)
        used_fast += is_plain_yaml(text)
        assert_same_outcome(text)
    assert used_fast > 300  # the comparison did exercise yaml-rs


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_parse_record_fast_and_slow_agree_on_bad_files(name):
    content = BAD_FILES[name][0]
    data = content.encode() if isinstance(content, str) else content
    assert outcome(parse_record, data) == outcome(lambda d: parse_record(d, fast=False), data)


def test_closing_fence_is_the_first_a_regex_search_finds():
    from newskit.parse import _CLOSING_FENCE, _find_closing_fence

    lines = ["---", "...", "--- ", "...\t", "----", "--- x", "....", " ---", "a: 1", "", "-- -"]
    rng = random.Random(4)
    for _ in range(3000):
        text = "\n".join(rng.choice(lines) for _ in range(rng.randint(0, 8)))
        for start in range(1, len(text) + 1):
            if text[start - 1] == "\n":
                continue  # called at the end of the opening fence's line, never at a line start
            expected = _CLOSING_FENCE.search(text, start)
            found = _find_closing_fence(text, start)
            assert (found and found.span()) == (expected and expected.span()), (text, start)


def test_rows_go_to_arrow_as_the_pandas_road_takes_them(mixed_corpus):
    """Record rows become the Arrow tables that building frames of them and converting gives."""
    from newskit.columnar import record_rows
    from newskit.load import read_record
    from newskit.records import build_record
    from newskit.schema import FILE_TABLES, build_frame, frame_to_table, rows_to_table

    relpaths = [entry[0] for entry in scan_files(mixed_corpus)]
    reads = [read_record(str(mixed_corpus / relpath)) for relpath in relpaths]
    records = [
        build_record(read.meta, read.body, article_id=relpath, path=str(mixed_corpus / relpath))
        for relpath, read in zip(relpaths, reads, strict=True)
        if read.meta is not None
    ]
    rows = record_rows(records)
    rows["problems"] = [
        {**read.problem, "relpath": relpath}
        for relpath, read in zip(relpaths, reads, strict=True)
        if read.problem is not None
    ] + [
        {
            "path": r.article["path"],
            "severity": "warning",
            "field": name,
            "message": message,
            "relpath": r.article["article_id"],
        }
        for r in records
        for name, message in r.warnings
    ]
    for name, (columns, _) in FILE_TABLES.items():
        direct = rows_to_table(rows[name], columns)
        assert direct.equals(frame_to_table(build_frame(rows[name], columns), columns)), name
        assert direct.num_rows > 0, name


def test_flag_duplicates_matches_a_plain_reading_of_the_rule():
    """Each later file repeating an original_url or web_url is flagged once, naming the first."""
    from newskit.corpus import flag_duplicates
    from newskit.schema import ARTICLE_COLUMNS, build_frame

    rng = random.Random(7)
    for _ in range(200):
        n = rng.randint(0, 30)
        urls = [None, "", "u1", "u2", "u3", "u4"]
        rows = [
            {
                "article_id": f"{i:02d}.md",
                "path": f"/c/{i:02d}.md",
                "topics": [],
                "original_url": rng.choice(urls),
                "web_url": rng.choice(urls),
                "n_images": 0,
                "n_related": 0,
                "has_featured_content": False,
                "is_duplicate": False,
            }
            for i in range(n)
        ]
        flagged, problems = flag_duplicates(build_frame(rows, ARTICLE_COLUMNS))
        expected_flags, expected_problems = [], []
        for column, key in (("original_url", "originalUrl"), ("web_url", "webUrl")):
            first: dict[str, str] = {}
            for i, row in enumerate(rows):
                value = row[column]
                if value is None:
                    continue
                if value in first:
                    if i not in expected_flags:
                        expected_problems.append(
                            {
                                "path": row["path"],
                                "severity": "warning",
                                "field": key,
                                "message": f"duplicate of {first[value]} (same {key})",
                            }
                        )
                    expected_flags.append(i)
                else:
                    first[value] = row["path"]
        assert problems == expected_problems
        assert list(flagged["is_duplicate"]) == [i in expected_flags for i in range(n)]


@pytest.mark.parametrize(
    "when", ["2021-13-01T00:00:00Z", "2021-02-30", "2021-01-01T24:00:00Z", "2021-01-01 00:60:00"]
)
def test_impossible_date_keeps_the_article_with_a_warning(make_corpus, when):
    root = make_corpus({"bad.md": record(title='"x"', publishedDateTime=when), "ok.md": GOOD})
    for workers in (1, 2):
        corpus = load_corpus(root, cache=False, workers=workers)
        assert corpus.articles["article_id"].tolist() == ["bad.md", "ok.md"]
        assert pd.isna(corpus.articles["published_at"].iloc[0])
        [message] = corpus.problems["message"]
        assert message == f"unreadable date '{when}'; left empty"


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
    import os
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
    import os
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
    import os
    import signal

    from newskit.load import _signals_between_chunks

    with pytest.raises(KeyboardInterrupt), _signals_between_chunks() as act_on_signals:
        os.kill(os.getpid(), signal.SIGINT)
        held = True  # reached: the handler only noted the signal
        act_on_signals()
        held = False
    assert held
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
