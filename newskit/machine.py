"""What the machine lends a run: the CPUs this process may use, its memory, and the memory a
process gives back."""

from __future__ import annotations

import ctypes
import functools
import os
import sys


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity, where the system has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def available_memory() -> int | None:
    """Bytes of memory available to new processes (Linux's ``MemAvailable``; elsewhere half
    the physical memory), or ``None`` where the system does not say."""
    try:
        with open("/proc/meminfo", encoding="ascii") as lines:
            for line in lines:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2
    except (AttributeError, ValueError, OSError):
        return None


def peak_memory() -> int | None:
    """The peak resident memory of this process so far, in bytes (``None`` where unknown)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # macOS counts bytes, Linux KiB


@functools.cache
def _malloc_trim():
    """glibc's ``malloc_trim``, or None where the C library is another."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # musl, or no glibc
        return None


def give_back_memory() -> bool:
    """Hand back to the system the memory freed in this process that the C allocator keeps
    (glibc keeps freed blocks between live ones, and a load frees many: its resident set after a
    load of 300,000 records was a fifth larger without this). Whether there was one to ask
    (glibc's ``malloc_trim``, as Dask's workers use it); a few milliseconds."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
