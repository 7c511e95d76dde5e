"""newskit's C reader of plain front matter reads what PyYAML reads, or declines."""

from __future__ import annotations

import random

import pytest
from conftest import GOOD, SEED_TEXT, require_built

from newskit.parse import is_plain_yaml, load_yaml, parse_record, split_front_matter

try:
    from newskit import _plainyaml
except ImportError:  # built by `pip install -e .` where a C compiler is at hand
    _plainyaml = None


@pytest.fixture(autouse=True)
def _built():
    require_built(_plainyaml, "_plainyaml")


def pyyaml(text: str) -> object:
    try:
        return load_yaml(text)
    except ValueError as exc:  # RecordError
        return f"error: {exc}"


def assert_reads_like_pyyaml(text: str) -> bool:
    """The C reader declines, or gives PyYAML's value (equal, and of the same types)."""
    value = _plainyaml.load(text)
    if value is None:
        return False
    expected = pyyaml(text)
    assert value == expected and repr(value) == repr(expected), text
    assert is_plain_yaml(text), text  # never beyond the subset yaml-rs is checked on
    return True


# Keys and values the reader takes, then some it declines (PyYAML reads them differently from
# YAML 1.2, or they need more than one line, or they are outside the subset for simplicity).
KEYS = ["title", "a", "b_2", "_x", "Key9", "inf", "nan"]
ODD_KEYS = ["yes", "No", "on", "y", "n", "True", "null", "1", "'q'"]
VALUES = [
    '"text"',
    '"esc \\" \\\\ \\/ \\n \\r \\t \\b \\f \\0 \\u00e9 \\u0001 \\u2028 \\uFFFD"',
    '"wide caf\u00e9 \u2019 \U0001f600"',
    "'it''s'",
    "''",
    '""',
    "plain text",
    "text   ",
    "a:b",
    "http://example.com/x?y=1&z=2",
    "C#",
    "caf\u00e9 au lait",
    "Yes please",
    "2021-04-12T13:30:00Z",
    "2021-04-12T13:30:00.123+05:30",
    "2021-04-12T13:30:00.5-00:00",
    "2021-12-31T23:59:59Z",
    "12",
    "-0",
    "0",
    "-7",
    "123456789012345678",
    "true",
    "false",
    "null",
    "~",
]
ODD_VALUES = [
    "\u00e9t\u00e9",  # plain text starts with an ASCII letter
    '"bad \\x41"',
    '"surrogate \\ud83d"',
    '"nel \x85"',
    "'unterminated",
    '"unterminated',
    "a: b",
    "x #y",
    "x:",
    "x\u2028y",
    "x\ty",
    "2021-04-12T13:30:00.1234567Z",
    "2021-02-29T00:00:00Z",
    "2020-02-29T00:00:00Z",
    "2021-04-31T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "2021-04-12",
    "2021-04-12 13:30:00",
    "007",
    "1_000",
    "1234567890123456789",
    "1e5",
    "True",
    "yes",
    "nullable",
    "true story",
    "inf",
    "NaN",
    "[a]",
    "{a: 1}",
    "&a x",
    "*a",
    "!!str x",
    "|",
    ">",
    "- x",
    "-",
]


def key(rng: random.Random) -> str:
    return rng.choice(KEYS if rng.random() < 0.95 else ODD_KEYS)


def value(rng: random.Random) -> str:
    return rng.choice(VALUES if rng.random() < 0.9 else ODD_VALUES)


@pytest.mark.parametrize("text", VALUES)
def test_values_the_reader_takes(text):
    assert assert_reads_like_pyyaml(f"k: {text}\n")
    assert assert_reads_like_pyyaml(f"k:\n  - {text}\n")


@pytest.mark.parametrize("text", ODD_VALUES)
def test_values_the_reader_declines(text):
    assert _plainyaml.load(f"k: {text}\n") is None


@pytest.mark.parametrize("name", ODD_KEYS)
def test_keys_the_reader_declines(name):
    assert _plainyaml.load(f"{name}: 1\n") is None


def mapping(rng: random.Random, indent: int, depth: int) -> list[str]:
    lines = []
    for _ in range(rng.randint(1, 4)):
        head = " " * indent + key(rng) + ":"
        kind = rng.random()
        if depth < 3 and kind < 0.25:
            lines += [head, *mapping(rng, indent + rng.choice([1, 2, 4]), depth + 1)]
        elif depth < 3 and kind < 0.45:
            lines += [head, *sequence(rng, indent + rng.choice([0, 2, 3]), depth + 1)]
        elif kind < 0.5:
            lines.append(head)
        else:
            lines.append(f"{head} {value(rng)}")
    return lines


def sequence(rng: random.Random, indent: int, depth: int) -> list[str]:
    lines = []
    for _ in range(rng.randint(1, 3)):
        dash = " " * indent + "-" + " " * rng.choice([1, 1, 1, 3])
        if rng.random() < 0.5 or depth >= 3:
            lines.append(dash + value(rng))
        else:
            inner = mapping(rng, len(dash), depth + 1)
            lines += [dash + inner[0].lstrip(" "), *inner[1:]]
    return lines


