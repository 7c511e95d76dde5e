"""Files on disk: the folder scan, the names tables show, the bounded read of record files,
and the room a cache file is written into."""

from __future__ import annotations

import hashlib
import itertools
import marshal
import os
import re
import stat
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from operator import itemgetter
from pathlib import Path

import numpy as np
import pyarrow as pa

from newskit.errors import CorpusError
from newskit.machine import usable_cpus
from newskit.parse import RecordError

try:  # newskit's C folder scan, built on install where a C compiler is at hand
    from newskit import _scan
except ImportError:  # pragma: no cover - optional speed-up
    _scan = None

#: File name endings read as records (compared case-insensitively).
SUFFIXES = (".txt", ".md")
_COMMON_SUFFIXES = (".md", ".txt")  # the usual spelling: no need to lower-case the name
#: Largest record file read, in bytes (a news record is a few kilobytes): a bigger one is an
#: error row, never read whole.
MAX_FILE_BYTES = 16 * 1024 * 1024

#: What the scan tells of one file: relative path, size, mtime_ns, inode, ctime_ns.
Entry = tuple[str, int, int, int, int]


class Listing:
    """What :func:`list_files` finds, sorted by relative path: one entry per record file, and
    their :func:`entries_digest` when the C scan made it as it went (else None).

    The C scan's listing of UTF-8 names is held as columns (no Python object per file);
    others as a list of entries.
    """

    __slots__ = ("_columns", "_entries", "digest")

    def __init__(
        self,
        entries: list[Entry] | None = None,
        digest: str | None = None,
        *,
        columns: tuple[pa.Array, np.ndarray] | None = None,
    ) -> None:
        if (entries is None) == (columns is None):
            raise ValueError("a Listing holds either entries or columns")
        self._entries, self._columns, self.digest = entries, columns, digest

    def __len__(self) -> int:
        return len(self._entries) if self._entries is not None else len(self._columns[0])

    @property
    def entries(self) -> list[Entry]:
        """Each file's ``(relative POSIX path, size, mtime_ns, inode, ctime_ns)``."""
        if self._entries is not None:
            return self._entries
        relpaths, numbers = self._columns
        return list(zip(relpaths.to_pylist(), *(row.tolist() for row in numbers), strict=True))

    def columns(self) -> tuple[pa.Array, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """:func:`entry_columns` of the entries (of a :func:`shown_listing`: UTF-8 names)."""
        if self._columns is None:
            return entry_columns(self._entries)
        relpaths, numbers = self._columns
        return relpaths, *numbers


def scan_files(root: Path) -> list[Entry]:
    """What the scan finds of each record file under ``root``, sorted by relative path.

    Each entry is ``(relative POSIX path, size, mtime_ns, inode, ctime_ns)``: the inode and
    its change time tell a replaced file from one of the same size and mtime. Hidden files and
    folders are skipped and symbolic links to folders are not followed (as :func:`os.walk`
    does); a file that cannot be stat'ed gets -1 for all four numbers. Names are as the
    ``os`` functions give them (see :func:`shown_name` for how the tables show them).
    A ``root`` that is a file is a corpus of that one file.
    """
    return list_files(root).entries


def list_files(root: Path) -> Listing:
    """:func:`scan_files` of ``root``, with the digest of the entries when the C scan made it."""
    if root.is_file():
        info = root.stat()
        entry = (root.name, info.st_size, info.st_mtime_ns, _inode(info), info.st_ctime_ns)
        return Listing([entry], None)
    if not root.is_dir():
        if root.exists() or root.is_symlink():
            raise CorpusError(f"{shown_name(os.fspath(root))}: not a folder or a regular file")
        raise CorpusError(f"{shown_name(os.fspath(root))}: no such file or folder")
    folder = os.fspath(root)
    digest = None
    if _scan is not None:
        try:
            (offsets, data, numbers), digest = _scan.scan(folder, usable_cpus())
        except OSError as exc:  # filename: the folder's path relative to root
            shown = os.path.join(folder, exc.filename) if exc.filename else folder
            raise CorpusError(f"{shown_name(shown)}: cannot list folder: {exc.strerror}") from exc
        n = len(offsets) // 8 - 1
        numbers = np.frombuffer(numbers, dtype=np.int64).reshape(4, n)
        relpaths = pa.Array.from_buffers(
            pa.large_string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
        )
        try:  # names that are all UTF-8 (the usual case): sorted by their bytes as by str
            relpaths.validate(full=True)
        except pa.ArrowInvalid:  # some are not: the os functions' names, sorted as str
            bounds = np.frombuffer(offsets, dtype=np.int64).tolist()
            names = [os.fsdecode(bytes(data[a:b])) for a, b in itertools.pairwise(bounds)]
            found = list(zip(names, *(row.tolist() for row in numbers), strict=True))
            found.sort(key=itemgetter(0))
            return Listing(found, digest)
        return Listing(columns=(relpaths, numbers), digest=digest)
    found = _scan_folder(folder)
    found.sort(key=itemgetter(0))  # paths are unique; comparing them alone is faster
    return Listing(found, None)


def entries_digest(entries: list[Entry]) -> str:
    """What tells one listing from another: equal entries (in any order, with the C scan; in
    the same order, without it), equal digests. The C scan's is a 128-bit hash of each entry,
    summed; without it, a BLAKE2 digest of the serialised list (the two never match: a
    listing digested one way and checked the other only looks changed)."""
    if _scan is not None:
        return _scan.digest(entries)
    # marshal version 2 writes no back-references, so equal lists give equal bytes
    return "py" + hashlib.blake2b(marshal.dumps(entries, 2), digest_size=16).hexdigest()


def entry_columns(
    entries: list[Entry],
) -> tuple[pa.Array, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The entries (of a :func:`shown_listing`: UTF-8 names) as columns: relative paths
    (Arrow large_string), sizes, mtime_ns, inodes and ctime_ns (int64); made in C where the
    scan is built."""
    n = len(entries)
    if _scan is not None:
        offsets, data, numbers = _scan.columns(entries)
        buffers = [None, pa.py_buffer(offsets), pa.py_buffer(data)]
        relpaths = pa.Array.from_buffers(pa.large_string(), n, buffers)
        return relpaths, *np.frombuffer(numbers, dtype=np.int64).reshape(4, n)
    relpaths = pa.array(list(map(itemgetter(0), entries)), type=pa.large_string())
    numbers = (np.fromiter(map(itemgetter(k), entries), np.int64, count=n) for k in range(1, 5))
    return relpaths, *numbers


def _inode(info: os.stat_result) -> int:
    """The inode number as the C scan gives it: its 64 bits read as a signed number."""
    number = info.st_ino
    return number - 2**64 if number >= 2**63 else number


def shown_listing(listing: Listing) -> Listing:
    """``listing`` with each relative path as :func:`shown_name` shows it, sorted by it; its
    digest is kept when no name changed."""
    if listing._entries is None:  # columns: UTF-8 names
        return listing
    try:  # one check for the usual case: every name is UTF-8
        "".join(map(itemgetter(0), listing.entries)).encode()
    except UnicodeEncodeError:
        entries = [(shown_name(relpath), *rest) for relpath, *rest in listing.entries]
        entries.sort(key=itemgetter(0))
        return Listing(entries, None)
    return listing


def shown_name(name: str) -> str:
    """A file name or path as newskit's tables show it.

    Bytes of a name that are not UTF-8 (which Python's ``os`` functions carry as lone
    surrogates) are written ``\\xNN``, as ``bytes.decode(errors="backslashreplace")`` writes
    them: ``caf\\xe9.md`` for the Latin-1 name ``café.md``. Other names are left as they are.
    """
    try:
        name.encode()
    except UnicodeEncodeError:
        return os.fsencode(name).decode(errors="backslashreplace")
    return name


_ESCAPED_BYTE = re.compile(rb"\\x([89a-f][0-9a-f])")


def _named_file(shown: str) -> str | None:
    """The path whose :func:`shown_name` is ``shown``, when that holds escaped bytes."""
    if "\\x" not in shown:
        return None
    raw = _ESCAPED_BYTE.sub(lambda match: bytes([int(match[1], 16)]), shown.encode())
    return os.fsdecode(raw)


def _scan_folder(folder: str) -> list[Entry]:
    """What the C scan lists, with os.scandir: depth-first, without recursion (so a deep
    tree is no RecursionError). Each folder is opened relative to its parent's descriptor
    (cheaper than a whole path, and no limit on the length of one), which stays open while
    any of its subfolders waits. Errors name the folder as os.walk's would."""
    found: list[Entry] = []
    append = found.append
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
    waiting: dict[int, int] = {}  # descriptor -> its subfolders not yet opened
    pending: list[tuple[int | None, str, str]] = [(None, folder, "")]  # parent, path, prefix

    def release(fd: int) -> None:
        waiting[fd] -= 1
        if not waiting[fd]:
            del waiting[fd]
            os.close(fd)

    try:
        while pending:
            parent, path, prefix = pending.pop()
            try:
                name = path if parent is None else os.path.basename(path)
                fd = os.open(name, flags, dir_fd=parent)
            except OSError as exc:
                raise CorpusError(
                    f"{shown_name(path)}: cannot list folder: {exc.strerror}"
                ) from exc
            finally:
                if parent is not None:
                    release(parent)
            subfolders = []
            try:
                with os.scandir(fd) as entries:
                    for entry in entries:
                        name = entry.name
                        if name[0] == ".":
                            continue
                        try:
                            is_dir = entry.is_dir()
                        except OSError:
                            is_dir = False
                        if is_dir:
                            if not entry.is_symlink():
                                subfolders.append(name)
                        elif name.endswith(_COMMON_SUFFIXES) or name.lower().endswith(SUFFIXES):
                            try:
                                info = entry.stat()
                            except OSError:
                                append((prefix + name, -1, -1, -1, -1))
                            else:
                                append(
                                    (
                                        prefix + name,
                                        info.st_size,
                                        info.st_mtime_ns,
                                        _inode(info),
                                        info.st_ctime_ns,
                                    )
                                )
            except OSError as exc:
                os.close(fd)
                raise CorpusError(
                    f"{shown_name(path)}: cannot list folder: {exc.strerror}"
                ) from exc
            if subfolders:
                waiting[fd] = len(subfolders)
                for name in reversed(subfolders):  # popped in directory order
                    pending.append((fd, os.path.join(path, name), f"{prefix}{name}/"))
            else:
                os.close(fd)
    finally:
        for fd in waiting:
            os.close(fd)
    return found


#: Files :func:`read_ahead` reads at a time, and batches it reads ahead of its caller.
READ_AT_A_TIME = 256
READ_AHEAD = 8


def read_ahead(paths: Iterable[str]) -> Iterator[tuple[bytes, str] | None]:
    """Each file's bytes as :func:`read_bytes` reads them and their digest
    (:func:`content_digest`), in order, or None for a file that :func:`read_bytes` must read
    itself (which then says why it cannot), as every file where the C scan is not built. The C
    scan reads and digests a batch of files at a time without the GIL, in a thread that keeps
    up to :data:`READ_AHEAD` batches ahead of the caller's parsing."""
    paths = iter(paths)
    if _scan is None:
        yield from (None for _ in paths)
        return
    reader = ThreadPoolExecutor(1, thread_name_prefix="newskit-read")
    try:
        pending: deque = deque()
        while True:
            while len(pending) < READ_AHEAD:
                batch = list(itertools.islice(paths, READ_AT_A_TIME))
                if not batch:
                    break
                pending.append(reader.submit(_scan.read_files, batch, MAX_FILE_BYTES))
            if not pending:
                return
            yield from pending.popleft().result()
    finally:  # a caller that stops early (an error, Ctrl-C) waits for one batch at most
        reader.shutdown(wait=True, cancel_futures=True)


def content_digest(data: bytes) -> str:
    """The digest that tells a file's content from another's: 32 hex digits of BLAKE2b."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_bytes(path: str) -> bytes:
    """The whole of a regular file of at most ``MAX_FILE_BYTES``, in few system calls."""
    # O_NONBLOCK: opening a FIFO must not wait for a writer; regular files ignore it
    flags = os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        named = _named_file(path)  # a path shown with escaped bytes: the file it names
        if named is None:
            raise
        fd = os.open(named, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
            raise RecordError("not a regular file")
        size = info.st_size
        if size > MAX_FILE_BYTES:
            raise RecordError(
                f"file is {size / 2**20:.1f} MiB, over the {MAX_FILE_BYTES // 2**20} MiB limit "
                "for one record"
            )
        chunks = [os.read(fd, size + 1)]
        if len(chunks[0]) == size:  # as fstat said: the whole file
            return chunks[0]
        while chunks[-1]:  # it grew or shrank since: read to its end
            chunks.append(os.read(fd, max(size, 65536)))
    finally:
        os.close(fd)
    return b"".join(chunks)


def preallocate(fd: int, offset: int, length: int) -> bool:
    """Allocate bytes ``offset`` to ``offset + length`` of the open file ``fd`` before they
    are written (the file grows to their end when shorter), so that the writes need not
    allocate them page by page (see :func:`newskit.cache.write_tables`; on ext4, the cache
    write a 300,000-record load leaves at exit 0.28-0.32 s against 0.43-0.51 s).

    Returns False, having done nothing, where that cannot be done: without newskit's C
    speed-ups, on systems other than Linux, on file systems without it (no emulation by
    writing zeros, which costs more than it saves). Raises OSError when there is no room.
    """
    return _scan is not None and _scan.preallocate(fd, offset, length)
