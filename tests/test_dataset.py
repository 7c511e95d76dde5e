"""dataset: a corpus written as a hive-partitioned Parquet dataset and read back, on disk."""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.dataset
import pyarrow.parquet as pq
import pytest
from conftest import BAD_FILES, SEED_TEXT, SEEDS, record

import newskit
import newskit.load
from newskit.dataset import (
    MANIFEST,
    NULL_PARTITION,
    REPORT_COLUMNS,
    is_dataset,
    read_dataset,
    write_dataset,
)
from newskit.errors import CorpusError

TABLES = ("articles", "topics", "images", "related", "providers", "problems", "fields")


@pytest.fixture
def dated_corpus(make_corpus):
    """60 files over three years and their months, undated ones, topics, images, related
    stories, bad files, warnings and duplicates."""
    files = {}
    for n in range(60):
        when = f"{2019 + n % 3}-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:30:00Z"
        fields = {
            "title": f'"Story {n}"',
            "originalUrl": f'"https://example.com/{n % 53}"',  # 53.. repeat earlier URLs
            "type": "video" if n % 7 == 0 else "article",
            "quality": n,
            "heat": 100 - n,
            "topics": f"[Power Apps, T{n % 5}]",
            "category": "news" if n < 30 else "blog",
            "provider": f"{{name: P{n % 4}, domain: p{n % 4}.com}}",
            "images": f'[{{url: "https://img.example/{n}.png", width: {n}}}]',
            "related": f'[{{title: "R{n}", webUrl: "https://r.example/{n}", quality: 3}}]',
        }
        if n % 10 != 3:  # every tenth is undated
            fields["publishedDateTime"] = when
        files[f"{n // 20}/{n:03d}.md"] = record(**fields)
    files["1/seed.txt"] = SEED_TEXT
    files.update({f"2/{name}": content for name, (content, _) in list(BAD_FILES.items())[:4]})
    files["2/warned.md"] = record(title='"W"', quality='"46"', published="yes", topics="a, b")
    return make_corpus(files)


def assert_corpora_equal(left, right) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(left, name), getattr(right, name), obj=name)
    assert left.fingerprint == right.fingerprint
    assert left.summary() == right.summary()


@pytest.fixture(params=["generated", "real"])
def any_corpus(request, dated_corpus):
    if request.param == "real":
        return request.getfixturevalue("real_corpus")
    return dated_corpus


def test_a_dataset_reads_back_equal_to_the_corpus(any_corpus, tmp_path):
    corpus = newskit.load_corpus(any_corpus)
    assert write_dataset(corpus, tmp_path / "ds") == tmp_path / "ds"
    assert is_dataset(tmp_path / "ds")
    assert_corpora_equal(read_dataset(tmp_path / "ds"), corpus)


def test_load_corpus_reads_a_dataset_folder(dated_corpus, tmp_path):
    corpus = newskit.load_corpus(dated_corpus)
    write_dataset(corpus, tmp_path / "ds")
    assert_corpora_equal(newskit.load_corpus(tmp_path / "ds"), corpus)
    trimmed = newskit.load_corpus(tmp_path / "ds", columns=REPORT_COLUMNS)
    assert list(trimmed.articles.columns) == list(REPORT_COLUMNS)
    # the same choice on the files gives the same corpus
    assert_corpora_equal(trimmed, newskit.load_corpus(dated_corpus, columns=REPORT_COLUMNS))


def test_articles_are_partitioned_by_month_and_their_rows_follow_them(dated_corpus, tmp_path):
    corpus = newskit.load_corpus(dated_corpus)
    write_dataset(corpus, tmp_path / "ds")
    manifest = json.loads((tmp_path / "ds" / MANIFEST).read_text())
    articles = corpus.articles.set_index("article_id")
    seen = set()
    for entry in manifest["files"]:
        if entry["table"] not in ("articles", "topics", "images", "related"):
            assert entry["path"] == f"{entry['table']}/part-0.parquet"
            continue
        year, month = entry["year"], entry["month"]
        shown = [NULL_PARTITION if value is None else str(value) for value in (year, month)]
        folder = f"{entry['table']}/year={shown[0]}/month={shown[1]}"
        assert entry["path"] == f"{folder}/part-0.parquet"
        ids = pq.read_table(tmp_path / "ds" / entry["path"])["article_id"].to_pylist()
        assert len(ids) == entry["rows"] > 0
        when = articles.loc[ids, "published_at"]
        if year is None:
            assert when.isna().all()
        else:
            assert (when.dt.year == year).all() and (when.dt.month == month).all()
        seen.add((entry["table"], year, month))
    assert ("articles", None, None) in seen  # undated articles have their own partition
    assert {("topics", 2020, 2), ("images", 2021, 3), ("related", 2019, 1)} <= seen
    assert manifest["counts"] == {
        "articles": len(corpus.articles),
        "topics": len(corpus.topics),
        "images": len(corpus.images),
        "related": len(corpus.related),
        "providers": len(corpus.providers),
        "stories": len(corpus.stories),
        "problems": len(corpus.problems),
        "fields": len(corpus.fields),
        "files": 66,
    }
    assert manifest["fingerprint"] == corpus.fingerprint
    assert manifest["newskit_version"] == newskit.__version__