def mutate(rng: random.Random, lines: list[str]) -> list[str]:
    lines = list(lines)
    for _ in range(rng.randint(1, 2)):
        k = rng.randrange(len(lines))
        op = rng.random()
        if op < 0.3:
            lines[k] = " " * max(
                0, len(lines[k]) - len(lines[k].lstrip(" ")) + rng.choice([-2, -1, 1, 2])
            ) + lines[k].lstrip(" ")
        elif op < 0.45:
            j = rng.randrange(len(lines))
            lines[k], lines[j] = lines[j], lines[k]
        elif op < 0.6:
            del lines[k]
            if not lines:
                lines = ["a: 1"]
        elif op < 0.75:
            lines.insert(k, lines[rng.randrange(len(lines))])
        elif op < 0.9:
            lines.insert(k, rng.choice(["", "   ", " " * 45]))
        else:
            lines[k] += rng.choice(["  ", " #", ":", "\t"])
    return lines


def test_random_documents_read_like_pyyaml_or_are_declined():
    rng = random.Random(20261127)
    taken = 0
    for n in range(4000):
        lines = mapping(rng, 0, 0)
        if n % 2:
            lines = mutate(rng, lines)
        text = "\n".join(lines) + rng.choice(["\n", ""])
        taken += assert_reads_like_pyyaml(text)
    assert taken > 400  # the comparison did exercise the C reader


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\n",
        "a:\n",
        "a:\nb: 2\n",
        "a:\n- u\n- v\nb: 1\n",
        "a:\n  - x\n  - k: 1\n    j: 2\n  -   deep: 3\n      more: 4\n",
        "a:\n- b:\n  - c\n  d: 1\n",
        "a:\n     b:\n        c: 1\n     d: 2\ne: 3\n",
        "a: 1\na: 2\nb: 3\n",  # a repeated key: the last value, in the first place
        "a:\n\n\n  b: 1\n\n",
        "a: " + "x" * 100_000 + "\n",
        "a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 40)) + " " * 40 + "k: v\n",
    ],
)
def test_layouts_the_reader_takes(text):
    assert assert_reads_like_pyyaml(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n",
        "  a: 1\n",  # a mapping that does not start at column 0
        "- a\n- b\n",
        "a: 1\n  b: 2\n",
        "a:\n  b: 1\n c: 2\n",
        "a:\n  - x\n - y\n",
        "a:\n- \n",
        "a:\n-\n",
        "a: x\n  continued\n",
        "a:\tx\n",
        "a: 1 # note\n",
        "# note\na: 1\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: [1, 2]\n",
        "a: |\n  x\n",
        "'a': 1\n",
        "a:\n" + " " * 41 + "b: 1\n",
        "yes: 1\n",
        "a: 2021-02-29T00:00:00Z\n",
        "a: \ud800\n",
        "a: 1\n" + "\n" * 100_000,  # longer than any record: left to the other parsers
    ],
)
def test_documents_outside_the_subset_are_declined(text):
    assert _plainyaml.load(text) is None


def test_the_records_of_the_real_format_are_taken():
    for text in (SEED_TEXT, GOOD):
        front, _ = split_front_matter(text)
        assert assert_reads_like_pyyaml(front)


def test_only_text_is_read():
    with pytest.raises(TypeError):
        _plainyaml.load(b"a: 1\n")


def record_outcome(data: bytes) -> object:
    try:
        return parse_record(data, fast=False)
    except ValueError as exc:  # RecordError
        return f"error: {exc}"


def test_record_bytes_split_and_read_like_the_python_road():
    """load_record: decoding, line endings, fences and body as parse_record, or declined."""
    base = [SEED_TEXT.encode(), GOOD.encode(), (GOOD + "\nBody text.\n\n").encode()]
    pieces = [b"\r\n", b"\r", b"\n", b"---", b"...", b"--- \t", b"\xef\xbb\xbf", b"\xff\xfe"]
    pieces += [b"\x00", b"\xc3", b"\xe9", b"\xc3\xa9", b" ", b"\t", b"-", b"\n---\n", b"\n...\n"]
    rng = random.Random(7)
    taken = 0
    for n in range(3000):
        data = rng.choice(base)
        if n % 3:
            for _ in range(rng.randint(1, 3)):
                k = rng.randint(0, len(data))
                if rng.random() < 0.3:
                    k = rng.choice(
                        [0, 3, 4, len(data)]
                        + [i for i in range(len(data)) if data[i : i + 1] == b"\n"][:6]
                    )
                data = data[:k] + rng.choice(pieces) + data[k + rng.randint(0, 2) :]
        found = _plainyaml.load_record(data)
        if found is not None:
            taken += 1
            expected = record_outcome(data)
            assert found == expected and repr(found) == repr(expected), data
    assert taken > 1000


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"---",
        b"---\n",
        b"---\n---\n",
        b"---\na: 1\n",
        b"---\na: 1\n--- x\n",
        b"\xef\xbb\xbf---\na: 1\n---\n",
        b"---\na: \xe9\n---\n",
        b"---\na: 1\n---\n\xff",
        b"---\na: 1\x00\n---\n",
        b"  ---\na: 1\n---\n",
    ],
)
def test_record_bytes_beyond_the_common_case_are_declined(data):
    assert _plainyaml.load_record(data) is None


@pytest.mark.parametrize(
    "data",
    [
        b"---\na: 1\n---\n",
        b"---  \t\r\na: 1\r\n...\r\n\r\nbody\r\nmore\r\n\r\n",
        b"---\ra: 1\r---\rbody",
        b"---\na: 1\nb: '---'\n--- \n\n\nbody\n---\n",
    ],
)
def test_record_bytes_of_the_common_case_are_taken(data):
    found = _plainyaml.load_record(data)
    assert found is not None and found == record_outcome(data)
