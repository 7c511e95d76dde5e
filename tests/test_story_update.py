"""story_update: a load after some files changed groups again only what they can affect, and
gives what grouping the whole corpus gives."""

from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from conftest import record

import newskit.corpus
import newskit.story_update
from newskit import load_corpus
from newskit.cache import wait_for_writes

OLD = 1_500_000_000_000_000_000  # an mtime well before any load
WORDS = "market cloud power data update wire copy launch report city court vote rain".split()  # noqa: SIM905
OUTLETS = ["The Star", "Yahoo", "Wire Daily", "Metro Post"]
TABLES = ("articles", "topics", "images", "related", "problems", "providers", "stories")


def story_record(rng: random.Random, n: int, story: int, pool: list[str]) -> str:
    """A record of ``story``: its copies share an address, a title (with an outlet's name
    after it, or trimmed), an excerpt's opening or ending, or a related link; some are the
    next issue of a series, some undated."""
    words = [WORDS[(story * 7 + k * 3) % len(WORDS)] for k in range(5)]
    title = f"{words[0]} {words[1]} story{story} {words[2]} {words[3]} {story % 4 + 2020}"
    outlet = OUTLETS[n % len(OUTLETS)]
    form = rng.choice(["plain", "outlet", "trimmed", "series", "other"])
    if form == "outlet":
        title = f"{title} - {rng.choice(OUTLETS)}"
    elif form == "trimmed":
        title = " ".join(title.split()[:4]) + " ..."
    elif form == "series":
        title = title.replace(str(story % 4 + 2020), str(rng.randint(2010, 2019)))
    elif form == "other":
        title = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(WORDS)} {n}"
    text = f"The {words[0]} {words[1]} story number {story} told at length for every reader today"
    excerpt = rng.choice([text, f"{outlet.upper()} - {text}", text[:70], f"Note {n}"])
    address = f"https://news.example/{story}" if rng.random() < 0.3 else f"https://o.example/{n}"
    day = 1 + story % 20 + rng.choice([0, 0, 1, 5])
    fields = {
        "title": f'"{title}"',
        "excerpt": f'"{excerpt}"',
        "originalUrl": f'"{address}"',
        "webUrl": f'"https://{outlet.split()[-1].lower()}.example/{n}"',
        "provider": f'{{name: "{outlet}", domain: "{outlet.split()[-1].lower()}.example"}}',
        "topics": f'["T{story % 5}"]',
    }
    if rng.random() > 0.1:
        fields["publishedDateTime"] = f"2021-03-{day:02}T{rng.randint(0, 23):02}:00:00Z"
    if pool and rng.random() < 0.15:
        fields["related"] = (
            f'\n  - title: "{" ".join(words).capitalize()}"\n    webUrl: "{rng.choice(pool)}"'
        )
    return record(**fields)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(OLD, OLD))  # the other files keep their change times


@pytest.fixture
def regrouped(monkeypatch):
    """For each load that found changed files: how many of its articles update_stories grouped
    again (None: it left them all to build_stories), and how many there were."""
    found: list[tuple[int | None, int]] = []
    update, build = newskit.story_update.update_stories, newskit.story_update.build_stories
    part: list[int] = []

    def spy_update(articles, *args, **kwargs):
        part.clear()
        result = update(articles, *args, **kwargs)
        found.append((part[0] if result is not None else None, len(articles)))
        return result

    def spy_build(articles, *args, **kwargs):
        part.append(len(articles))
        return build(articles, *args, **kwargs)

    monkeypatch.setattr(newskit.corpus, "update_stories", spy_update)
    monkeypatch.setattr(newskit.story_update, "build_stories", spy_build)
    monkeypatch.setattr("newskit.cache.RACY_NS", 0)  # files just written count as unchanged
    return found


def assert_same(left, right) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(left, name), getattr(right, name), obj=name)
    assert left.summary() == right.summary()


@pytest.mark.parametrize("seed", range(6))
def test_changed_files_give_the_stories_of_a_cold_load(tmp_path, regrouped, seed):
    changed_rounds(tmp_path, seed)
    # loads after a few files changed grouped again only some of the articles (all of them
    # where following keys and stories from the changes reached most)
    assert len(regrouped) == 4
    assert any(part is not None and part < total / 2 for part, total in regrouped), regrouped


