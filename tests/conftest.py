"""Shared fixtures: corpora built under tmp_path, the real corpus in ../shared, figure clean-up."""

from __future__ import annotations

import html
import html.parser
import json
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

import matplotlib
import pytest

import newskit.files
import newskit.parse
import newskit.schema

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
    "_keys": newskit.schema._keys,
    "_lists": newskit.schema._lists,
}
#: The module each speed-up is looked up in.
HOLDERS = {
    "_scan": newskit.files,
    "_plainyaml": newskit.parse,
    "yaml_rs": newskit.parse,
    "_keys": newskit.schema,
    "_lists": newskit.schema,
}
#: The installs the loader must give the same results on, and the speed-ups each lacks:
#: everything; no C compiler (no C reader, scan, keys or lists; yaml-rs reads); PyYAML alone.
ROADS = {
    "all speed-ups": frozenset(),
    "no C compiler": frozenset(["_plainyaml", "_scan", "_keys", "_lists"]),
    "PyYAML only": frozenset(["_plainyaml", "_scan", "_keys", "_lists", "yaml_rs"]),
}


@pytest.fixture(params=list(ROADS))
def speed_ups(request, monkeypatch) -> str:
    """Run a test once per install of :data:`ROADS`, the speed-ups it lacks turned off (in
    this process, and in pool workers, which take the parent's choice of readers)."""
    off = ROADS[request.param]
    for name, module in BUILT.items():
        if name in off:
            monkeypatch.setattr(HOLDERS[name], name, None)
        else:
            require_built(module, name)
    return request.param


def use_scan(c_scan: bool, monkeypatch) -> None:
    """Load with newskit's C folder scan, or with the Python one used where it is not built."""
    require_built(BUILT["_scan"], "_scan")
    monkeypatch.setattr(newskit.files, "_scan", BUILT["_scan"] if c_scan else None)


@pytest.fixture(params=["C keys", "Arrow kernels"])
def key_road(request, monkeypatch) -> str:
    """Make story keys with newskit's C keys, or with the Arrow kernels used where they are
    not built."""
    require_built(BUILT["_keys"], "_keys")
    if request.param == "Arrow kernels":
        monkeypatch.setattr(newskit.schema, "_keys", None)
    return request.param


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


@contextmanager
def private_cache(folder: Path):
    """Module-scoped runs start before conftest's per-test cache folder: give them their own.

    The parent process and the kernels it starts then share one cache, as in real use.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEWSKIT_CACHE_DIR", str(folder / "newskit-cache"))
        yield


# --- The project's notebooks, run once per corpus (tests/test_report.py, test_browser.py) ---

PAYLOAD = (
    "<script>window.__pwned=1;console.error('pwned by script')</script>"
    "<img src=x onerror=\"window.__pwned=2;alert('pwned by img')\">"
)
_RUNS: dict[str, tuple[Path, Path, str | None]] = {}


def write_hostile_corpus(root: Path) -> Path:
    """Records whose every text field is markup that would run if a report let it through."""
    root.mkdir(parents=True, exist_ok=True)
    for i in range(6):
        related = [
            {
                "title": f"Related {PAYLOAD}",
                "excerpt": PAYLOAD,
                "publishedDateTime": f"2021-0{i + 1}-0{i + 1}T08:00:00Z",
                "webUrl": "javascript:window.__pwned=3",
                "type": "article",
                "provider": {"name": f"Copycat {PAYLOAD}", "domain": "copy.example"},
                "quality": 10 + i,
            }
        ]
        fields = {
            "category": json.dumps(PAYLOAD),
            "title": json.dumps(f"Story {i} {PAYLOAD} costs $5"),
            "excerpt": json.dumps(f"{PAYLOAD} [click](javascript:alert(1))"),
            "publishedDateTime": f"2021-0{i + 1}-1{i}T12:00:00Z",
            "originalUrl": json.dumps("javascript:window.__pwned=4"),
            "webUrl": json.dumps(f"javascript:alert({i})"),
            "type": "article" if i % 3 else "video",
            "quality": 20 + 10 * i,
            "heat": 25 + 7 * i,
            "published": "true" if i % 2 else "false",
            "provider": json.dumps(
                {"name": f"Evil $News {i % 2} {PAYLOAD}", "domain": f"evil{i % 2}.example"}
            ),
            "topics": json.dumps([f"<b onmouseover=alert(1)>AI</b>{PAYLOAD}", f"Topic {i % 3}"]),
            "images": json.dumps([{"url": "https://evil.example/pixel.png", "width": 1}]),
            "related": json.dumps(related),
            "featuredContent": json.dumps(
                '<iframe src="javascript:window.__pwned=5" onload="alert(5)"></iframe>'
                '<svg onload="window.__pwned=6"></svg>' + PAYLOAD
            ),
        }
        (root / f"{i:03d}_hostile.md").write_text(record(**fields), encoding="utf-8")
    return root


def full_run(name: str, tmp_path_factory) -> tuple[Path, Path, str | None]:
    """Render the project's notebooks on a corpus once per session: (corpus, out, error)."""
    from newskit.report import NOTEBOOKS

    if name not in _RUNS:
        if not any(NOTEBOOKS.glob("*.ipynb")):
            pytest.skip(f"{NOTEBOOKS} holds no notebook yet")
        if name == "seeds":
            corpus = SEEDS
        elif name == "real":
            corpus = require_shared()
        else:
            corpus = write_hostile_corpus(tmp_path_factory.mktemp("hostile") / "corpus")
        out = tmp_path_factory.mktemp(f"reports-{name}")
        from newskit.errors import ReportError
        from newskit.report import NOTEBOOKS, render_reports

        try:
            with private_cache(out.parent / f"cache-{name}"):
                render_reports(corpus, out)
            error = None
        except ReportError as exc:
            error = str(exc)
        _RUNS[name] = (corpus, out, error)
    return _RUNS[name]


_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)


class _Policies(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, int]] = []  # (policy, tags before it)
        self.n_tags = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "content-security-policy":
            self.found.append((values.get("content"), self.n_tags))
        self.n_tags += 1


def check_page_policy(text: str) -> None:
    """A page newskit wrote runs newskit's own script, once, under its policy, and no other."""
    from newskit.report import CSP, PAGE_SCRIPT

    assert _SCRIPT.findall(text) == [("", PAGE_SCRIPT)]
    assert len(re.findall(r"<script", text, re.I)) == 1
    parser = _Policies()
    parser.feed(text)
    # One policy, early in the head (after <html> and <head>), before anything it governs.
    assert len(parser.found) == 1
    policy, before = parser.found[0]
    assert policy == CSP
    assert before <= 2


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _browser_unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required under CI)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium through playwright (never a downloaded browser); without
    either the test skips, except under ``CI=true``, where it fails."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_unavailable("playwright is not installed: pip install -e '.[dev]'")
    executable = CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")
    if executable is None:
        _browser_unavailable(f"{CHROMIUM} not found: apt-get install chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(executable), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()
