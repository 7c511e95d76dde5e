"""The folder scan: what it lists, the C scan and the Python one alike, and its errors; and
the room a cache file is written into."""

from __future__ import annotations

import errno
import os
import sys

import pytest
from conftest import BUILT, GOOD, require_built

import newskit.files
from newskit.files import preallocate, scan_files


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


def test_c_scan_stats_files_in_threads_as_one_thread_does(tmp_path, monkeypatch):
    import os

    import newskit.files

    scan = newskit.files._scan
    require_built(scan, "_scan")
    root = tmp_path / "corpus"
    for folder in range(3):  # 3 x 3,000 files: up to 4 threads of 2,048 or more entries each
        (root / f"{folder}" / "deeper").mkdir(parents=True)
        for k in range(3000):
            place = root / f"{folder}" / ("deeper" if k % 3 else "") / f"{k:04d}.md"
            place.write_text("x" * (k % 97))
    (root / "link.md").symlink_to(root / "0" / "0000.md")
    (root / "dangling.md").symlink_to(root / "nowhere.md")
    os.utime(root / "1" / "0003.md", ns=(1, 123_456_789))

    one, one_digest = scan.scan(str(root), 1)
    many, many_digest = scan.scan(str(root), 4)
    assert many == one and many_digest == one_digest  # the same columns, in the same order
    listed = newskit.files.scan_files(root)
    found = {entry[0]: entry for entry in listed}
    assert len(found) == 9002
    assert found["1/0003.md"][1:3] == (3, 123_456_789)
    assert found["dangling.md"][1:] == (-1, -1, -1, -1)
    assert found["link.md"][1:] == found["0/0000.md"][1:]
    assert found["2/deeper/0005.md"][1] == 5
    monkeypatch.setattr(newskit.files, "_scan", None)
    assert newskit.files.scan_files(root) == listed


