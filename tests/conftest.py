"""Shared fixtures: corpora built under tmp_path, the real corpus in ../shared, figure clean-up."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

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