def test_pandas_reads_the_articles_folder_as_it_is(dated_corpus, tmp_path):
    corpus = newskit.load_corpus(dated_corpus)
    write_dataset(corpus, tmp_path / "ds")
    hive = pyarrow.dataset.partitioning(flavor="hive")
    frame = pd.read_parquet(tmp_path / "ds" / "articles", partitioning=hive)
    frame = frame.set_index("article_id").loc[corpus.articles["article_id"]]
    when = corpus.articles["published_at"]
    assert frame["year"].isna().sum() == when.isna().sum() == 7  # the null partition
    assert (frame["year"].dropna().to_numpy() == when.dt.year.dropna().to_numpy()).all()
    assert frame["title"].tolist() == corpus.articles["title"].tolist()


def test_date_bounds_read_only_the_months_inside_them(dated_corpus, tmp_path):
    corpus = newskit.load_corpus(dated_corpus)
    write_dataset(corpus, tmp_path / "ds")
    # A partition outside the window spoilt (same size, so the manifest's check passes): a
    # read that opened it would fail.
    outside = tmp_path / "ds" / "articles" / "year=2019" / "month=1" / "part-0.parquet"
    outside.write_bytes(b"\0" * outside.stat().st_size)
    for start, end in [("2020-02-10", "2021-03-05T12:00"), ("2020-06-01", None), (None, "2020")]:
        if end == "2020":
            with pytest.raises(CorpusError, match="year=2019/month=1/part-0.parquet: unreadable"):
                read_dataset(tmp_path / "ds", end="2020-01-01")
            continue
        chosen = read_dataset(tmp_path / "ds", start=start, end=end)
        assert_corpora_equal(chosen, corpus.select(start=start, end=end))
        assert 0 < len(chosen) < len(corpus)
    trimmed = read_dataset(tmp_path / "ds", start="2020-02-10", columns=["title"])
    assert list(trimmed.articles.columns) == ["article_id", "title", "story_id"]
    pd.testing.assert_frame_equal(
        trimmed.providers, corpus.select(start="2020-02-10").providers, obj="providers"
    )


def test_columns_leave_out_what_a_report_does_not_show(dated_corpus, tmp_path):
    corpus = newskit.load_corpus(dated_corpus)
    write_dataset(corpus, tmp_path / "ds")
    trimmed = read_dataset(tmp_path / "ds", columns=REPORT_COLUMNS)
    assert not {"body", "featured_content", "excerpt"} & set(trimmed.articles.columns)
    pd.testing.assert_frame_equal(trimmed.articles, corpus.articles[list(REPORT_COLUMNS)])
    pd.testing.assert_frame_equal(trimmed.fields, corpus.fields)
    assert trimmed.summary() == corpus.summary()
    with pytest.raises(ValueError, match=r"unknown articles columns \['bodies'\]"):
        read_dataset(tmp_path / "ds", columns=["bodies"])


def decoded_tables(monkeypatch) -> list[str]:
    """The Parquet tables reads decode from here on, by name."""
    decoded = []
    for name in ("_read_table", "_column_reader"):  # a table, or a column at a time
        read = getattr(newskit.dataset, name)

        def counted(root, entries, columns_of, read=read, **kwargs):
            decoded.extend({entry["table"] for entry in entries})
            return read(root, entries, columns_of, **kwargs)

        monkeypatch.setattr(newskit.dataset, name, counted)
    return decoded


