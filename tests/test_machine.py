"""What the machine lends a run: its CPUs, and the memory a process gives back."""

from __future__ import annotations

import gc
import sys

import psutil
import pytest

from newskit import machine


def test_usable_cpus_are_the_process_s_affinity():
    import os

    assert 1 <= machine.usable_cpus() <= (os.cpu_count() or 1)
    if hasattr(os, "sched_getaffinity"):
        assert machine.usable_cpus() == len(os.sched_getaffinity(0))


def test_memory_and_cpus_are_read_from_the_system():
    import os
    from pathlib import Path

    from newskit.machine import available_memory, peak_memory, usable_cpus

    assert 1 <= usable_cpus() <= (os.cpu_count() or 1)
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert 0 < available_memory() <= total
    # the peak counts the pages of a 64 MB buffer written now, on top of what is resident now
    resident = int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    buffer = bytearray(b"x") * (64 * 2**20)
    assert peak_memory() >= resident + 60 * 2**20 and buffer[-1:] == b"x"


@pytest.mark.skipif(
    machine._malloc_trim() is None, reason=f"no glibc malloc_trim on {sys.platform}"
)
def test_memory_freed_between_live_blocks_is_given_back():
    process = psutil.Process()
    gc.collect()
    machine.give_back_memory()
    before = process.memory_info().rss
    blocks = [bytes(2048) + bytes([i % 256]) for i in range(100_000)]  # 200 MB, malloc'd
    kept = blocks[::10]  # a live block every 20 KB: the freed ones are not at the heap's top
    del blocks
    gc.collect()
    kept_by_allocator = process.memory_info().rss - before
    assert machine.give_back_memory()
    given_back = kept_by_allocator - (process.memory_info().rss - before)
    assert kept_by_allocator > 150 * 2**20 and given_back > 100 * 2**20
    assert len(kept) == 10_000


def test_a_load_gives_back_what_it_freed(tmp_path, monkeypatch):
    from newskit import load_corpus

    asked = []
    monkeypatch.setattr("newskit.corpus.give_back_memory", lambda: asked.append(1) or True)
    (tmp_path / "a.md").write_text("---\ntitle: A\nwebUrl: https://example.com/a\n---\n")
    load_corpus(tmp_path, cache=False, progress=False)
    assert asked == [1]
