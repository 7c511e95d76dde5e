"""The notebooks and sample corpus newskit ships, and ``newskit init``."""

from __future__ import annotations

from conftest import ROOT

from newskit.cli import main
from newskit.workspace import init_workspace, shipped_notebooks, shipped_seeds


def test_the_shipped_notebooks_and_seeds_are_the_repository_folders():
    # One copy: in a checkout the package's folders are the repository's, not copies of them.
    assert shipped_notebooks().resolve() == (ROOT / "notebooks").resolve()
    assert shipped_seeds().resolve() == (ROOT / "seeds").resolve()
    assert sorted(p.name for p in shipped_notebooks().glob("*.ipynb"))


def test_init_copies_notebooks_and_seeds_into_a_folder(tmp_path, capsys):
    folder = tmp_path / "work"
    assert main(["init", str(folder)]) == 0
    out = capsys.readouterr().out.splitlines()
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert sorted(p.name for p in (folder / "notebooks").iterdir()) == notebooks
    seeds = sorted(p.name for p in (ROOT / "seeds").glob("*.txt"))
    assert sorted(p.name for p in (folder / "seeds").iterdir()) == seeds
    for name in notebooks:
        copied = (folder / "notebooks" / name).read_bytes()
        assert copied == (ROOT / "notebooks" / name).read_bytes()
        assert f"created {folder / 'notebooks' / name}" in out
    assert out[-1] == (
        f"next: jupyter lab {folder / 'notebooks'}, "
        f"or newskit report --notebooks {folder / 'notebooks'}"
    )


def test_init_keeps_what_exists(tmp_path):
    folder = tmp_path / "work"
    first = init_workspace(folder)
    edited = first.created[0]
    edited.write_text("my edit", encoding="utf-8")
    (folder / "notebooks" / "mine.ipynb").write_text("{}", encoding="utf-8")
    again = init_workspace(folder)
    assert again.created == []
    assert sorted(again.kept) == sorted(first.created)
    assert edited.read_text(encoding="utf-8") == "my edit"


def test_init_into_a_file_is_an_error(tmp_path, capsys):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert main(["init", str(tmp_path / "file")]) == 1
    assert capsys.readouterr().err == f"Error: {tmp_path / 'file'}: not a folder\n"
