"""cache: a warm or incremental load is exactly a cold load; a bad cache is never trusted."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import SEED_TEXT, record, use_scan

import newskit.load
from newskit import load_corpus
from newskit.cache import (
    SUFFIX,
    cache_file,
    clear_cache,
    default_cache_dir,
    wait_for_writes,
)
from newskit.cli import main

TABLES = ("articles", "topics", "images", "related", "problems", "providers", "stories")
OLD = 1_500_000_000_000_000_000  # mtime_ns in 2017: well outside the "just modified" window


def article(n: int, url: str | None = None, **fields: object) -> str:
    url = url or f"https://example.com/{n}"
    values = {
        "title": f'"Story {n}"',
        "originalUrl": f'"{url}"',
        "webUrl": f'"{url}"',
        "publishedDateTime": "2021-04-12T13:30:00Z",
        "quality": n,
        "heat": n,
        "topics": f'["Power Apps", "T{n % 3}"]',
        "type": "article" if n % 2 else "video",
    }
    return record(**{**values, **fields})


def assert_same_corpus(left, right) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(left, name), getattr(right, name), obj=name)
    assert left.fingerprint == right.fingerprint
    assert left.summary() == right.summary()


def age(root: Path) -> None:
    """Give every file an old mtime, as files not touched for a while have."""
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(OLD, OLD))


def cache_files(folder: Path) -> list[Path]:
    wait_for_writes()  # load_corpus writes its cache from a background thread
    return sorted(folder.glob(f"*{SUFFIX}"))


@pytest.fixture
def corpus_dir(make_corpus):
    root = make_corpus(
        {
            "a/001.md": article(1),
            "a/002.md": article(2, related="\n  - title: Other\n    webUrl: https://o.example/x"),
            "a/003.md": article(3, url="https://example.com/1"),  # duplicate of a/001.md
            "b/004.md": article(4, quality='"high"'),  # a warning
            "b/005.txt": SEED_TEXT,
            "b/broken.md": "---\ntitle: [unclosed\n---\n",  # an error
            "c/006.md": article(6, published="yes"),  # YAML 1.1 word: parsed by PyYAML
            # a provider with no scores: NaN means in the providers table
            "c/007.md": record(
                title='"P"',
                originalUrl='"https://p.example/7"',
                provider="{name: P, domain: p.example}",
            ),
        }
    )
    age(root)
    return root


@pytest.fixture
def cache_dir(tmp_path) -> Path:
    return tmp_path / "cache"


def test_cold_warm_and_uncached_loads_are_identical(corpus_dir, cache_dir):
    uncached = load_corpus(corpus_dir, cache=False)
    assert len(uncached) == 7 and uncached.n_errors == 1 and uncached.n_warnings >= 2
    assert uncached.providers["mean_quality"].isna().any()
    cold = load_corpus(corpus_dir, cache_dir=cache_dir)
    assert len(cache_files(cache_dir)) == 1
    warm = load_corpus(corpus_dir, cache_dir=cache_dir)
    assert_same_corpus(cold, uncached)
    assert_same_corpus(warm, uncached)


@pytest.mark.parametrize("c_scan", [True, False], ids=["C scan", "Python scan"])
@pytest.mark.parametrize("how", ["in place", "by rename"])
def test_file_replaced_with_the_same_size_and_mtime_is_read_again(
    corpus_dir, cache_dir, how, c_scan, monkeypatch
):
    # as cp -p (in place), rsync -a or tar x (a new file renamed over the old one) replace it;
    # the cache vouches even for files changed a moment ago: only inode and ctime tell
    use_scan(c_scan, monkeypatch)
    monkeypatch.setattr("newskit.cache.RACY_NS", 0)
    load_corpus(corpus_dir, cache_dir=cache_dir)
    path = corpus_dir / "a" / "001.md"
    text = path.read_text().replace("Story 1", "Story X")  # same size
    if how == "in place":
        path.write_text(text)
    else:
        (corpus_dir / "a" / ".001.md.new").write_text(text)
        os.replace(corpus_dir / "a" / ".001.md.new", path)
    os.utime(path, ns=(OLD, OLD))
    uncached = load_corpus(corpus_dir, cache=False)
    assert "Story X" in uncached.articles["title"].tolist()
    assert_same_corpus(load_corpus(corpus_dir, cache_dir=cache_dir), uncached)
    assert_same_corpus(load_corpus(corpus_dir, cache_dir=cache_dir), uncached)


def test_file_rewritten_right_after_a_load_is_read_again(corpus_dir, cache_dir):
    path = corpus_dir / "a" / "001.md"
    path.write_text(article(1))
    stamp = path.stat().st_mtime_ns
    load_corpus(corpus_dir, cache_dir=cache_dir)
    path.write_text(article(1).replace("Story 1", "Story X"))  # same size, same mtime tick
    os.utime(path, ns=(stamp, stamp))
    warm = load_corpus(corpus_dir, cache_dir=cache_dir)
    assert "Story X" in warm.articles["title"].tolist()
    assert_same_corpus(warm, load_corpus(corpus_dir, cache=False))


@pytest.mark.parametrize(
    "change",
    [
        "edit",
        "grow",
        "add",
        "delete",
        "rename",
        "delete_first_duplicate",
        "rename_duplicate_first",
        "break",
        "fix",
        "add_folder",
        "delete_all",
    ],
)
@pytest.mark.parametrize("hashes", ["hashes", "shared hashes"])
def test_changes_are_reflected_exactly(corpus_dir, cache_dir, change, hashes, monkeypatch):
    # files just written count as unchanged: the load after the change reuses the others
    monkeypatch.setattr("newskit.cache.RACY_NS", 0)
    if hashes == "shared hashes":  # the merge finds cached rows' files by Arrow then
        text_hashes = newskit.load.text_hashes
        monkeypatch.setattr(
            newskit.load,
            "text_hashes",
            lambda values: None if (found := text_hashes(values)) is None else found % 2,
        )
    load_corpus(corpus_dir, cache_dir=cache_dir)
    a = corpus_dir / "a"
    if change == "edit":
        (a / "002.md").write_text(article(2).replace("Story 2", "Story Y"))
    elif change == "grow":
        (a / "002.md").write_text(article(2, excerpt='"now with an excerpt"'))
    elif change == "add":
        (a / "000.md").write_text(article(7))
    elif change == "delete":
        (a / "002.md").unlink()
    elif change == "rename":
        (a / "002.md").rename(corpus_dir / "c" / "zzz.md")
    elif change == "delete_first_duplicate":
        (a / "001.md").unlink()
    elif change == "rename_duplicate_first":
        (a / "003.md").rename(a / "000.md")  # the copy now comes first in path order
    elif change == "break":
        (a / "002.md").write_text("---\ntitle: x\nquality: 3\n")
    elif change == "fix":
        (corpus_dir / "b" / "broken.md").write_text(article(9))
    elif change == "add_folder":
        (corpus_dir / "d" / "e").mkdir(parents=True)
        (corpus_dir / "d" / "e" / "010.md").write_text(article(10, url="https://example.com/4"))
    elif change == "delete_all":
        for path in list(corpus_dir.rglob("*.*")):
            path.unlink()
    incremental = load_corpus(corpus_dir, cache_dir=cache_dir)
    assert_same_corpus(incremental, load_corpus(corpus_dir, cache=False))
    # and the cache written by that load is right too
    assert_same_corpus(load_corpus(corpus_dir, cache_dir=cache_dir), incremental)


def test_duplicate_flags_follow_the_files(corpus_dir, cache_dir):
    load_corpus(corpus_dir, cache_dir=cache_dir)
    (corpus_dir / "a" / "001.md").unlink()
    corpus = load_corpus(corpus_dir, cache_dir=cache_dir)
    assert not corpus.articles["is_duplicate"].any()
    assert not corpus.problems["message"].str.startswith("duplicate of").any()


@pytest.mark.parametrize(
    "damage", ["flip", "flip_header", "truncate", "empty", "garbage", "other_corpus"]
)
def test_bad_cache_file_is_rebuilt_not_trusted(
    corpus_dir, cache_dir, make_corpus, tmp_path, damage
):
    expected = load_corpus(corpus_dir, cache=False)
    load_corpus(corpus_dir, cache_dir=cache_dir)
    [path] = cache_files(cache_dir)
    data = path.read_bytes()
    if damage == "flip":
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :])
    elif damage == "flip_header":  # the header and its length close the file
        at = len(data) - 20
        path.write_bytes(data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :])
    elif damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "garbage":
        path.write_bytes(os.urandom(len(data)))
    elif damage == "other_corpus":
        other = tmp_path / "other"
        other.mkdir()
        (other / "x.md").write_text(article(42))
        load_corpus(other, cache_dir=cache_dir)
        wait_for_writes()
        path.write_bytes(cache_file(other, cache_dir).read_bytes())
    damaged = path.read_bytes()
    assert_same_corpus(load_corpus(corpus_dir, cache_dir=cache_dir), expected)
    wait_for_writes()
    assert path.read_bytes() != damaged  # rebuilt
    assert_same_corpus(load_corpus(corpus_dir, cache_dir=cache_dir), expected)


def test_cache_never_writes_into_a_read_only_corpus(corpus_dir, cache_dir):
    before = sorted((str(p), p.stat().st_mtime_ns) for p in corpus_dir.rglob("*"))
    for folder in [corpus_dir, *[p for p in corpus_dir.rglob("*") if p.is_dir()]]:
        folder.chmod(0o555)
    try:
        cold = load_corpus(corpus_dir, cache_dir=cache_dir)
        warm = load_corpus(corpus_dir, cache_dir=cache_dir)
    finally:
        for folder in [corpus_dir, *[p for p in corpus_dir.rglob("*") if p.is_dir()]]:
            folder.chmod(0o755)
    assert_same_corpus(warm, cold)
    assert sorted((str(p), p.stat().st_mtime_ns) for p in corpus_dir.rglob("*")) == before
    assert len(cache_files(cache_dir)) == 1


def test_unwritable_cache_dir_still_loads(corpus_dir, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    corpus = load_corpus(corpus_dir, cache_dir=blocker / "cache")
    assert_same_corpus(corpus, load_corpus(corpus_dir, cache=False))
    assert blocker.read_text() == "a file where the cache folder should be"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes whatever the folder's mode")
def test_read_only_cache_dir_still_loads(corpus_dir, cache_dir):
    cache_dir.mkdir()
    cache_dir.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        corpus = load_corpus(corpus_dir, cache_dir=cache_dir)
    finally:
        cache_dir.chmod(0o755)
    assert_same_corpus(corpus, load_corpus(corpus_dir, cache=False))


def test_cache_false_writes_nothing(corpus_dir, cache_dir):
    load_corpus(corpus_dir, cache=False, cache_dir=cache_dir)
    assert not cache_dir.exists()


def test_cache_dir_comes_from_argument_then_environment(corpus_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSKIT_CACHE_DIR", str(tmp_path / "from-env"))
    load_corpus(corpus_dir)
    assert len(cache_files(tmp_path / "from-env")) == 1
    load_corpus(corpus_dir, cache_dir=tmp_path / "from-arg")
    assert len(cache_files(tmp_path / "from-arg")) == 1


def test_default_cache_dir_is_outside_the_corpus(tmp_path, monkeypatch):
    monkeypatch.delenv("NEWSKIT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "newskit"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "newskit"


def test_root_spelling_keeps_paths_as_given(corpus_dir, cache_dir, monkeypatch):
    monkeypatch.chdir(corpus_dir.parent)
    relative = load_corpus(Path(corpus_dir.name), cache_dir=cache_dir)
    absolute = load_corpus(corpus_dir, cache_dir=cache_dir)
    assert relative.articles["path"].iloc[0].startswith(corpus_dir.name + os.sep)
    assert absolute.articles["path"].iloc[0].startswith(str(corpus_dir))
    assert_same_corpus(load_corpus(Path(corpus_dir.name), cache_dir=cache_dir), relative)


def test_single_file_corpus_is_cached(corpus_dir, cache_dir):
    path = corpus_dir / "b" / "005.txt"
    cold = load_corpus(path, cache_dir=cache_dir)
    assert_same_corpus(load_corpus(path, cache_dir=cache_dir), cold)
    assert len(cold) == 1


def test_strict_raises_from_a_warm_cache(corpus_dir, cache_dir):
    from newskit import CorpusError

    with pytest.raises(CorpusError, match="broken.md: malformed YAML"):
        load_corpus(corpus_dir, strict=True, cache_dir=cache_dir)
    with pytest.raises(CorpusError, match="broken.md: malformed YAML"):
        load_corpus(corpus_dir, strict=True, cache_dir=cache_dir)


def test_concurrent_loads_leave_a_sound_cache(corpus_dir, cache_dir):
    expected = load_corpus(corpus_dir, cache=False)
    results = []

    def load() -> None:
        results.append(load_corpus(corpus_dir, cache_dir=cache_dir))

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    wait_for_writes()
    for corpus in results:
        assert_same_corpus(corpus, expected)
    assert [p.name for p in cache_dir.iterdir()] == [cache_file(corpus_dir, cache_dir).name]
    assert_same_corpus(load_corpus(corpus_dir, cache_dir=cache_dir), expected)


def test_clear_cache_removes_cache_and_leftover_temporary_files(corpus_dir, cache_dir):
    load_corpus(corpus_dir, cache_dir=cache_dir)
    wait_for_writes()
    leftover = cache_dir / f".tmp-killed{SUFFIX}"  # what a load killed mid-write leaves
    leftover.write_bytes(b"half a cache")
    unrelated = cache_dir / "notes.txt"
    unrelated.write_text("not ours")
    assert_same_corpus(
        load_corpus(corpus_dir, cache_dir=cache_dir), load_corpus(corpus_dir, cache=False)
    )
    removed = clear_cache(cache_dir)
    assert len(removed) == 2
    assert sorted(p.name for p in cache_dir.iterdir()) == ["notes.txt"]
    assert clear_cache(cache_dir) == []


def test_cli_cache_clear(corpus_dir, cache_dir, capsys, monkeypatch):
    monkeypatch.setenv("NEWSKIT_CACHE_DIR", str(cache_dir))
    load_corpus(corpus_dir)
    assert main(["cache", "clear"]) == 0
    assert capsys.readouterr().out == f"removed 1 cache file from {cache_dir}\n"
    assert cache_files(cache_dir) == []
    assert main(["cache", "clear", "--cache-dir", str(cache_dir)]) == 0
    assert capsys.readouterr().out == f"removed 0 cache files from {cache_dir}\n"


def test_next_cache_write_removes_temporary_files_of_killed_writes(corpus_dir, cache_dir):
    load_corpus(corpus_dir, cache_dir=cache_dir)
    wait_for_writes()
    killed = cache_dir / f".tmp-killed{SUFFIX}"  # what a load killed mid-write leaves
    killed.write_bytes(b"half a cache")
    hour_ago = time.time() - 3600
    os.utime(killed, (hour_ago, hour_ago))
    under_way = cache_dir / f".tmp-writing{SUFFIX}"  # another load writing right now
    under_way.write_bytes(b"a cache being written")
    (corpus_dir / "a" / "new.md").write_text(article(9))  # so that this load writes its cache
    load_corpus(corpus_dir, cache_dir=cache_dir)
    wait_for_writes()
    names = sorted(path.name for path in cache_dir.iterdir())
    assert names == [under_way.name, cache_file(corpus_dir, cache_dir).name]


def test_a_cache_write_that_fills_the_disk_leaves_nothing(tmp_path):
    """The cache is written straight to its file: a write the disk cannot hold (here a file
    size limit, which fails writes as a full disk does) returns False and leaves no file."""
    script = """