def test_keys_that_share_a_hash_only_regroup_more(tmp_path, regrouped, monkeypatch):
    """Keys are followed by a 64-bit hash of each: keys made to share one here (a hash of
    4,096 values) link articles that share no key, which groups more of them again, never
    with another result."""
    hashes, shared = newskit.story_update.text_hashes, []
    if hashes(pa.chunked_array([["a"]])) is None:
        pytest.skip("no C keys: keys are followed by their values")

    def few_hashes(values):
        found = hashes(values)
        fewer = found % np.uint64(4096)
        shared.append(len(np.unique(fewer)) < len(np.unique(found)))
        return fewer

    monkeypatch.setattr(newskit.story_update, "text_hashes", few_hashes)
    for seed in range(3):
        changed_rounds(tmp_path / str(seed), seed)
    assert any(shared)  # keys did share hashes
    assert len(regrouped) == 12
    assert any(part is not None for part, _ in regrouped), regrouped  # not all regrouped


def changed_rounds(tmp_path: Path, seed: int) -> None:
    """Four rounds of four files changed, each load after them equal to a cold load."""
    rng = random.Random(seed)
    root, cache_dir = tmp_path / "corpus", tmp_path / "cache"
    pool = [f"https://o.example/{n}" for n in range(0, 160, 7)]
    pool += [f"https://news.example/{s}" for s in range(5)]
    names = []
    for n in range(160):
        names.append(f"{'abc'[n % 3]}/{n:03}.md")
        write(root / names[-1], story_record(rng, n, n // 3, pool))
    load_corpus(root, cache_dir=cache_dir)
    wait_for_writes()
    for round_ in range(4):
        for _ in range(4):
            change, name = rng.choice(["edit", "copy", "delete", "add"]), rng.choice(names)
            if change == "delete" and (root / name).exists():
                (root / name).unlink()
            elif change == "add":
                n = 1000 + round_ * 10 + len(names)
                names.append(f"d/{n}.md")
                write(root / names[-1], story_record(rng, n, rng.randrange(60), pool))
            else:  # an edit, or a file becomes a copy of another story
                story = rng.randrange(60) if change == "copy" else int(name[2:5]) // 3
                write(root / name, story_record(rng, 2000 + rng.randrange(999), story, pool))
        incremental = load_corpus(root, cache_dir=cache_dir)
        wait_for_writes()
        assert_same(incremental, load_corpus(root, cache=False))


def plain(title: str, url: str, provider: str, day: int, **fields: str) -> str:
    name = provider.capitalize()
    return record(
        title=f'"{title}"',
        originalUrl=f'"{url}"',
        webUrl=f'"{url}"',
        provider=f'{{name: "{name}", domain: "{provider}.example"}}',
        publishedDateTime=f"2021-05-{day:02}T10:00:00Z",
        **fields,
    )


TAIL = "and the rest of the wire text runs on well past sixty four bytes of words"


@pytest.mark.parametrize(
    "case",
    [
        "remove_the_related_link",  # A lists B's address: without A, B parts from A's copies
        "earlier_excerpt_copy",  # a new copy with the same excerpt, published first
        "new_outlet_name",  # a new provider's name is cut from a title that ends with it
    ],
)
def test_regrouping_follows_related_links_excerpts_and_outlet_names(tmp_path, regrouped, case):
    root, cache_dir = tmp_path / "corpus", tmp_path / "cache"
    b_url = "https://b.example/b"
    related = f'\n  - title: "Alpha beta gamma delta"\n    webUrl: "{b_url}"'
    files = {
        "a.md": plain("Alpha beta gamma delta", "https://a.example/a", "a", 2, related=related),
        "b.md": plain("Alpha beta gamma delta epsilon", b_url, "b", 2),
        "d.md": plain("Alpha beta gamma delta", "https://d.example/d", "d", 2),
        "e1.md": plain("Red fox jumps today", "https://e.example/1", "e", 9, excerpt=f'"E {TAIL}"'),
        "e2.md": plain(
            "Red fox jumps today again", "https://g.example/", "g", 9, excerpt=f'"{TAIL}"'
        ),
        "m1.md": plain("Gamma ray burst seen - Metro", "https://x.example/1", "x", 5),
        "m2.md": plain("Gamma ray burst seen", "https://y.example/2", "y", 5),
    }
    for n in range(30):  # articles no change touches
        files[f"z/{n:02}.md"] = plain(f"Filler {n} words", f"https://f.example/{n}", "f", 3)
    for name, text in files.items():
        write(root / name, text)
    load_corpus(root, cache_dir=cache_dir)
    wait_for_writes()
    if case == "remove_the_related_link":
        (root / "a.md").unlink()
    elif case == "earlier_excerpt_copy":
        excerpt = f'"N {TAIL}"'
        write(root / "n.md", plain("Red fox jumps", "https://h.example/n", "h", 8, excerpt=excerpt))
    else:
        write(root / "m3.md", plain("Something else", "https://metro.example/3", "metro", 7))
    incremental = load_corpus(root, cache_dir=cache_dir)
    assert_same(incremental, load_corpus(root, cache=False))
    [(part, total)] = regrouped
    assert part is not None and part < total / 2