def test_a_dataset_is_decoded_once_then_read_from_the_cache(dated_corpus, tmp_path, monkeypatch):
    corpus = newskit.load_corpus(dated_corpus)
    folder = write_dataset(corpus, tmp_path / "ds")
    cache_dir = tmp_path / "cache"
    decoded = decoded_tables(monkeypatch)
    first = read_dataset(folder, cache_dir=cache_dir)
    assert {"articles", "topics", "files", "stories"} <= set(decoded)
    assert len(list(cache_dir.glob("*.nkcache"))) == 1
    decoded.clear()
    again = read_dataset(folder, cache_dir=cache_dir)
    trimmed = newskit.load_corpus(folder, cache_dir=cache_dir, columns=REPORT_COLUMNS)
    assert decoded == []
    assert_corpora_equal(first, corpus)
    assert_corpora_equal(again, corpus)
    pd.testing.assert_frame_equal(again.stories, corpus.stories)
    assert_corpora_equal(trimmed, newskit.load_corpus(dated_corpus, columns=REPORT_COLUMNS))
    # a date window reads its months' partitions, not the cache
    window = read_dataset(folder, cache_dir=cache_dir, start="2020-01-01", end="2020-06-30")
    assert "articles" in decoded
    pd.testing.assert_frame_equal(
        window.articles, corpus.select(start="2020-01-01", end="2020-06-30").articles
    )


def test_a_dataset_written_again_is_not_read_from_its_old_cache(
    dated_corpus, make_corpus, tmp_path, monkeypatch
):
    cache_dir = tmp_path / "cache"
    folder = write_dataset(newskit.load_corpus(dated_corpus), tmp_path / "ds")
    read_dataset(folder, cache_dir=cache_dir)
    other = newskit.load_corpus(make_corpus({"a.md": record(title='"Another corpus"')}))
    write_dataset(other, folder, overwrite=True)
    assert_corpora_equal(read_dataset(folder, cache_dir=cache_dir), other)
    # a Parquet file written over (same size and manifest, new modification time): decoded
    decoded = decoded_tables(monkeypatch)
    part = next((folder / "articles").rglob("*.parquet"))
    os.utime(part, ns=(part.stat().st_atime_ns, part.stat().st_mtime_ns + 10**9))
    assert_corpora_equal(read_dataset(folder, cache_dir=cache_dir), other)
    assert "articles" in decoded


def test_a_dataset_read_without_a_cache_or_where_none_can_be_written(
    dated_corpus, tmp_path, monkeypatch
):
    corpus = newskit.load_corpus(dated_corpus)
    folder = write_dataset(corpus, tmp_path / "ds")
    cache_dir = tmp_path / "cache"
    assert_corpora_equal(read_dataset(folder, cache=False, cache_dir=cache_dir), corpus)
    assert_corpora_equal(newskit.load_corpus(folder, cache=False, cache_dir=cache_dir), corpus)
    assert not cache_dir.exists()
    (tmp_path / "blocked").write_text("a file where the cache folder would be")
    decoded = decoded_tables(monkeypatch)
    for _ in range(2):
        assert_corpora_equal(read_dataset(folder, cache_dir=tmp_path / "blocked" / "c"), corpus)
    assert decoded.count("articles") == 2


def test_an_empty_corpus_writes_a_dataset_that_reads_back(make_corpus, tmp_path):
    root = make_corpus({"README.md": "# nothing here\n"})
    corpus = newskit.load_corpus(root)
    write_dataset(corpus, tmp_path / "ds")
    assert_corpora_equal(read_dataset(tmp_path / "ds"), corpus)