def test_read_ahead_reads_what_read_bytes_reads_and_leaves_it_the_rest(tmp_path, monkeypatch):
    import hashlib
    import os
    import threading

    import newskit.files
    from newskit.files import read_ahead, read_bytes
    from newskit.parse import RecordError

    require_built(newskit.files._scan, "_scan")
    monkeypatch.setattr(newskit.files, "READ_AT_A_TIME", 3)  # batches, and some read ahead
    monkeypatch.setattr(newskit.files, "READ_AHEAD", 2)
    monkeypatch.setattr(newskit.files, "MAX_FILE_BYTES", 100)
    good = []
    for k in range(10):
        (tmp_path / f"{k}.md").write_bytes(b"x" * (k * 10))  # 0 to 90 bytes: the empty one too
        good.append(str(tmp_path / f"{k}.md"))
    (tmp_path / "big.md").write_bytes(b"x" * 101)
    (tmp_path / "folder.md").mkdir()
    os.mkfifo(tmp_path / "fifo.md")
    (tmp_path / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    (tmp_path / "link.md").symlink_to(tmp_path / "3.md")
    others = ["big.md", "folder.md", "fifo.md", "dangling.md", "missing.md", "link.md"]
    paths = good[:5] + [str(tmp_path / name) for name in others] + good[5:]

    read = list(read_ahead(paths))
    assert len(read) == len(paths)
    for path, found in zip(paths, read, strict=True):
        try:
            data = read_bytes(path)
        except (OSError, RecordError):  # read_bytes says why: read_ahead leaves it that
            assert found is None, path
        else:
            assert found == (data, hashlib.blake2b(data, digest_size=16).hexdigest()), path
    assert [found is not None for found in read] == [True] * 5 + [False] * 5 + [True] * 6
    # a caller that stops early leaves no reading thread behind
    started = read_ahead(paths * 10)
    assert next(started) == read[0]
    started.close()
    assert not [t for t in threading.enumerate() if t.name.startswith("newskit-read")]
    monkeypatch.setattr(newskit.files, "_scan", None)
    assert list(read_ahead(paths)) == [None] * len(paths)


def test_c_reads_digest_files_as_hashlib_blake2b_does(tmp_path):
    """The digest the C scan makes while it reads equals hashlib's for every length around
    BLAKE2b's 128-byte blocks, and for larger files."""
    import hashlib
    import pathlib
    import random

    import newskit.files

    require_built(newskit.files._scan, "_scan")
    rng = random.Random(5)
    sizes = [*range(0, 400), 1023, 1024, 1025, 4096, 65_535, 65_536, 65_537, 1_000_003]
    paths = []
    for size in sizes:
        path = tmp_path / f"{size}.md"
        path.write_bytes(rng.randbytes(size))
        paths.append(str(path))
    found = newskit.files._scan.read_files(paths, 1 << 24)
    for path, (data, digest) in zip(paths, found, strict=True):
        assert data == pathlib.Path(path).read_bytes()
        assert digest == hashlib.blake2b(data, digest_size=16).hexdigest(), path
    assert newskit.files.content_digest(b"") == hashlib.blake2b(b"", digest_size=16).hexdigest()


def test_c_scan_names_the_folder_it_cannot_list(tmp_path):
    import errno

    import newskit.files

    require_built(newskit.files._scan, "_scan")
    (tmp_path / "file.md").write_text(GOOD)
    with pytest.raises(OSError) as caught:
        newskit.files._scan.scan(str(tmp_path / "file.md"))
    assert caught.value.errno == errno.ENOTDIR and caught.value.filename == ""


def test_c_scan_names_the_subfolder_it_cannot_list(tmp_path):
    import subprocess
    import sys

    import newskit.files

    require_built(newskit.files._scan, "_scan")
    root = tmp_path / "corpus"
    for name in "abcde":
        (root / name).mkdir(parents=True)
        (root / name / "x.md").write_text(GOOD)
    chain = root / "c"
    for _ in range(200):  # deeper than 64 descriptors reach: listing it runs out of them
        chain = chain / "d"
    chain.mkdir(parents=True)
    script = (
        "import resource, sys\n"
        "from newskit import _scan\n"
        "resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))\n"
        "try:\n"
        "    _scan.scan(sys.argv[1], int(sys.argv[2]))\n"
        "except OSError as exc:\n"
        "    print(exc.errno, exc.filename)\n"
    )
    import errno

    for threads in ("1", "4"):
        out = subprocess.run(
            [sys.executable, "-c", script, str(root), threads],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert out[0] == str(errno.EMFILE), out
        assert out[1].startswith("c/d/d/") and set(out[1][2:].split("/")) == {"d"}, out


def test_the_scan_digest_tells_one_listing_from_another_whatever_the_order(make_corpus):
    import newskit.files
    from newskit.files import entries_digest, list_files

    require_built(newskit.files._scan, "_scan")
    root = make_corpus({"a.md": GOOD, "b.md": GOOD + "\n", "sub/c.md": GOOD + "\n\n"})
    listing = list_files(root)
    base = listing.entries
    assert listing.digest == entries_digest(base) == entries_digest(base[::-1])
    different = [
        base[:-1],
        [*base, base[0]],
        [(base[1][0], *base[0][1:]), (base[0][0], *base[1][1:]), base[2]],
    ]
    for i in range(len(base)):  # any name or number of any entry changed
        for k in range(5):
            entry = list(base[i])
            entry[k] = entry[k] + ("x" if k == 0 else 1)
            different.append([*base[:i], tuple(entry), *base[i + 1 :]])
    digests = {entries_digest(entries) for entries in different}
    assert len(digests) == len(different) and listing.digest not in digests


def test_the_scan_entries_as_columns_are_the_entries(monkeypatch):
    import numpy as np
    import pyarrow as pa

    import newskit.files
    from newskit.files import entry_columns

    require_built(newskit.files._scan, "_scan")
    entries = [
        ("a.md", 0, -1, 2**63 - 1, -(2**63)),
        ("sub/é — 記事.md", 4096, 1_700_000_000_123_456_789, 12, 1_700_000_000_000_000_001),
        ("", 1, 2, 3, 4),
    ]
    for listed in (entries, [], entries[1:2] * 3):
        found = entry_columns(listed)
        with monkeypatch.context() as python_only:
            python_only.setattr(newskit.files, "_scan", None)
            expected = entry_columns(listed)
        assert found[0].equals(expected[0])
        assert found[0].type == pa.large_string() and found[0].to_pylist() == [e[0] for e in listed]
        for k in range(1, 5):
            assert found[k].dtype == np.int64
            assert found[k].tolist() == expected[k].tolist() == [e[k] for e in listed]


@pytest.mark.skipif(sys.platform != "linux", reason="fallocate is Linux's")
def test_preallocate_allocates_the_range_before_it_is_written(tmp_path):
    require_built(BUILT["_scan"], "_scan")
    path = tmp_path / "file"
    path.write_bytes(b"head")
    with open(path, "r+b") as file:
        assert preallocate(file.fileno(), 4, 1 << 20)
        info = os.fstat(file.fileno())
    assert info.st_size == 4 + (1 << 20)  # grown to the range's end
    assert info.st_blocks * 512 >= 1 << 20  # its blocks allocated, nothing written
    assert path.read_bytes()[:4] == b"head"


def test_preallocate_says_no_room_for_what_the_file_system_cannot_hold(tmp_path):
    require_built(BUILT["_scan"], "_scan")
    with open(tmp_path / "file", "wb") as file, pytest.raises(OSError) as raised:
        preallocate(file.fileno(), 0, 1 << 62)  # beyond any file system's largest file
    assert raised.value.errno in (errno.EFBIG, errno.ENOSPC)


def test_preallocate_does_nothing_where_it_cannot(tmp_path, monkeypatch):
    """Without the C scan, or on something that is not a file, nothing is written."""
    path = tmp_path / "file"
    with open(os.devnull, "wb") as null:
        assert not preallocate(null.fileno(), 0, 1 << 20)
    monkeypatch.setattr(newskit.files, "_scan", None)
    with open(path, "wb") as file:
        assert not preallocate(file.fileno(), 0, 1 << 20)
    assert path.stat().st_size == 0
