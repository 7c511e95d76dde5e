"""The notebooks and sample corpus newskit ships, and ``newskit init``, which copies them.

The repository's ``notebooks/`` and ``seeds/`` are the only copies: inside the package,
``newskit/notebooks`` and ``newskit/seeds`` are symbolic links to them, so an editable install
reads the checkout's files as they are edited, and a wheel (``pip install .``) holds real copies
of them as package data. Either way they are found with :mod:`importlib.resources`.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from newskit.errors import NewskitError

#: Record files ``seeds/`` may hold (what a corpus folder is searched for).
_RECORD_SUFFIXES = (".txt", ".md")


def shipped_path(name: str) -> Path:
    """The folder ``name`` (``"notebooks"`` or ``"seeds"``) as installed with newskit.

    Raises
    ------
    NewskitError
        When newskit's files are not on disk (an install that keeps them in a zip file).
    """
    resource = resources.files("newskit") / name
    if not isinstance(resource, Path):
        raise NewskitError(f"newskit/{name}: newskit is installed without its files on disk")
    return resource


def shipped_notebooks() -> Path:
    """The folder of notebooks ``newskit report`` renders by default."""
    return shipped_path("notebooks")


def shipped_seeds() -> Path:
    """The sample corpus: the default corpus of ``newskit report`` and of ``newskit init``."""
    return shipped_path("seeds")


@dataclass
class InitResult:
    """What :func:`init_workspace` did: files created, and files kept because they existed."""

    folder: Path
    created: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


def init_workspace(folder: str | os.PathLike) -> InitResult:
    """Copy newskit's notebooks and sample corpus into ``folder``, to be edited there.

    ``folder/notebooks/`` gets every notebook, ``folder/seeds/`` the sample corpus, so each
    notebook's ``corpus_path = "../seeds"`` finds it. A file that already exists is kept as it
    is (running it again adds what is missing and never overwrites an edit).

    Parameters
    ----------
    folder : path-like
        The folder to fill; created when missing.

    Returns
    -------
    InitResult
        The files created and the files kept.

    Raises
    ------
    NewskitError
        ``path: reason`` when a folder or file cannot be created.
    """
    folder = Path(folder)
    result = InitResult(folder)
    if folder.exists() and not folder.is_dir():
        raise NewskitError(f"{folder}: not a folder")
    seeds = [p for p in shipped_seeds().iterdir() if p.suffix in _RECORD_SUFFIXES]
    sources = [
        ("notebooks", sorted(p for p in shipped_notebooks().glob("*.ipynb") if _shown(p))),
        ("seeds", sorted(p for p in seeds if _shown(p))),
    ]
    for name, files in sources:
        target = folder / name
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise NewskitError(f"{target}: {exc.strerror or exc}") from exc
        for source in files:
            destination = target / source.name
            if destination.exists():
                result.kept.append(destination)
                continue
            try:
                shutil.copyfile(source, destination)
            except OSError as exc:
                raise NewskitError(f"{destination}: {exc.strerror or exc}") from exc
            result.created.append(destination)
    return result


def _shown(path: Path) -> bool:
    return not path.name.startswith(".")