def test_a_folder_that_is_not_a_dataset_is_refused_unless_overwritten(dated_corpus, tmp_path):
    corpus = newskit.load_corpus(dated_corpus)
    out = tmp_path / "ds"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(CorpusError, match=f"^{out}: folder is not empty and not a newskit"):
        write_dataset(corpus, out)
    assert (out / "notes.txt").read_text() == "mine"
    write_dataset(corpus, out, overwrite=True)
    assert not (out / "notes.txt").exists()
    # an earlier dataset is replaced without asking; nothing is left beside it
    write_dataset(corpus.select(start="2021-01-01"), out)
    assert len(read_dataset(out)) == len(corpus.select(start="2021-01-01"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "ds"]
    (tmp_path / "file").write_text("x")
    with pytest.raises(CorpusError, match="file: not a folder"):
        write_dataset(corpus, tmp_path / "file")


def edit_manifest(folder: Path, change) -> None:
    manifest = json.loads((folder / MANIFEST).read_text())
    change(manifest)
    (folder / MANIFEST).write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (
            lambda ds: (ds / "articles" / "year=2020" / "month=2" / "part-0.parquet").unlink(),
            "articles/year=2020/month=2/part-0.parquet: listed in the manifest but missing",
        ),
        (
            lambda ds: shutil.rmtree(ds / "topics" / "year=2021"),
            r"topics/year=2021/month=\d+/part-0.parquet: listed in the manifest but missing",
        ),
        (
            lambda ds: (ds / "images" / "year=2020" / "month=2" / "part-0.parquet").write_bytes(
                b"PAR1"
            ),
            r"images/year=2020/month=2/part-0.parquet: 4 bytes, the manifest says \d+",
        ),
        (
            lambda ds: shutil.copy(
                ds / "articles" / "year=2020" / "month=2" / "part-0.parquet",
                ds / "articles" / "year=2020" / "month=2" / "part-1.parquet",
            ),
            "articles/year=2020/month=2/part-1.parquet: not in the manifest",
        ),
        (
            lambda ds: edit_manifest(ds, lambda m: m.update(format_version=2)),
            r"dataset format version 2 \(written by newskit 0.1.0\); this newskit 0.1.0 reads "
            "version 1",
        ),
        (
            lambda ds: edit_manifest(ds, lambda m: m["schema"]["images"].pop()),
            "table images has other columns than newskit",
        ),
        (
            lambda ds: edit_manifest(ds, lambda m: m.update(format="something-else")),
            "not a newskit dataset manifest",
        ),
        (
            lambda ds: edit_manifest(ds, lambda m: m.update(fingerprint="0" * 16)),
            "the files table gives fingerprint [0-9a-f]{16}, the manifest 0{16}: dataset edited",
        ),
        (
            lambda ds: (ds / MANIFEST).write_text("{not json"),
            f"{MANIFEST}: unreadable manifest",
        ),
    ],
)
def test_a_damaged_or_foreign_dataset_is_an_error_naming_it(
    dated_corpus, tmp_path, damage, message
):
    corpus = newskit.load_corpus(dated_corpus)
    folder = write_dataset(corpus, tmp_path / "ds")
    read_dataset(folder)  # a cache of the dataset as it was does not hide the damage
    damage(folder)
    with pytest.raises(CorpusError, match=f"^{folder}.*{message}"):
        read_dataset(folder)
    with pytest.raises(CorpusError, match=f"^{folder}.*{message}"):
        newskit.load_corpus(folder)


def test_a_folder_without_a_manifest_is_not_read_as_a_dataset(tmp_path):
    with pytest.raises(CorpusError, match=f"^{tmp_path}: not a newskit dataset"):
        read_dataset(tmp_path)


def test_a_load_of_record_files_imports_no_parquet_reader(tmp_path):
    # a warm load takes ~0.09 s for 20,000 records; newskit.dataset, pyarrow.parquet and
    # pyarrow.dataset (and the ssl they pull in) would add a fifth to each process's first load
    readers = ("newskit.dataset", "pyarrow.parquet", "pyarrow.dataset")
    script = (
        "import sys; from newskit import load_corpus; "
        f"load_corpus({str(SEEDS)!r}, cache_dir={str(tmp_path)!r}, progress=False); "
        f"print(sorted(m for m in sys.modules if m in {readers!r}))"
    )
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "[]"


# --------------------------------------------------------------------------- DuckDB

#: The report's headline aggregates in DuckDB's SQL, as the README shows them. {dir} is the
#: dataset folder; `articles` and `topics` are views of its tables.
DUCKDB_QUERIES = {
    # count_by_period(freq="month"): dated articles, outlying dates (before 1990, future) out
    "per_month": """
        SELECT date_trunc('month', published_at)::TIMESTAMP AS period, count(*) AS n_articles
        FROM articles
        WHERE published_at >= TIMESTAMPTZ '1990-01-01' AND published_at <= now()
        GROUP BY period ORDER BY period""",
    # count_types: a missing type counts as (unknown); share of all articles
    "per_type": """
        SELECT coalesce(type, '(unknown)') AS type, count(*) AS n_articles,
               count(*) / sum(count(*)) OVER () AS share
        FROM articles GROUP BY 1 ORDER BY n_articles DESC, type""",
    # count_topics: articles per topic, share of all articles
    "per_topic": """
        SELECT topic, count(DISTINCT article_id) AS n_articles,
               count(DISTINCT article_id) / (SELECT count(*) FROM articles) AS share
        FROM topics GROUP BY topic ORDER BY n_articles DESC, topic""",
    # build_provider_leaderboard: keyed by domain, else name, else (unknown)
    "per_provider": """
        SELECT coalesce(provider_domain, provider_name, '(unknown)') AS provider,
               count(*) AS n_articles, count(*) / sum(count(*)) OVER () AS share,
               avg(quality) AS mean_quality, median(quality) AS median_quality,
               avg(heat) AS mean_heat, median(heat) AS median_heat
        FROM articles GROUP BY provider ORDER BY n_articles DESC, provider""",
}


