"""parse: bytes of one file -> front-matter mapping, or a RecordError saying why not."""

import random

import pytest
from conftest import BAD_FILES, GOOD, SEED_TEXT

from newskit.parse import (
    RecordError,
    decode,
    is_plain_yaml,
    load_yaml,
    load_yaml_fast,
    parse_record,
    split_front_matter,
)


def test_parse_record_returns_mapping_and_body():
    meta, body = parse_record(b"---\ntitle: Hello\nquality: 3\n---\nSome body text.\n")
    assert meta == {"title": "Hello", "quality": 3}
    assert body == "Some body text."


def test_byte_order_mark_and_crlf_are_accepted():
    data = "\ufeff---\r\ntitle: Caf\u00e9\r\ntopics:\r\n  - AI\r\n---\r\n".encode()
    meta, body = parse_record(data)
    assert meta == {"title": "Caf\u00e9", "topics": ["AI"]}
    assert body == ""


def test_old_mac_line_endings_are_accepted():
    meta, _ = parse_record(b"---\rtitle: Hi\r---\r")
    assert meta == {"title": "Hi"}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\n", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        (b"---\ntitle: caf\xe9\n---\n", "not valid UTF-8: byte 0xe9 at offset 14"),
        ("---\ntitle: x\n---\n".encode("utf-16"), "UTF-16"),
        (b"# A heading\n\nJust markdown.\n", "no front matter"),
        (b"---\ntitle: never closed\n", "unterminated front matter"),
        (b"---\n---\n", "front matter is empty"),
        (b"---\n- a\n- b\n---\n", "front matter is a list"),
        (b"---\njust a sentence\n---\n", "front matter is a string"),
        (b"---\n42\n---\n", "front matter is a single int value"),
        (b"---\ntitle: [unclosed\n---\n", "malformed YAML front matter"),
        (b"---\ntitle: a\n  bad: indent\n---\n", "malformed YAML front matter"),
    ],
)
def test_bad_files_raise_a_reason(data, reason):
    with pytest.raises(RecordError, match=reason.replace("[", r"\[")):
        parse_record(data)


def test_malformed_yaml_reason_gives_the_file_line():
    # line 1 is the opening fence: the stray mapping is on line 3 of the file
    text = "---\ntitle: ok\n  bad: indent\n---\n"
    with pytest.raises(RecordError, match=r"\(line 3, column 6\)"):
        parse_record(text.encode())


def test_python_tags_are_refused_and_never_run(tmp_path):
    target = tmp_path / "ran"
    front = f'title: x\nboom: !!python/object/apply:os.system ["touch {target}"]\n'
    with pytest.raises(RecordError, match="not allowed.*python/object/apply:os.system"):
        load_yaml(front)
    assert not target.exists()


def test_python_name_tag_is_refused():
    with pytest.raises(RecordError, match="not allowed"):
        load_yaml("title: !!python/name:os.system\n")


def test_deep_nesting_is_refused_without_crashing():
    depth = 100_000
    with pytest.raises(RecordError, match="malformed YAML"):
        load_yaml("topics: " + "[" * depth + "]" * depth + "\n")


def test_exponential_aliases_stay_shared():
    # each level doubles ten times: expanded, this would be 10**9 strings
    lines = ['a0: &a0 ["lol"]']
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    lines.append("topics: *a9")
    meta = load_yaml("\n".join(lines))
    assert meta["topics"][0] is meta["topics"][1]


def test_split_keeps_body_and_accepts_dots_as_closing_fence():
    front, body = split_front_matter("---\ntitle: x\n...\nbody\n")
    assert front == "title: x\n"
    assert body == "body"


def test_decode_strips_bom():
    assert decode("\ufeffabc".encode()) == "abc"


def outcome(load, text):
    try:
        return "ok", load(text)
    except RecordError as exc:
        return "error", str(exc)
    except Exception as exc:  # noqa: BLE001 - any other failure must match too
        return type(exc).__name__, str(exc)


def assert_same_outcome(text: str) -> None:
    fast, slow = outcome(load_yaml_fast, text), outcome(load_yaml, text)
    assert fast == slow and repr(fast) == repr(slow), text


