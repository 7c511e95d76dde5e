"""Exceptions raised by newskit; all derive from :class:`NewskitError`, but :class:`Interrupted`."""

from __future__ import annotations

import signal
from dataclasses import dataclass
from pathlib import Path


class NewskitError(Exception):
    """Root of every error newskit raises on purpose."""


class CorpusError(NewskitError):
    """A corpus or one of its files cannot be loaded; the message starts with the path."""


@dataclass(frozen=True)
class NotebookFailure:
    """Where and how a notebook failed while its report was made, as papermill tells it.

    Attributes
    ----------
    notebook : pathlib.Path
        The notebook.
    cell : int or None
        The failing cell's number as its author sees it (1 for the first cell, the cell
        newskit injects not counted); None when the failure was not in a cell (a dead kernel).
    code : str
        The first line of that cell's code ("" when none).
    ename, evalue : str
        The error's name and message (``ValueError``, ``empty corpus``).
    """

    notebook: Path
    cell: int | None
    code: str
    ename: str
    evalue: str

    def __str__(self) -> str:
        where = (
            ""
            if self.cell is None
            else f"cell {self.cell}" + (f" ({self.code})" if self.code else "") + ": "
        )
        return f"{self.notebook}: {where}{self.ename}: {self.evalue}"


class ReportError(NewskitError):
    """A report could not be produced; the message names the notebook and the cell.

    ``failures`` holds a :class:`NotebookFailure` per notebook that failed (empty when the
    run could not start: no notebooks, an unwritable folder, ...).
    """

    def __init__(self, message: str, failures: tuple[NotebookFailure, ...] = ()) -> None:
        super().__init__(message)
        self.failures = tuple(failures)


class MissingExtraError(NewskitError, ImportError):
    """A part of newskit needs packages that an extra installs: ``pip install 'newskit[EXTRA]'``."""


class Interrupted(KeyboardInterrupt):
    """A run stopped by a signal; ``signum`` says which (``signal.SIGINT``, ``signal.SIGTERM``).

    A ``KeyboardInterrupt``, so code that cleans up after Ctrl-C cleans up after SIGTERM too.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