def require_module(name: str):
    """Import ``name``, an engine the dev extra installs: skip without it, fail under CI."""
    try:
        return importlib.import_module(name)
    except ImportError:
        reason = f"{name} is not installed (pip install -e '.[dev]' installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


def duckdb_answers(folder: Path) -> dict[str, pd.DataFrame]:
    duckdb = require_module("duckdb")
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for table in ("articles", "topics"):
        where = f"{folder}/{table}/**/*.parquet"
        con.execute(
            f"CREATE VIEW {table} AS "
            f"SELECT * FROM read_parquet('{where}', hive_partitioning = true)"
        )
    return {name: con.sql(query).df() for name, query in DUCKDB_QUERIES.items()}


def assert_same_values(duck: pd.DataFrame, ours: pd.DataFrame, name: str) -> None:
    ours = ours.astype({c: object for c in ours.columns if ours[c].dtype == "string"})
    duck = duck.astype({c: object for c in duck.columns if duck[c].dtype == "string"})
    pd.testing.assert_frame_equal(
        duck.reset_index(drop=True), ours.reset_index(drop=True), check_dtype=False, obj=name
    )


def test_duckdb_reads_the_dataset_and_its_aggregates_equal_newskits(any_corpus, tmp_path):
    generated = any_corpus.name == "corpus"
    if generated:  # dates the counts over time leave out
        (any_corpus / "3").mkdir()
        (any_corpus / "3" / "old.md").write_text(
            record(title="Old", publishedDateTime="1985-02-03")
        )
        (any_corpus / "3" / "later.md").write_text(
            record(title="L", publishedDateTime="2990-01-01")
        )
    corpus = newskit.load_corpus(any_corpus)
    folder = write_dataset(corpus, tmp_path / "ds")
    duck = duckdb_answers(folder)
    articles = corpus.articles
    by_month = newskit.count_by_period(articles, freq="month")
    assert_same_values(duck["per_month"], by_month[by_month["n_articles"] > 0], "per_month")
    assert_same_values(duck["per_type"], newskit.count_types(articles), "per_type")
    assert_same_values(duck["per_topic"], newskit.count_topics(articles), "per_topic")
    board = newskit.build_provider_leaderboard(articles).drop(columns="provider_name")
    assert_same_values(duck["per_provider"], board, "per_provider")
    if generated:  # undated and outlying articles are left out of the months
        assert duck["per_month"]["n_articles"].sum() == len(articles) - 7 - 2


def test_the_readme_shows_these_queries():
    readme = " ".join((Path(__file__).parent.parent / "README.md").read_text().split())
    for name, query in DUCKDB_QUERIES.items():
        assert " ".join(query.split()) + ";" in readme, name


# --------------------------------------------------------------------------- Dask


def dataset_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_an_export_parsed_on_a_dask_cluster_is_the_local_export(
    dated_corpus, tmp_path, capsys, monkeypatch
):
    distributed = require_module("distributed")
    from newskit.cli import main

    assert main(["export", str(dated_corpus), "--out", str(tmp_path / "local")]) == 0
    monkeypatch.setattr(newskit.load, "DASK_CHUNK_FILES", 10)  # 66 files: 7 tasks
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
        distributed.get_task_stream(client) as tasks,
    ):
        argv = ["export", str(dated_corpus), "--out", str(tmp_path / "dask")]
        assert main([*argv, "--dask", cluster.scheduler_address]) == 0
    parsed = [task for task in tasks.data if "parse_chunk" in str(task["key"])]
    assert len(parsed) == 7
    assert len({task["worker"] for task in parsed}) == 2  # both workers parsed
    # the same dataset, byte for byte: manifest (fingerprint, counts, schema) and every file
    assert dataset_files(tmp_path / "dask") == dataset_files(tmp_path / "local")
    assert_corpora_equal(read_dataset(tmp_path / "dask"), newskit.load_corpus(dated_corpus))
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"wrote {len(newskit.load_corpus(dated_corpus))} articles and every table to "
        f"{tmp_path / 'dask'}"
    )


