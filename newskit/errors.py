"""Exceptions raised by newskit; all derive from :class:`NewskitError`."""


class NewskitError(Exception):
    """Root of every error newskit raises on purpose."""


class CorpusError(NewskitError):
    """A corpus or one of its files cannot be loaded; the message starts with the path."""


class ReportError(NewskitError):
    """A report could not be produced; the message names the notebook and the cell."""
