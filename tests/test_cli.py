"""cli: exact output, exit codes, one-line errors, help for every command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import SEEDS, record

import newskit
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
        "files read: 1\n"
        "articles:   1 (0 duplicates)\n"
        "stories:    1 (0.0% of articles are copies)\n"
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
    assert "stories:    185 (3.6% of articles are copies)\n" in out
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


def test_export_writes_the_articles_table_as_csv(capsys, tmp_path):
    out_file = tmp_path / "articles.csv"
    status, out, _ = run(capsys, "export", str(SEEDS), "--out", str(out_file), "--format", "csv")
    assert status == 0
    assert out == f"wrote 1 articles to {out_file}\n"
    frame = pd.read_csv(out_file)
    assert frame["title"].iloc[0].startswith("China")
    assert frame["topics"].iloc[0] == "Computer Vision; AI"


def test_export_writes_every_table_as_a_dataset_that_reads_back_equal(capsys, tmp_path):
    folder = tmp_path / "new" / "folder" / "ds"
    status, out, _ = run(capsys, "export", str(SEEDS), "--out", str(folder))
    assert status == 0
    assert out == f"wrote 1 articles and every table to {folder}\n"
    corpus, back = newskit.load_corpus(SEEDS), newskit.load_corpus(folder)
    for name in ("articles", "topics", "images", "related", "providers", "problems", "fields"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(corpus, name), obj=name)
    assert back.summary() == corpus.summary()
    # what any Parquet reader finds there, types kept
    frame = pd.read_parquet(folder / "articles")
    assert str(frame["published_at"].dtype).startswith("datetime64")
    assert frame["quality"].iloc[0] == 46
    assert (frame["year"].astype(int).tolist(), frame["month"].astype(int).tolist()) == (
        [2021],
        [4],
    )


def test_export_refuses_a_folder_of_something_else_unless_overwrite(capsys, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    status, _, err = run(capsys, "export", str(SEEDS), "--out", str(folder))
    assert status == 1
    assert err == (
        f"Error: {folder}: folder is not empty and not a newskit dataset; "
        "choose another folder or overwrite it\n"
    )
    assert (folder / "notes.txt").exists()
    assert run(capsys, "export", str(SEEDS), "--out", str(folder), "--overwrite")[0] == 0
    assert not (folder / "notes.txt").exists()
    assert run(capsys, "export", str(SEEDS), "--out", str(folder))[0] == 0  # a dataset: replaced


def test_export_dask_without_dask_names_the_extra(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    status, _, err = run(capsys, "export", str(SEEDS), "--out", str(tmp_path / "ds"), "--dask")
    assert status == 1
    assert err == "Error: Dask is not installed: pip install 'newskit[dask]'\n"
    assert not (tmp_path / "ds").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["summary", "/no/such/corpus"], "Error: /no/such/corpus: no such file or folder\n"),
        (
            ["export", str(SEEDS), "--out", "x.xlsx", "--format", "csv"],
            "Error: x.xlsx: --format csv writes a .csv file\n",
        ),
        (
            ["export", str(SEEDS), "--out", "x.csv"],
            "Error: x.csv: a dataset is a folder; for the articles as CSV: --format csv\n",
        ),
        (
            ["export", str(SEEDS), "--out", "/dev/null/a.csv", "--format", "csv"],
            "Error: /dev/null/a.csv: cannot write: /dev/null is not a folder\n",
        ),
        (
            ["export", str(SEEDS), "--out", "/dev/null/ds"],
            "Error: /dev/null/ds: cannot write: /dev/null is not a folder\n",
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


HOSTILE_TOPIC = "x\x1b]52;c;cHduZWQ=\x07\x1b[2J\u202e\x9b"


def test_summary_escapes_control_characters_from_the_corpus(capsys, make_corpus):
    topics = '["x\\e]52;c;cHduZWQ=\\a\\e[2J\\u202e\\x9b"]'
    root = make_corpus({"a.md": record(title="A", topics=topics)})
    status, out, _ = run(capsys, "summary", str(root))
    assert status == 0
    assert "topics:     1; top: x\\x1b]52;c;cHduZWQ=\\x07\\x1b[2J\\u202e\\x9b (1)\n" in out
    assert not any(ch in out for ch in "\x1b\x07\x9b\u202e")


def test_validate_keeps_one_problem_per_line_whatever_the_file_name(capsys, make_corpus):
    root = make_corpus({"a\nb\x1b[2J\u2028.md": "no fences\n"})
    status, out, _ = run(capsys, "validate", str(root))
    assert status == 1
    assert out == (
        f"{root}/a\\nb\\x1b[2J\\u2028.md: error: -: no front matter: "
        "the file does not start with a '---' line\n"
    )


def test_errors_escape_control_characters(capsys, tmp_path):
    missing = tmp_path / "no\x1b[2Jsuch\nfolder"
    status, _, err = run(capsys, "summary", str(missing))
    assert status == 1
    assert err == f"Error: {tmp_path}/no\\x1b[2Jsuch\\nfolder: no such file or folder\n"


def newskit_command(*argv: str) -> list[str]:
    return [sys.executable, "-m", "newskit", *argv]


def test_a_closed_pipe_ends_summary_quietly(make_corpus):
    root = make_corpus({"a.md": record(title="A", topics='["x\\e[2J"]')})
    # The reader goes away before newskit writes: every write then fails with EPIPE.
    process = subprocess.Popen(
        newskit_command("summary", str(root)), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    process.stdout.close()
    err = process.stderr.read()
    assert process.wait(timeout=60) == 141
    assert err == b""


def test_validate_piped_into_head_prints_no_error(make_corpus):
    # Far more than a pipe's 64 KiB buffer, so that newskit is still writing when head exits.
    root = make_corpus({f"f{i}.md": "no fences\n" for i in range(1500)})
    command = " ".join(newskit_command("validate", str(root))) + " | head -1"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, check=False
    )
    assert result.stdout.startswith(f"{root}/")
    assert result.stdout.count("\n") == 1
    assert result.stderr == ""
    assert result.returncode == 141


def limited_file_size(limit: int):
    import resource
    import signal

    def limit_writes() -> None:
        # Past the limit, a write fails with EFBIG (as on a full disk) instead of killing.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_writes


def read_all(path: Path) -> dict[str, bytes]:
    if path.is_file():
        return {"": path.read_bytes()}
    return {str(p.relative_to(path)): p.read_bytes() for p in path.rglob("*") if p.is_file()}


@pytest.mark.parametrize("form", ["dataset", "csv"])
def test_export_that_cannot_be_written_keeps_the_previous_file(capsys, tmp_path, form):
    out_file = tmp_path / ("articles.csv" if form == "csv" else "ds")
    argv = ["export", str(SEEDS), "--out", str(out_file), "--format", form]
    assert run(capsys, *argv)[0] == 0
    good = read_all(out_file)
    assert max(map(len, good.values())) > 1200
    result = subprocess.run(
        newskit_command(*argv),
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=limited_file_size(600),
    )
    assert result.returncode == 1
    assert result.stderr == f"Error: {out_file}: cannot write: File too large\n"
    assert read_all(out_file) == good
    assert sorted(p.name for p in tmp_path.iterdir()) == [out_file.name]


def test_export_gives_the_file_the_usual_permissions(capsys, tmp_path):
    out_file = tmp_path / "a.csv"
    assert run(capsys, "export", str(SEEDS), "--out", str(out_file), "--format", "csv")[0] == 0
    umask = os.umask(0o022)
    os.umask(umask)
    assert out_file.stat().st_mode & 0o777 == 0o666 & ~umask
    out_file.chmod(0o640)
    assert run(capsys, "export", str(SEEDS), "--out", str(out_file), "--format", "csv")[0] == 0
    assert out_file.stat().st_mode & 0o777 == 0o640


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
@pytest.mark.parametrize(("form", "name"), [("csv", "a.csv"), ("dataset", "ds")])
def test_export_into_an_unwritable_folder_fails_before_loading(capsys, tmp_path, form, name):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        status, _, err = run(
            capsys,
            *("export", str(tmp_path / "no-corpus"), "--out", str(folder / name)),
            *("--format", form),
        )
    finally:
        folder.chmod(0o700)
    assert status == 1
    assert err == f"Error: {folder / name}: cannot write: Permission denied\n"


@pytest.fixture(scope="module")
def pooled_corpus(tmp_path_factory) -> Path:
    """A corpus large enough for a fresh process to parse it with a pool of workers."""
    from newskit.load import PARALLEL_MIN_FILES_COLD

    sys.path.insert(0, str(SEEDS.parent / "tests" / "bench"))
    try:
        from generate import generate
    finally:
        sys.path.pop(0)
    root = tmp_path_factory.mktemp("pooled") / "corpus"
    generate(root, PARALLEL_MIN_FILES_COLD + 1000, seed=5)
    return root


@pytest.mark.parametrize(("signum", "status"), [(2, 130), (15, 143)])
def test_a_signal_during_a_load_ends_the_command_with_one_line(
    pooled_corpus, tmp_path, signum, status
):
    """SIGTERM (as `timeout` sends) stops a command as Ctrl-C does: one line, 128 + signal."""
    import time

    import psutil

    process = subprocess.Popen(
        [sys.executable, "-m", "newskit", "summary", str(pooled_corpus)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, "NEWSKIT_PROGRESS": "0", "NEWSKIT_CACHE_DIR": str(tmp_path / "c")},
    )
    handle = psutil.Process(process.pid)
    deadline = time.monotonic() + 60
    while not handle.children() and time.monotonic() < deadline:  # parsing in workers
        time.sleep(0.005)
    os.killpg(process.pid, signum)
    out, err = process.communicate(timeout=30)
    assert err.decode() == "Error: interrupted\n"
    assert process.returncode == status
    assert out == b""


def test_summary_json_is_the_summary_with_iso_dates(capsys):
    import json

    status, out, err = run(capsys, "summary", str(SEEDS), "--json")
    assert (status, err) == (0, "")
    shown = json.loads(out)
    assert shown["n_articles"] == 1
    assert shown["first_published_at"] == "2021-04-12T13:30:00+00:00"
    assert shown["top_topics"] == {"Computer Vision": 1, "AI": 1}


def test_summary_csv_is_one_field_a_row(capsys):
    import csv

    status, out, _ = run(capsys, "summary", str(SEEDS), "--csv")
    rows = list(csv.reader(out.splitlines()))
    assert status == 0
    assert rows[0] == ["field", "value"]
    assert ["n_articles", "1"] in rows
    assert ["types", '{"article": 1}'] in rows


def test_validate_json_and_csv_list_every_problem(capsys, make_corpus):
    import csv
    import json

    root = make_corpus(
        {"a.md": record(title="A", quality='"high"'), "b\x1b\u202e.md": "no fences\n"}
    )
    status, out, err = run(capsys, "validate", str(root), "--json")
    assert out.isascii()
    problems = json.loads(out)
    assert (status, err) == (1, "1 articles, 1 errors, 1 warnings\n")
    assert [(p["path"], p["severity"], p["field"]) for p in problems] == [
        (str(root / "a.md"), "warning", "quality"),
        (str(root / "b\x1b\u202e.md"), "error", None),
    ]
    assert "\x1b" not in out
    status, out, _ = run(capsys, "validate", str(root), "--csv")
    rows = list(csv.reader(out.splitlines()))
    assert status == 1
    assert rows[0] == ["path", "severity", "field", "message"]
    assert rows[2][:3] == [f"{root}/b\\x1b\\u202e.md", "error", ""]
    assert len(rows) == 3


def test_json_and_csv_exclude_each_other(capsys):
    with pytest.raises(SystemExit) as info:
        main(["summary", str(SEEDS), "--json", "--csv"])
    assert info.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["summary", "validate"])
def test_an_empty_folder_is_a_warning(capsys, tmp_path, command):
    status, _, err = run(capsys, command, str(tmp_path))
    assert status == 0
    assert err.splitlines()[0] == f"Warning: {tmp_path}: no record files (*.txt, *.md) found"
