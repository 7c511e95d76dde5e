"""Sample records with the rows they must give beside them, checked in one loop.

Each ``tests/records/NAME.md`` (and the seed record) has ``NAME.json`` beside it: the
articles row (without ``path`` and ``body``), the topics, images and related rows (without
``article_id``) and the problems (``path`` as the file name). Adding a case is adding a file:
without its ``.json``, the test fails printing the rows to check and save.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import SEEDS

from newskit import load_corpus

#: The loader's suite: every sample is loaded on each install of conftest.ROADS.
pytestmark = pytest.mark.usefixtures("speed_ups")

RECORDS = Path(__file__).parent / "records"
SAMPLES = sorted([*RECORDS.glob("*.md"), *SEEDS.glob("*.txt")])


def plain(value: object) -> object:
    """A cell as JSON writes it: timestamps in ISO 8601, missing values as null."""
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if value is None or (not isinstance(value, list | str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def rows(frame: pd.DataFrame, drop: list[str]) -> list[dict]:
    frame = frame.drop(columns=[c for c in drop if c in frame.columns])
    return [{k: plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def tables_of(sample: Path, tmp_path: Path) -> dict:
    root = tmp_path / "corpus"
    root.mkdir()
    shutil.copyfile(sample, root / sample.name)
    corpus = load_corpus(root, cache=False)
    problems = corpus.problems.assign(path=corpus.problems["path"].map(lambda p: Path(p).name))
    return {
        "articles": rows(corpus.articles, ["path", "body"]),
        "topics": rows(corpus.topics, ["article_id"]),
        "images": rows(corpus.images, ["article_id"]),
        "related": rows(corpus.related, ["article_id"]),
        "problems": rows(problems, []),
    }


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_a_sample_record_gives_the_rows_beside_it(sample, tmp_path):
    got = tables_of(sample, tmp_path)
    expected_file = RECORDS / f"{sample.stem}.json"
    shown = json.dumps(got, indent=2, ensure_ascii=False)
    assert expected_file.exists(), f"no {expected_file.name}; the rows it gives:\n{shown}"
    assert got == json.loads(expected_file.read_text(encoding="utf-8"))
