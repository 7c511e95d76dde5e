"""parse: bytes of one file -> front-matter mapping, or a RecordError saying why not."""

import pytest

from newskit.parse import RecordError, decode, load_yaml, parse_record, split_front_matter


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
