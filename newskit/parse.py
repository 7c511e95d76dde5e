"""Bytes of one record file -> its front matter as plain Python data.

Every failure raises :class:`RecordError` with a reason a person can act on; the caller turns
it into an ``error`` row of ``Corpus.problems``.
"""

from __future__ import annotations

import re

import yaml

try:  # libyaml: fast, and it refuses nesting deeper than 1000 levels
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader


class SafeLoader(_BaseLoader):
    """PyYAML's safe loader, except that an impossible timestamp stays text.

    PyYAML builds timestamps with ``datetime()``, so ``2021-02-30`` would fail the whole
    document; as text, it becomes a warning on that one field and the article is kept.
    """

    def construct_yaml_timestamp(self, node):  # noqa: D102
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)


SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", SafeLoader.construct_yaml_timestamp)

try:  # yaml-rs (Rust): ~6x faster; used only on documents where it must agree with PyYAML
    import yaml_rs
except ImportError:  # pragma: no cover - optional speed-up
    yaml_rs = None

try:  # newskit's C reader of the plain subset, built on install where a C compiler is at hand
    from newskit import _plainyaml
except ImportError:  # pragma: no cover - optional speed-up
    _plainyaml = None

_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)
_CLOSING_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


# The subset of YAML on which yaml-rs and PyYAML agree, one line at a time. Possessive
# quantifiers and atomic groups keep matching linear on hostile input.
_KEY = r"(?!(?i:yes|no|on|off|true|false|null|y|n):)[A-Za-z_][A-Za-z0-9_]*+"
# Characters both parsers accept alike: printable, no tabs, controls, YAML 1.1 line breaks
# (NEL, LS, PS), BOMs or non-characters. Each class below is this set minus some indicators.
_WIDE = r"\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff"
# Quoted text that starts like a date: yaml-rs reads "2021-02-03" as a date, PyYAML as text.
_NOT_A_DATE = r"(?!\d{4}-\d\d-\d\d)"
_DOUBLE = (
    rf'"{_NOT_A_DATE}(?:[\x20\x21\x23-\x5b\x5d-\x7e{_WIDE}]++'
    r'|\\(?:["\\/nrtbf0]|u(?![dD][89a-fA-F])[0-9a-fA-F]{4}))*+"'
)
_SINGLE = rf"'{_NOT_A_DATE}(?:[\x20-\x26\x28-\x7e{_WIDE}]++|'')*+'"
_DAY = (
    r"(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)"
    r"|(?:0[13578]|1[02])-31)"
)
_TIMESTAMP = (
    rf"\d{{4}}-{_DAY}T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{{1,6}})?"
    r"(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)"
)
_INTEGER = r"-?(?:0|[1-9]\d{0,17})"
_WORD = r"(?:true|false|null|~)"
# Plain text: starts with a letter; no ": ", " #", flow indicators; not a YAML 1.1/1.2 word.
_PLAIN_TEXT = (
    r"(?!(?i:yes|no|on|off|true|false|null|y|n|inf|infinity|nan)[ ]*+\n)[A-Za-z]"
    rf"(?:[\x20-\x22\x24-\x2b\x2d-\x39\x3b-\x5a\x5c\x5e-\x7a\x7c\x7e{_WIDE}]++"
    r"|:(?=[^\s])|(?<=[^\s])#)*+"
)
_VALUE = rf"(?>{_DOUBLE}|{_SINGLE}|{_TIMESTAMP}|{_INTEGER}|{_WORD}|{_PLAIN_TEXT})(?=[ ]*+\n)"
_ENTRY = rf"{_KEY}:(?:[ ]++{_VALUE})?"
# A line is blank, "key: value", "- value" or "- key: value"; never a bare continuation line.
_LINE = rf"[ ]{{0,40}}+(?:-[ ]++(?:{_ENTRY}|{_VALUE})?|{_ENTRY})?[ ]*+\n"
_PLAIN_DOCUMENT = re.compile(rf"(?>{_LINE})*+")


class RecordError(ValueError):
    """One record file cannot be read as a news record."""


def decode(data: bytes) -> str:
    """Decode a record file's bytes as UTF-8, dropping a byte-order mark.

    Line endings are normalised to ``\\n``.
    """
    if not data or data.isspace():  # as `not data.strip()`, without a copy
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
    closing = _find_closing_fence(text, opening.end())
    if closing is None:
        raise RecordError("unterminated front matter: no closing '---' line")
    front = text[opening.end() + 1 : closing.start()]
    body = text[closing.end() :].strip("\n")
    return front, body


def _find_closing_fence(text: str, start: int) -> re.Match | None:
    """``_CLOSING_FENCE.search(text, start)``, jumping from one candidate line to the next."""
    while True:
        dashes, dots = text.find("\n---", start), text.find("\n...", start)
        candidates = [i for i in (dashes, dots) if i >= 0]
        if not candidates:
            return None
        newline = min(candidates)
        closing = _CLOSING_FENCE.match(text, newline + 1)
        if closing is not None:
            return closing
        start = newline + 1


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
            f"front matter is a {_type_of(data)}, expected a mapping of field names to values"
        )
    return data


def load_yaml_fast(front: str) -> dict:
    """Parse front matter like :func:`load_yaml`, with yaml-rs when that gives the same result.

    yaml-rs implements YAML 1.2 and PyYAML YAML 1.1, so they read some plain scalars
    differently (``yes``, ``010``, ``1e5``, ``12:30``, invalid dates) and yaml-rs expands
    aliases into copies. It is used only on documents made of the plain subset both read
    alike (:func:`is_plain_yaml`: block mappings and sequences, quoted strings, decimal
    integers, ``true``/``false``/``null``, ISO timestamps, plain text starting with a letter;
    no tags, anchors, aliases, flow collections, block scalars or comments). Everything else,
    and every document yaml-rs rejects (duplicate keys, bad indentation), goes to PyYAML, so
    results and error messages are PyYAML's.

    Before either, newskit's own C reader (``newskit/_plainyaml.c``) takes the documents of a
    narrower subset (the usual record layouts) several times faster than yaml-rs; it answers
    None for anything else.
    """
    if _plainyaml is not None:
        data = _plainyaml.load(front)
        if data is not None:
            return data
    if yaml_rs is not None and is_plain_yaml(front):
        try:
            data = yaml_rs.loads(front, duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.Error)
        except Exception:  # noqa: BLE001 - any refusal means: ask PyYAML
            data = None
        if isinstance(data, dict) and data:
            return data
    return load_yaml(front)


def is_plain_yaml(front: str) -> bool:
    """Whether yaml-rs and PyYAML's safe loader are known to read ``front`` alike."""
    if not front.endswith("\n"):
        front += "\n"
    return _PLAIN_DOCUMENT.fullmatch(front) is not None


def parse_record(data: bytes, *, fast: bool = True) -> tuple[dict, str]:
    """Return the front-matter mapping and the body of one record file's bytes.

    ``fast=False`` parses with PyYAML only; the result is the same either way.
    """
    if fast and _plainyaml is not None:
        found = _plainyaml.load_record(data)  # the common case, decoded and split in C
        if found is not None:
            return found
    front, body = split_front_matter(decode(data))
    return (load_yaml_fast(front) if fast else load_yaml(front)), body


def _yaml_reason(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        # +2: marks count from 0, and the opening fence is line 1 of the file
        return f"{problem} (line {mark.line + 2}, column {mark.column + 1})"
    return problem


def _type_of(value: object) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    return f"single {type(value).__name__} value"
