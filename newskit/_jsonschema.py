"""Import jsonschema (nbformat does) without the grammar it would build and reports never use."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def without_iri_grammar() -> Iterator[None]:
    """Within this block, a first import of jsonschema leaves out ``rfc3987_syntax``.

    When that optional package is installed (JupyterLab brings it), jsonschema builds its
    Earley grammar on import, a second of CPU, to check the ``iri`` formats of schemas; the
    notebook schema has none, and nbformat validates with fastjsonschema. Only imports within
    the block are affected: ``rfc3987_syntax`` can be imported after it as before.
    """
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        yield
        return
    sys.modules["rfc3987_syntax"] = None  # an ImportError, which jsonschema expects
    try:
        yield
    finally:
        if sys.modules.get("rfc3987_syntax", 0) is None:
            del sys.modules["rfc3987_syntax"]