import resource, signal, sys
import pyarrow as pa
from pathlib import Path
from newskit.cache import write_tables
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
table = pa.table({"text": pa.array(["x" * 100] * 20_000, pa.large_string())})
print(write_tables(Path(sys.argv[1]) / "corpus.nkcache", {"t": table}, {}))
small = pa.table({"text": pa.array(["x"] * 10, pa.large_string())})
print(write_tables(Path(sys.argv[1]) / "small.nkcache", {"t": small}, {}))
"""
    folder = tmp_path / "cache"
    done = subprocess.run(
        [sys.executable, "-c", script, str(folder)], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["False", "True"]
    assert sorted(p.name for p in folder.iterdir()) == ["small.nkcache"]


def test_a_cache_file_ends_where_what_was_written_does(tmp_path):
    """Each batch's room is allocated before it is written, with some to spare: what was
    not written is cut off, so a small table makes a small file, which reads back whole."""
    import pyarrow as pa

    from newskit.cache import read_tables, write_tables

    table = pa.table({"text": pa.array(["x"] * 10, pa.large_string()), "n": list(range(10))})
    path = tmp_path / "small.nkcache"
    assert write_tables(path, {"t": table}, {"root": "r"})
    assert path.stat().st_size < 4096  # not the 64 KiB and more allocated
    assert read_tables(path, {"root": "r"})["t"].equals(table)
    # a larger table, in batches, each allocated as it comes
    large = pa.table({"text": pa.array([f"text {i}" * 20 for i in range(50_000)])})
    assert write_tables(path, {"t": large, "u": table}, {"root": "r"}, batch_rows=7_000)
    tables = read_tables(path, {"root": "r"})
    assert tables["t"].equals(large) and tables["u"].equals(table)
    assert path.stat().st_size < large.nbytes + 65_536


def test_the_load_after_a_cold_or_changed_load_reads_the_cache_as_it_is(
    corpus_dir, cache_dir, monkeypatch
):
    """The cache a load writes vouches for the files as that load found them: the next load
    finds nothing changed and reads it as it is, parsing nothing."""
    monkeypatch.setattr("newskit.cache.RACY_NS", 0)  # files just written count as unchanged
    load_corpus(corpus_dir, cache_dir=cache_dir)
    edited = corpus_dir / "a" / "002.md"
    edited.write_text(edited.read_text().replace("title:", "title: Edited", 1))
    (corpus_dir / "b" / "004.md").unlink()
    changed = load_corpus(corpus_dir, cache_dir=cache_dir)
    wait_for_writes()

    def not_called(*args, **kwargs):
        raise AssertionError("the cache did not vouch for the files")

    monkeypatch.setattr("newskit.corpus.load_changed", not_called)
    assert_same_corpus(load_corpus(corpus_dir, cache_dir=cache_dir), changed)


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_a_load_that_fails_after_its_cache_write_began_leaves_no_file(
    corpus_dir, cache_dir, monkeypatch, error
):
    """The per-file tables go to the cache file while the load goes on: a load that fails
    after that (here in grouping its stories) leaves neither a cache file nor a temporary
    one, and the next load is whole."""

    def fail(*args, **kwargs):
        raise error("failed after the cache write began")

    with monkeypatch.context() as patched:
        patched.setattr("newskit.corpus.finish_corpus", fail)
        with pytest.raises(error):
            load_corpus(corpus_dir, cache_dir=cache_dir)
    wait_for_writes()
    assert sorted(cache_dir.iterdir()) == []
    assert_same_corpus(load_corpus(corpus_dir, cache_dir=cache_dir), load_corpus(corpus_dir))


def test_a_warm_load_keeps_the_cached_stories_until_they_are_asked_for(
    corpus_dir, cache_dir, monkeypatch
):
    """The stories table a cache kept is read as Arrow and made a frame on first use: a
    warm load that never looks at it does not build its topic lists."""
    import pyarrow as pa

    monkeypatch.setattr("newskit.cache.RACY_NS", 0)  # files just written count as unchanged
    cold = load_corpus(corpus_dir, cache_dir=cache_dir)
    wait_for_writes()
    warm = load_corpus(corpus_dir, cache_dir=cache_dir)
    assert isinstance(warm._stories, pa.Table)
    pd.testing.assert_frame_equal(warm.stories, cold.stories)
    assert warm.stories is warm.stories  # made once
    assert warm.summary() == cold.summary()


def test_a_snapshot_load_reads_the_cache_as_the_load_before_found_the_files(
    make_corpus, tmp_path, monkeypatch
):
    # what newskit report's kernels do (SNAPSHOT_ENV): the corpus as the report's load found it
    from newskit.corpus import SNAPSHOT_ENV

    monkeypatch.setattr("newskit.cache.RACY_NS", 0)
    root = make_corpus({"a.md": record(title="First"), "b.md": record(title="Second")})
    cache_dir = tmp_path / "cache"
    load_corpus(root, cache_dir=cache_dir)
    wait_for_writes()
    (root / "a.md").write_text(record(title="Edited"), encoding="utf-8")
    (root / "b.md").unlink()
    (root / "c.md").write_text(record(title="Added"), encoding="utf-8")

    def titles(**options) -> list[str]:
        corpus = load_corpus(root, cache_dir=cache_dir, **options)
        wait_for_writes()
        return corpus.articles["title"].tolist()

    monkeypatch.setenv(SNAPSHOT_ENV, str(tmp_path / "another-corpus"))
    assert titles(cache=False) == ["Edited", "Added"]
    monkeypatch.setenv(SNAPSHOT_ENV, os.path.abspath(root))
    assert titles() == ["First", "Second"]
    assert titles(stories=False) == ["First", "Second"]  # other options: stories made anew
    assert titles() == ["First", "Second"]  # ... and the cache kept as it was
    assert titles(cache=False) == ["Edited", "Added"]  # no cache: the files themselves
    monkeypatch.setenv(SNAPSHOT_ENV, str(tmp_path / "another-corpus"))
    assert titles() == ["Edited", "Added"]  # another folder's snapshot: this one is listed
    monkeypatch.setenv(SNAPSHOT_ENV, os.path.abspath(root))
    assert titles() == ["Edited", "Added"]  # the cache the load before wrote


def test_a_cache_file_is_read_whole_to_check_it_unless_its_crc_was_found_right_before(
    corpus_dir, cache_dir, monkeypatch
):
    # newskit report's kernels are given the CRC its own load checked (SNAPSHOT_CRC_ENV)
    import newskit.cache
    from newskit.cache import checked_checksum, code_version, read_tables

    load_corpus(corpus_dir, cache_dir=cache_dir)
    wait_for_writes()
    [path] = cache_files(cache_dir)
    data = path.read_bytes()
    length = int.from_bytes(data[-12:-4], "little")
    crc = json.loads(data[-12 - length : -12])["payload_crc"]
    assert checked_checksum(path) == crc  # as written
    computed = []
    crc_of = newskit.cache._crc_of
    monkeypatch.setattr(newskit.cache, "_crc_of", lambda *a: computed.append(a) or crc_of(*a))
    stamp = {"root": str(corpus_dir), "abs": os.path.abspath(corpus_dir), "code": code_version()}
    assert read_tables(path, stamp) is not None
    assert len(computed) == 1
    assert read_tables(path, stamp, crc) is not None
    assert len(computed) == 1  # trusted: not read whole
    assert read_tables(path, stamp, crc ^ 1) is not None
    assert len(computed) == 2  # another CRC: checked
    # a flipped payload byte is found unless the CRC is trusted
    middle = len(data) // 2
    path.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :])
    assert read_tables(path, stamp, crc ^ 1) is None


def test_a_snapshot_load_lists_the_folder_where_the_cache_does_not_vouch_for_every_file(
    make_corpus, tmp_path, monkeypatch
):
    from newskit.corpus import SNAPSHOT_ENV

    # files changed within RACY_NS of the load that wrote the cache: their rows may not be
    # what the files hold, so a snapshot load does not take the cache as it is
    monkeypatch.setattr("newskit.cache.RACY_NS", 10**15)
    root = make_corpus({"a.md": record(title="First")})
    cache_dir = tmp_path / "cache"
    load_corpus(root, cache_dir=cache_dir)
    wait_for_writes()
    (root / "a.md").write_text(record(title="Edited"), encoding="utf-8")
    monkeypatch.setenv(SNAPSHOT_ENV, os.path.abspath(root))
    assert load_corpus(root, cache_dir=cache_dir).articles["title"].tolist() == ["Edited"]


def test_a_corpus_read_from_the_cache_outlives_the_cache_file_it_maps(
    corpus_dir, cache_dir, monkeypatch
):
    # a warm load's columns are views of the memory-mapped cache file; a later load that
    # writes a new cache replaces the file (a new file renamed over it) and `cache clear`
    # deletes it: the mapped columns stay what they were
    monkeypatch.setattr("newskit.cache.RACY_NS", 0)
    load_corpus(corpus_dir, cache_dir=cache_dir)
    wait_for_writes()
    held = load_corpus(corpus_dir, cache_dir=cache_dir)  # warm: read from the mapped file
    copied = {name: getattr(held, name).copy(deep=True) for name in TABLES}
    [path] = cache_files(cache_dir)
    inode = path.stat().st_ino
    first = sorted(corpus_dir.rglob("*.md"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nA longer body.\n", encoding="utf-8")
    load_corpus(corpus_dir, cache_dir=cache_dir)
    wait_for_writes()
    assert path.stat().st_ino != inode  # a new file
    clear_cache(cache_dir)
    assert not path.exists()
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(held, name), copied[name])
    assert held.articles["body"].str.len().sum() == copied["articles"]["body"].str.len().sum()
