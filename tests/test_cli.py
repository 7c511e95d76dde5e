"""cli: exact output, exit codes, one-line errors, help for every command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import SEEDS, record

from newskit.cli import build_parser, main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_summary_of_the_seed(capsys):
    status, out, err = run(capsys, "summary", str(SEEDS))
    assert status == 0
    assert out == (
        f"corpus:     {SEEDS}\n"
        "files:      1\n"
        "articles:   1 (0 duplicates)\n"
        "published:  2021-04-12 to 2021-04-12\n"
        "types:      article (1)\n"
        "providers:  1; top: scmp.com (1)\n"
        "topics:     2; top: Computer Vision (1), AI (1)\n"
        "problems:   0 errors, 0 warnings\n"
    )


def test_summary_of_the_real_corpus(capsys, real_corpus):
    status, out, _ = run(capsys, "summary", str(real_corpus))
    assert status == 0
    assert "articles:   192 (1 duplicates)\n" in out
    assert "types:      article (180), video (12)\n" in out
    assert "providers:  26; top: microsoft.com (158)," in out


def test_validate_lists_problems_and_fails_on_errors(capsys, make_corpus):
    root = make_corpus({"a.md": record(title="A", quality='"high"'), "b.md": "no fences\n"})
    status, out, err = run(capsys, "validate", str(root))
    assert status == 1
    assert out == (
        f"{root / 'a.md'}: warning: quality: expected a whole number, got string 'high'; "
        "left empty\n"
        f"{root / 'b.md'}: error: -: no front matter: the file does not start with a '---' line\n"
    )
    assert err == "1 articles, 1 errors, 1 warnings\n"


def test_validate_strict_fails_on_warnings_only_when_asked(capsys, make_corpus):
    root = make_corpus({"a.md": record(title="A", quality='"high"')})
    assert run(capsys, "validate", str(root))[0] == 0
    assert run(capsys, "validate", str(root), "--strict")[0] == 1
    assert run(capsys, "validate", str(SEEDS), "--strict")[0] == 0


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_export_writes_the_articles_table(capsys, tmp_path, suffix):
    out_file = tmp_path / f"articles{suffix}"
    status, out, _ = run(capsys, "export", str(SEEDS), "--out", str(out_file))
    assert status == 0
    assert out == f"wrote 1 articles to {out_file}\n"
    frame = pd.read_parquet(out_file) if suffix == ".parquet" else pd.read_csv(out_file)
    assert frame["title"].iloc[0].startswith("China")
    topics = frame["topics"].iloc[0]
    assert (
        list(topics) == ["Computer Vision", "AI"]
        if suffix == ".parquet"
        else (topics == "Computer Vision; AI")
    )


def test_export_creates_the_output_folder(tmp_path, capsys):
    out_file = tmp_path / "new" / "folder" / "a.csv"
    assert run(capsys, "export", str(SEEDS), "--out", str(out_file))[0] == 0
    assert out_file.exists()


def test_export_parquet_round_trips_types(tmp_path, capsys):
    out_file = tmp_path / "a.parquet"
    run(capsys, "export", str(SEEDS), "--out", str(out_file))
    frame = pd.read_parquet(out_file)
    assert str(frame["published_at"].dtype).startswith("datetime64")
    assert frame["quality"].iloc[0] == 46


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["summary", "/no/such/corpus"], "Error: /no/such/corpus: no such file or folder\n"),
        (
            ["export", str(SEEDS), "--out", "x.xlsx"],
            "Error: x.xlsx: unknown export format '.xlsx'; use .parquet or .csv\n",
        ),
        (
            ["export", str(SEEDS), "--out", "/dev/null/a.csv"],
            "Error: /dev/null/a.csv: cannot write: /dev/null is not a folder\n",
        ),
    ],
)
def test_errors_are_one_line_and_exit_1(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 1
    assert err == message


def test_every_command_has_help_text():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0]
    assert commands.choices
    for name, sub in commands.choices.items():
        helps = {action.dest: action.help for action in commands._choices_actions}
        assert helps.get(name), f"{name} has no help"
        assert sub.format_help()


def test_python_dash_m_and_console_script():
    result = subprocess.run(
        [sys.executable, "-m", "newskit", "summary", str(SEEDS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "articles:   1 (0 duplicates)" in result.stdout
    script = subprocess.run(
        [str(Path(sys.executable).with_name("newskit")), "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert script.stdout.startswith("newskit ")
