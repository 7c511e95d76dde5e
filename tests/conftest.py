"""Shared fixtures: corpora built under tmp_path, the real corpus in ../shared, figure clean-up."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

import newskit.files
import newskit.parse

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
REAL_CORPUS = SHARED / "corpora" / "powerapps" / "_news"

SEED_TEXT = (SEEDS / "000_cebf85bee666f480.txt").read_text(encoding="utf-8")


def require_shared(path: Path = REAL_CORPUS) -> Path:
    """Skip (or, under CI, fail) when ../shared is not beside the checkout."""
    if not path.exists():
        reason = f"{path} not found: the real corpus lives in ../shared beside the checkout"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def require_built(module: object, name: str) -> None:
    """Skip (or, under CI, fail) when newskit's C speed-up ``name`` was not built."""
    if module is None:
        reason = f"newskit.{name} is not built (no C compiler when newskit was installed)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


#: newskit's optional speed-ups as installed, before any test turns one off.
BUILT = {
    "_scan": newskit.files._scan,
    "_plainyaml": newskit.parse._plainyaml,
    "yaml_rs": newskit.parse.yaml_rs,
}
#: The installs the loader must give the same results on, and the speed-ups each lacks:
#: everything; no C compiler (no C reader, no C scan; yaml-rs reads); PyYAML alone.
ROADS = {
    "all speed-ups": frozenset(),
    "no C compiler": frozenset(["_plainyaml", "_scan"]),
    "PyYAML only": frozenset(["_plainyaml", "_scan", "yaml_rs"]),
}


@pytest.fixture(params=list(ROADS))
def speed_ups(request, monkeypatch) -> str:
    """Run a test once per install of :data:`ROADS`, the speed-ups it lacks turned off (in
    this process, and in pool workers, which take the parent's choice of readers)."""
    off = ROADS[request.param]
    for name, module in BUILT.items():
        if name in off:
            monkeypatch.setattr(newskit.files if name == "_scan" else newskit.parse, name, None)
        else:
            require_built(module, name)
    return request.param


def use_scan(c_scan: bool, monkeypatch) -> None:
    """Load with newskit's C folder scan, or with the Python one used where it is not built."""
    require_built(BUILT["_scan"], "_scan")
    monkeypatch.setattr(newskit.files, "_scan", BUILT["_scan"] if c_scan else None)


@pytest.fixture
def real_corpus() -> Path:
    return require_shared()


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    """Every test's corpus cache lives under its own temporary folder, never in ~/.cache."""
    monkeypatch.setenv("NEWSKIT_CACHE_DIR", str(tmp_path_factory.mktemp("newskit-cache")))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def record(**fields: object) -> str:
    """The text of a record file whose front matter holds ``fields`` (values are YAML text)."""
    lines = ["---"]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    lines.append("---")
    return "\n".join(lines) + "\n"


@pytest.fixture
def make_corpus(tmp_path):
    """Write ``{relative path: text or bytes}`` under tmp_path/corpus and return the folder."""

    def make(files: dict[str, str | bytes]) -> Path:
        root = tmp_path / "corpus"
        root.mkdir(exist_ok=True)
        for relpath, content in files.items():
            path = root / relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root

    return make


#: A record that loads with no problem.
GOOD = record(title='"A good one"', originalUrl='"https://example.com/a"', quality=10, heat=12)

#: Files that cannot be loaded, each with what its error row must say.
BAD_FILES: dict[str, tuple[str | bytes, str]] = {
    "malformed.md": ("---\ntitle: [unclosed\n---\n", "malformed YAML front matter"),
    "no-front-matter.md": ("Just some text.\n", "no front matter"),
    "unterminated.md": ("---\ntitle: x\nquality: 3\n", "unterminated front matter"),
    "empty.md": ("", "empty file"),
    "binary.md": (b"\x00\x01\x02\x03GIF89a\x00", "binary file"),
    "latin1.md": ("---\ntitle: caf\u00e9\n---\n".encode("latin-1"), "not valid UTF-8"),
    "list.md": ("---\n- one\n- two\n---\n", "front matter is a list"),
    "scalar.md": ("---\nhello\n---\n", "front matter is a string"),
    "python-tag.md": (
        "---\ntitle: !!python/object/apply:os.getcwd []\n---\n",
        "not allowed in a record",
    ),
    "deep.md": ("---\ntitle: " + "[" * 5000 + "]" * 5000 + "\n---\n", "malformed YAML"),
    "README.md": ("# About this folder\n\nArticles are in the .md files.\n", "no front matter"),
    "page.md": ("---\nlayout: page\npermalink: /about/\n---\n", "not a news record"),
}


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
