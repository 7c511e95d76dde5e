"""Bytes of one record file -> its front matter as plain Python data.

Every failure raises :class:`RecordError` with a reason a person can act on; the caller turns
it into an ``error`` row of ``Corpus.problems``.
"""

from __future__ import annotations

import re

import yaml

try:  # libyaml: fast, and it refuses nesting deeper than 1000 levels
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader

#: Largest record file read, in bytes; a news record is a few kilobytes.
MAX_FILE_BYTES = 16 * 1024 * 1024

_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)
_CLOSING_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


class RecordError(ValueError):
    """One record file cannot be read as a news record."""


def decode(data: bytes) -> str:
    """Decode a record file's bytes as UTF-8, dropping a byte-order mark.

    Line endings are normalised to ``\\n``.
    """
    if not data.strip():
        raise RecordError("empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RecordError("encoded as UTF-16; save it as UTF-8")
    if b"\x00" in data:
        raise RecordError("binary file (contains NUL bytes), not a text record")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(
            f"not valid UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}"
        ) from None
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def split_front_matter(text: str) -> tuple[str, str]:
    """Split a record's text into its YAML front matter and the body after it."""
    opening = _FENCE.match(text)
    if opening is None:
        raise RecordError("no front matter: the file does not start with a '---' line")
    closing = _CLOSING_FENCE.search(text, opening.end())
    if closing is None:
        raise RecordError("unterminated front matter: no closing '---' line")
    front = text[opening.end() + 1 : closing.start()]
    body = text[closing.end() :].strip("\n")
    return front, body


def load_yaml(front: str) -> dict:
    """Parse front matter with PyYAML's safe loader; it must be a mapping.

    Tags such as ``!!python/object`` are refused, never run.
    """
    try:
        data = yaml.load(front, Loader=SafeLoader)  # noqa: S506 - SafeLoader
    except yaml.constructor.ConstructorError as exc:
        raise RecordError(f"YAML not allowed in a record: {_yaml_reason(exc)}") from None
    except yaml.YAMLError as exc:
        raise RecordError(f"malformed YAML front matter: {_yaml_reason(exc)}") from None
    except RecursionError:
        raise RecordError("malformed YAML front matter: nested too deeply") from None
    if data is None:
        raise RecordError("front matter is empty")
    if not isinstance(data, dict):
        raise RecordError(
            f"front matter is a {_kind(data)}, expected a mapping of field names to values"
        )
    return data


def parse_record(data: bytes) -> tuple[dict, str]:
    """Return the front-matter mapping and the body of one record file's bytes."""
    front, body = split_front_matter(decode(data))
    return load_yaml(front), body


def _yaml_reason(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        # +2: marks count from 0, and the opening fence is line 1 of the file
        return f"{problem} (line {mark.line + 2}, column {mark.column + 1})"
    return problem


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    return f"single {type(value).__name__} value"
