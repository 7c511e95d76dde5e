"""newskit: load, validate, explore and report on corpora of news-article records."""

from newskit.corpus import Corpus, load_corpus
from newskit.errors import CorpusError, NewskitError, ReportError

__version__ = "0.1.0"

__all__ = [
    "Corpus",
    "CorpusError",
    "NewskitError",
    "ReportError",
    "__version__",
    "load_corpus",
]