TRICKY = [
    # quoted text that looks like a date stays text (yaml-rs reads it as a date)
    'a: "2021-02-03"\nb: \'2021-02-03T10:00:00Z\'\nc: "1985-06-01 12:00"\n',
    'title: "2021-02-03"\ntopics:\n  - "2021-02-03T10:00:00+02:00"\n',
    # YAML 1.1 words, numbers and dates PyYAML reads differently from YAML 1.2
    "a: yes\nb: No\nc: on\nd: OFF\ne: y\n",
    "a: 010\nb: 0o17\nc: 0x1F\nd: 1_000\ne: 12:30\n",
    "a: 1e5\nb: .5\nc: 1.\nd: .inf\ne: -.Inf\nf: .NaN\ng: inf\nh: nan\n",
    "a: ~\nb: null\nc: Null\nd: NULL\ne:\n",
    "a: True\nb: FALSE\n",
    "a: +5\nb: -0\nc: 0\n",
    "a: 99999999999999999999\nb: 999999999999999999\n",
    # dates and time zones
    "a: 2021-04-12T13:30:00Z\nb: 2021-04-12T13:30:00+02:00\nc: 2021-04-12T13:30:00-23:59\n",
    "a: 2021-04-12T13:30:00.123456789Z\nb: 2021-04-12T13:30:00.5Z\n",
    "a: 2021-04-12\nb: 2021-04-12 13:30:00\nc: 2021-4-2T1:30:00Z\nd: 2021-04-12t13:30:00z\n",
    "a: 2021-02-29T00:00:00Z\n",
    "a: 2020-02-29T00:00:00Z\n",
    "a: 2021-13-01T00:00:00Z\n",
    "a: 2021-04-31T00:00:00Z\n",
    "a: 2021-01-01T24:00:00Z\n",
    "a: 2021-01-01T00:00:60Z\n",
    "a: 2021-01-01T00:00:00+25:00\n",
    "a: 2021-01-01T00:00:00.9999995Z\n",
    # tags: refused, never run
    "a: !!python/object/apply:os.system [echo hi]\n",
    "a: !!python/name:os.system\n",
    "a: !!str 5\n",
    "a: !custom x\n",
    "a: !!binary aGk=\n",
    "a: !!set {x}\n",
    # anchors, aliases, merge keys
    "a: &x [1, 2]\nb: *x\n",
    "a: &x\n  k: 1\nb:\n  <<: *x\n  j: 2\n",
    "<<: {a: 1}\n",
    "l0: &l0 [lol, lol]\nl1: &l1 [*l0, *l0, *l0]\nl2: [*l1, *l1, *l1]\n",
    # duplicate keys, nesting, indentation
    "a: 1\na: 2\n",
    "a:\n  b: 1\n  b: 2\n",
    "a: " + "[" * 1200 + "]" * 1200 + "\n",
    "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 30)) + "  " * 30 + "k: v\n",
    "a:\n  - x\n - y\n",
    "a:\n  b: 1\n c: 2\n",
    "a:\n- x\n- y\n",
    "a:\n  -\n  - x\n",
    "a: x\n  continued\n",
    "a: b\n  - c\n",
    "- a\n- b\n",
    "just text\n",
    "",
    "\n\n",
    # quoting, escapes, comments, odd characters
    'a: "x\\/y \\u00e9 \\x41 \\e \\N \\ud83d"\n',
    "a: 'it''s'\nb: \"\"\nc: ''\n",
    "a: C#\nb: x #comment\nc: a[b]{c},d\nd: x:y\ne: 'x: y'\n",
    'a: "x\n  y"\n',
    "a: x\u2028y\n",
    "a: x\x85y\n",
    "a: x\ty\n",
    "a:\tx\n",
    "a: \ufeffx\n",
    "a: x\x7fy\n",
    "a: caf\u00e9 \u2019s \U0001f600\n",
    "'a': 1\n\"b\": 2\n",
    "? a\n: 1\n",
    "a: |\n  x\n",
    "a: >\n  x\n  y\n",
    "%YAML 1.1\n---\na: 1\n",
    "a: 1\n---\nb: 2\n",
    "1: a\n",
    "on: x\n",
]


@pytest.mark.usefixtures("speed_ups")
@pytest.mark.parametrize("text", TRICKY)
def test_fast_parser_matches_pyyaml_on_tricky_documents(text):
    assert_same_outcome(text)


def test_fast_parser_takes_the_records_of_the_real_format():
    front = SEED_TEXT.split("---\n")[1]
    assert is_plain_yaml(front)
    assert load_yaml_fast(front) == load_yaml(front)


def test_fast_parser_matches_pyyaml_on_mutated_records():
    """Random edits of real-looking records: whatever yaml-rs accepts, PyYAML reads alike."""
    fronts = [SEED_TEXT.split("---\n")[1], GOOD.split("---\n")[1]]
    pieces = [
        " ",
        "  ",
        "- ",
        ": ",
        "#",
        " #",
        '"',
        "'",
        "\\",
        "&a ",
        "*a",
        "!",
        "[",
        "]",
        "{",
        ",",
        "?",
        "|",
        ">",
        "yes",
        "~",
        "010",
        "1e5",
        "12:30",
        "\n",
        "\n  ",
        "\n- ",
        "\t",
        "2021-02-29T00:00:00Z",
        "2021-04-12",
        "True",
        "<<",
        "\\u00e9",
        "inf",
    ]
    rng = random.Random(20261126)
    used_fast = 0
    for _ in range(1500):
        lines = rng.choice(fronts).split("\n")
        for _ in range(rng.randint(1, 3)):
            k = rng.randrange(len(lines))
            j = rng.randint(0, len(lines[k]))
            op = rng.random()
            if op < 0.6:
                lines[k] = lines[k][:j] + rng.choice(pieces) + lines[k][j + rng.randint(0, 2) :]
            elif op < 0.75:
                lines[k] = " " * rng.randint(0, 5) + lines[k].lstrip()
            elif op < 0.9:
                lines.insert(k, lines[rng.randrange(len(lines))])
            else:
                del lines[k]
        text = "\n".join(lines)
        used_fast += is_plain_yaml(text)
        assert_same_outcome(text)
    assert used_fast > 300  # the comparison did exercise yaml-rs


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_parse_record_fast_and_slow_agree_on_bad_files(name):
    content = BAD_FILES[name][0]
    data = content.encode() if isinstance(content, str) else content
    assert outcome(parse_record, data) == outcome(lambda d: parse_record(d, fast=False), data)


def test_closing_fence_is_the_first_a_regex_search_finds():
    from newskit.parse import _CLOSING_FENCE, _find_closing_fence

    lines = ["---", "...", "--- ", "...\t", "----", "--- x", "....", " ---", "a: 1", "", "-- -"]
    rng = random.Random(4)
    for _ in range(3000):
        text = "\n".join(rng.choice(lines) for _ in range(rng.randint(0, 8)))
        for start in range(1, len(text) + 1):
            if text[start - 1] == "\n":
                continue  # called at the end of the opening fence's line, never at a line start
            expected = _CLOSING_FENCE.search(text, start)
            found = _find_closing_fence(text, start)
            assert (found and found.span()) == (expected and expected.span()), (text, start)
