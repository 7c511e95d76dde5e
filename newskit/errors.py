"""Exceptions raised by newskit; all derive from :class:`NewskitError`, but :class:`Interrupted`."""

import signal


class NewskitError(Exception):
    """Root of every error newskit raises on purpose."""


class CorpusError(NewskitError):
    """A corpus or one of its files cannot be loaded; the message starts with the path."""


class ReportError(NewskitError):
    """A report could not be produced; the message names the notebook and the cell."""


class MissingExtraError(NewskitError, ImportError):
    """A part of newskit needs packages that an extra installs: ``pip install 'newskit[EXTRA]'``."""


class Interrupted(KeyboardInterrupt):
    """A run stopped by a signal; ``signum`` says which (``signal.SIGINT``, ``signal.SIGTERM``).

    A ``KeyboardInterrupt``, so code that cleans up after Ctrl-C cleans up after SIGTERM too.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