def test_dask_without_an_address_starts_a_local_cluster(dated_corpus, tmp_path, capsys):
    require_module("distributed")
    from newskit.cli import main

    assert main(["export", str(dated_corpus), "--out", str(tmp_path / "local")]) == 0
    assert main(["export", str(dated_corpus), "--out", str(tmp_path / "dask"), "--dask"]) == 0
    assert dataset_files(tmp_path / "dask") == dataset_files(tmp_path / "local")


# --------------------------------------------------------------------------- reports


def comparable(html: str, path: Path, shown_as: Path) -> str:
    """A report's HTML without what differs between two runs: the corpus path given, cell
    ids, the generation time and durations."""
    html = html.replace(str(path), str(shown_as))
    html = re.sub(r'id="cell-id=[^"]*"', "", html)
    html = re.sub(
        r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?( ?UTC|Z|[+-]\d{2}:\d{2})?", "", html
    )
    return re.sub(r"\(\d+(\.\d+)? s\)", "", html)


def test_a_report_on_a_dataset_is_the_report_on_its_files(dated_corpus, tmp_path):
    from conftest import ROOT

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name in (
        "01-overview.ipynb",
        "03-providers.ipynb",
        "05-coverage.ipynb",
        "06-articles.ipynb",
    ):
        shutil.copy(ROOT / "notebooks" / name, notebooks / name)
    folder = write_dataset(newskit.load_corpus(dated_corpus), tmp_path / "ds")
    on_files = newskit.render_reports(dated_corpus, tmp_path / "files", notebooks_dir=notebooks)
    on_dataset = newskit.render_reports(folder, tmp_path / "dataset", notebooks_dir=notebooks)
    assert [p.name for p in on_dataset] == [p.name for p in on_files]
    for mine, theirs in zip(on_dataset, on_files, strict=True):
        assert comparable(mine.read_text(), folder, dated_corpus) == comparable(
            theirs.read_text(), dated_corpus, dated_corpus
        ), mine.name


def test_a_notebook_opens_a_dataset_reading_only_the_months_and_columns_it_asks(
    dated_corpus, tmp_path, capsys
):
    from newskit import notebook

    corpus = newskit.load_corpus(dated_corpus)
    write_dataset(corpus, tmp_path / "ds")
    outside = tmp_path / "ds" / "articles" / "year=2019" / "month=1" / "part-0.parquet"
    outside.write_bytes(b"\0" * outside.stat().st_size)  # a read that opened it would fail
    ds = str(tmp_path / "ds")
    chosen = notebook.open_selection(ds, start="2020-02-10", end="2021-03-05")
    assert_corpora_equal(chosen, corpus.select(start="2020-02-10", end="2021-03-05"))
    trimmed = notebook.open_selection(ds, start="2020-02-10", columns=notebook.REPORT_COLUMNS)
    assert list(trimmed.articles.columns) == list(REPORT_COLUMNS)
    expected = corpus.select(start="2020-02-10")
    pd.testing.assert_frame_equal(trimmed.articles, expected.articles[list(REPORT_COLUMNS)])
    for name in ("topics", "images", "related", "providers", "stories"):
        pd.testing.assert_frame_equal(getattr(trimmed, name), getattr(expected, name), obj=name)
    # a topic or provider needs every partition (here, the spoilt one)
    with pytest.raises(CorpusError, match="year=2019/month=1/part-0.parquet: unreadable"):
        notebook.open_selection(ds, start="2020-02-10", topic="T1")
    assert capsys.readouterr().out == ""


def test_a_notebook_opens_record_files_with_the_columns_it_asks(dated_corpus):
    from newskit import notebook

    corpus = newskit.load_corpus(dated_corpus)
    for options in ({}, {"topic": "t1", "provider": ["p1.com", "P2"], "end": "2021-01-01"}):
        chosen = notebook.open_selection(
            str(dated_corpus), columns=notebook.REPORT_COLUMNS, **options
        )
        expected = corpus.select(**options)
        pd.testing.assert_frame_equal(chosen.articles, expected.articles[list(REPORT_COLUMNS)])
        for name in ("topics", "images", "related", "providers", "stories", "problems"):
            pd.testing.assert_frame_equal(getattr(chosen, name), getattr(expected, name), obj=name)
