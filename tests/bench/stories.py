"""Stories: grouping quality on a labelled corpus with known copies, and the cost at scale.

    .venv/bin/python tests/bench/stories.py [--articles 100000] [--quality-stories 4000]

Generates articles tables (no files: the rules work on the tables) shaped like syndicated
news: stories with a Zipf vocabulary, copies by other outlets a few hours later with outlet
decorations (`` - Yahoo``, `` | The Star``), case and quote changes, dropped words, trimmed
titles, ``Opinion |`` prefixes and excerpts prefixed with the source, plus series issues (same
title, another month, same day and provider) and templates with another subject, which must
stay apart. Prints the pairwise precision and recall of :func:`newskit.stories.build_stories`
and its time on ``--articles`` articles with and without the near-duplicate rule.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from newskit.stories import StoryOptions, _hours, _near_edges, build_stories, title_key  # noqa: E402

MONTHS = "January February March April May June July August September October November December"
SYLLABLES = list("klmnstrpvdzfghj")


def vocabulary(rng: np.random.Generator, size: int = 6000) -> tuple[np.ndarray, np.ndarray]:
    words = set()
    while len(words) < size:
        syllables = rng.choice(SYLLABLES, size=rng.integers(2, 4))
        words.add("".join(c + rng.choice(list("aeiou")) for c in syllables))
    words = np.array(sorted(words))
    rng.shuffle(words)
    weights = 1 / np.arange(1, size + 1) ** 1.05
    return words, weights / weights.sum()


def outlets(n: int) -> list[tuple[str, str]]:
    return [(f"Outlet {i} News", f"outlet{i}.com") for i in range(n)]


def decorate(rng, title: str, name: str) -> tuple[str, bool]:
    """A copy's title, and whether it still carries every word (for the labels' sake)."""
    kind = rng.choice(["same", "suffix", "bar", "case", "quotes", "drop", "trim", "opinion"])
    if kind == "suffix":
        return f"{title} - {name}", True
    if kind == "bar":
        return f"{title} | {name}", True
    if kind == "case":
        return title.upper() if rng.random() < 0.5 else title.lower(), True
    if kind == "quotes":
        return title.replace("'", "’") + "!", True
    if kind == "drop":
        words = title.split()
        del words[rng.integers(1, len(words))]
        return " ".join(words), False
    if kind == "trim":
        words = title.split()
        return " ".join(words[: max(3, int(len(words) * 0.7))]) + "...", False
    if kind == "opinion":
        return f"Opinion | {title}", True
    return title, True


def make_articles(n_articles: int, seed: int = 7) -> pd.DataFrame:
    """About ``n_articles`` articles with a ``label`` column: the true story of each."""
    rng = np.random.default_rng(seed)
    words, weights = vocabulary(rng)
    names = outlets(400)
    start = pd.Timestamp("2019-01-01", tz="UTC").value / 3.6e12
    rows: list[dict] = []
    label = 0
    while len(rows) < n_articles:
        label += 1
        hour = start + rng.uniform(0, 3 * 365 * 24)
        size = rng.integers(6, 13)
        title = " ".join(rng.choice(words, size=size, p=weights)).capitalize()
        excerpt = " ".join(rng.choice(words, size=rng.integers(18, 30), p=weights))
        provider = rng.integers(len(names))
        special = rng.random()
        if special < 0.04:  # a series: the same title for another month, same day and provider
            for k, month in enumerate(rng.choice(MONTHS.split(), size=3, replace=False)):
                rows.append(
                    _row(
                        len(rows),
                        label + k,
                        f"{title} - {month} 2020",
                        excerpt,
                        hour,
                        names[provider],
                    )
                )
            label += 3
            continue
        if special < 0.08:  # a template with another subject
            for k in range(3):
                subject = " ".join(rng.choice(words, size=2))
                rows.append(
                    _row(
                        len(rows),
                        label + k,
                        f"How {subject} uses {title}",
                        excerpt if k == 0 else None,
                        hour,
                        names[provider],
                    )
                )
            label += 3
            continue
        rows.append(_row(len(rows), label, title, excerpt, hour, names[provider]))
        copies = 0 if rng.random() < 0.6 else rng.integers(1, 6)
        for _ in range(copies):
            other = names[rng.integers(len(names))]
            copy_title, _whole = decorate(rng, title, other[0])
            copy_excerpt = (
                None
                if rng.random() < 0.3
                else (
                    f"{names[provider][0].split()[0]} {excerpt}" if rng.random() < 0.3 else excerpt
                )
            )
            lag = min(rng.exponential(12), 60)
            rows.append(_row(len(rows), label, copy_title, copy_excerpt, hour + lag, other))
    frame = pd.DataFrame(rows[:n_articles])
    frame["published_at"] = pd.to_datetime(frame.pop("hours") * 3.6e12, utc=True)
    return frame.astype({c: "string" for c in frame.columns if c not in ("published_at", "label")})


def _row(i: int, label: int, title: str, excerpt, hour: float, outlet) -> dict:
    return {
        "article_id": f"{i:07d}.md",
        "label": label,
        "title": title,
        "excerpt": excerpt,
        "hours": hour,
        "web_url": f"https://{outlet[1]}/news/{i}",
        "provider_name": outlet[0],
        "provider_domain": outlet[1],
        "topics": [],
    }


def pairs(labels: pd.Series) -> int:
    sizes = labels.value_counts().to_numpy(dtype="int64")
    return int((sizes * (sizes - 1) // 2).sum())


def precision_recall(truth: pd.Series, found: pd.Series) -> tuple[float, float]:
    both = pairs(truth.astype(str) + "\0" + found.astype(str))
    predicted, true = pairs(found), pairs(truth)
    return both / predicted if predicted else 1.0, both / true if true else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--quality-articles", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    labelled = make_articles(args.quality_articles, seed=11)
    print(f"labelled corpus: {len(labelled):,} articles, {labelled.label.nunique():,} stories")
    for near in (False, True):
        found = build_stories(labelled, options=StoryOptions(near_duplicates=near)).story_id
        precision, recall = precision_recall(labelled["label"], found)
        rule = "all rules" if near else "exact rules only"
        print(
            f"  {rule:<17} pairwise precision {precision:.3f}, recall {recall:.3f} "
            "(targets 0.95 and 0.90)"
        )

    articles = make_articles(args.articles, seed=5)
    print(f"{len(articles):,} articles over three years:")
    for near in (False, True):
        times = []
        for _ in range(args.runs):
            began = time.perf_counter()
            build_stories(articles, options=StoryOptions(near_duplicates=near))
            times.append(time.perf_counter() - began)
        rule = "all rules" if near else "exact rules only"
        print(
            f"  build_stories, {rule:<17} median {np.median(times):.2f} s "
            f"({', '.join(f'{t:.2f}' for t in times)})"
        )
    keyed = [title_key(t) for t in articles["title"].astype(object)]
    keys = np.array([k for k, _ in keyed], dtype=object)
    cut = np.array([c for _, c in keyed], dtype=bool)
    from newskit.stories import title_markers

    markers = [title_markers(k) for k in keys]
    excerpts = [e if isinstance(e, str) else "" for e in articles["excerpt"].astype(object)]
    hours = _hours(articles["published_at"])
    times = []
    for _ in range(args.runs):
        began = time.perf_counter()
        _near_edges(keys, excerpts, markers, cut, hours, StoryOptions().resolved())
        times.append(time.perf_counter() - began)
    print(
        f"  the near-duplicate step alone (TF-IDF, {StoryOptions().window_days:g}-day "
        f"windows): median {np.median(times):.2f} s"
    )


if __name__ == "__main__":
    main()
