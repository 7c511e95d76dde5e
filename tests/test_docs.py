"""The README against the code: every command has help and is documented; so is every name."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import newskit

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def _help(*words: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "newskit", *words, "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _commands(*words: str) -> list[tuple[str, ...]]:
    """Every command reachable from ``newskit *words``, as its words, leaves only."""
    text = _help(*words)
    listed = re.search(r"^positional arguments:\n\s+\w+\n((?:    \S.*\n)+)", text, re.M)
    if listed is None:
        return [words]
    found = []
    for line in listed.group(1).splitlines():
        name, _, description = line.strip().partition(" ")
        assert description.strip(), f"newskit {' '.join((*words, name))} has no help text"
        found += _commands(*words, name)
    return found


COMMANDS = _commands()


def test_the_commands_are_found():
    assert ("summary",) in COMMANDS
    assert ("cache", "clear") in COMMANDS


@pytest.mark.parametrize("words", COMMANDS, ids=" ".join)
def test_every_command_has_help_and_is_in_the_readme(words):
    text = _help(*words)
    # a description paragraph after the usage line, not only the option list
    paragraphs = [part for part in text.split("\n\n") if part.strip()]
    assert len(paragraphs) >= 2 and not paragraphs[1].startswith(("options:", "positional")), text
    assert f"newskit {' '.join(words)}" in README


@pytest.mark.parametrize("name", newskit.__all__)
def test_every_public_name_is_documented(name):
    assert re.search(rf"`[^`\n]*\b{re.escape(name)}\b[^`\n]*`", README), (
        f"{name} is in newskit.__all__ but not in the README"
    )


@pytest.mark.parametrize("name", [n for n in newskit.__all__ if not n.startswith("_")])
def test_every_public_name_has_a_docstring(name):
    assert (getattr(newskit, name).__doc__ or "").strip()
