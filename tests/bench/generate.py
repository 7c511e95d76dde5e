"""Write a deterministic corpus of synthetic news records shaped like the real ones.

The field mix, value sizes and missing fields follow the 192 real records of the powerapps
collection (every record has category, title, excerpt, publishedDateTime, originalUrl, type,
quality, heat, published, provider, topics and secured; ~97% have images, ~94% webUrl, ~7%
featuredContent, ~4% AMP URLs; ~30% CRLF line endings; microsoft.com for ~80%), plus a few
``related`` stories (as in the seed) and ~1% duplicated URLs. Nothing here reads ``../shared``.

Usage: ``python tests/bench/generate.py OUT_DIR N [--seed S]``.
"""

from __future__ import annotations

import argparse
import base64
import random
from pathlib import Path

WORDS = (  # noqa: SIM905 - a paragraph reads better than a 60-item list
    "power apps platform microsoft teams data automate flow canvas model driven portal "
    "release wave update preview business low code developer citizen builder integration "
    "dataverse connector licensing governance security admin center announcing new features "
    "customers partners enterprise digital transformation cloud azure dynamics analytics ai "
    "copilot virtual agents pages solution checker guest access enhancements productivity "
    "organisations compliance training employees process app makers community user group"
).split()
TOPICS = [
    "Teams integration",
    "Portals",
    "Model-driven apps",
    "Canvas apps",
    "AI Builder",
    "Common Data Service",
    "Power Automate",
    "Dataverse",
]
PROVIDERS = [
    ("Microsoft", "microsoft.com"),
    ("On MSFT", "onmsft.com"),
    ("Neowin", "neowin.net"),
    ("Electronic Design", "electronicdesign.com"),
    ("Digital Journal", "digitaljournal.com"),
    ("VentureBeat", "venturebeat.com"),
    ("GeekWire", "geekwire.com"),
    ("InfoWorld", "infoworld.com"),
    ("Thurrott", "thurrott.com"),
    ("The Hindu", "thehindu.com"),
    ("Business Insider", "businessinsider.com"),
    ("WinBuzzer", "winbuzzer.com"),
    ("Visual Studio Magazine", "visualstudiomagazine.com"),
    ("GitHub", "github.com"),
]


def sentence(rng: random.Random, low: int, high: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    text = " ".join(words)
    if rng.random() < 0.15:  # curly quotes and accents, as in the real titles
        text = text.replace(" ", "\u2019s ", 1) + " \u2014 caf\u00e9"
    return text[0].upper() + text[1:]


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def make_record(rng: random.Random, index: int, duplicate_of: str | None) -> str:
    title = sentence(rng, 4, 16)
    slug = "-".join(title.lower().split()[:8]).encode("ascii", "ignore").decode()
    name, domain = PROVIDERS[0] if rng.random() < 0.8 else rng.choice(PROVIDERS[1:])
    url = duplicate_of or f"https://www.{domain}/news/{2019 + index % 3}/{slug}-{index}"
    video = rng.random() < 0.06
    if video:
        url = duplicate_of or f"https://youtube.com/watch?v=v{index:08d}"
    quality = rng.randint(0, 400)
    when = (
        f"{2019 + rng.randint(0, 2)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        f"T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z"
    )
    lines = [
        "---",
        "category: news",
        f"title: {quoted(title)}",
        f"excerpt: {quoted(sentence(rng, 10, 50))}",
        f"publishedDateTime: {when}",
        f"originalUrl: {quoted(url)}",
    ]
    if rng.random() < 0.94:
        lines.append(f"webUrl: {quoted(url)}")
    if rng.random() < 0.04:
        lines.append(f"ampWebUrl: {quoted(url.replace('https://www.', 'https://amp.'))}")
        lines.append(
            f"cdnAmpWebUrl: {quoted(url.replace('https://', 'https://cdn.ampproject.org/c/s/'))}"
        )
    lines += [
        f"type: {'video' if video else 'article'}",
        f"quality: {quality}",
        f"heat: {quality}",
        f"published: {'true' if rng.random() < 0.7 else 'false'}",
        "",
    ]
    if video or rng.random() < 0.01:
        lines += [
            'featuredContent: "<iframe width=\\"800\\" height=\\"500\\" frameborder=\\"0\\" '
            f'src=\\"https://www.youtube.com/embed/v{index:08d}\\" allow=\\"autoplay\\" '
            'allowfullscreen></iframe>"',
            "",
        ]
    lines += ["provider:", f"  name: {name}", f"  domain: {domain}"]
    if rng.random() < 0.5:
        lines += [
            "  images:",
            f'    - url: "https://example.github.io/assets/images/organizations/{domain}-50x50.jpg"',
            "      width: 50",
            "      height: 50",
        ]
    lines += ["", "topics:", "  - Power Apps"]
    lines += [f"  - {topic}" for topic in rng.sample(TOPICS, rng.choice([0, 0, 0, 1, 1, 2]))]
    lines.append("")
    if rng.random() < 0.97:
        lines += [
            "images:",
            f'  - url: "https://{domain}/images/{index}/social-share-{rng.randint(0, 99)}.png"',
            f"    width: {rng.choice([1200, 1280, 1024, 800])}",
            f"    height: {rng.choice([630, 720, 675, 450])}",
            "    isCached: true",
            "",
        ]
    if rng.random() < 0.05:
        lines.append("related:")
        for k in range(rng.randint(1, 3)):
            other_name, other_domain = rng.choice(PROVIDERS)
            lines += [
                f"  - title: {quoted(sentence(rng, 4, 12))}",
                f"    excerpt: {quoted(sentence(rng, 10, 30))}",
                f"    publishedDateTime: {when}",
                f'    webUrl: "https://{other_domain}/story/{index}-{k}"',
                "    type: article",
                "    provider:",
                f"      name: {other_name}",
                f"      domain: {other_domain}",
                f"    quality: {rng.randint(0, 100)}",
            ]
        lines.append("")
    secret = base64.b64encode(rng.randbytes(rng.choice([300, 360, 420]))).decode()
    lines += [f'secured: "{secret};{base64.b64encode(rng.randbytes(16)).decode()}"', "---", ""]
    newline = "\r\n" if rng.random() < 0.3 else "\n"
    return newline.join(lines)


def generate(out: Path, n: int, *, seed: int = 0) -> list[Path]:
    """Write ``n`` records under ``out`` (in subfolders of 1,000 files); return their paths."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    paths, urls = [], []
    for index in range(n):
        duplicate_of = rng.choice(urls) if urls and rng.random() < 0.01 else None
        text = make_record(rng, index, duplicate_of)
        url = text.split("originalUrl: ", 1)[1].split("\n", 1)[0].strip().strip('"')
        urls.append(url)
        path = out / f"{index // 1000:03d}" / f"{index:06d}-article.md"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    generate(args.out, args.n, seed=args.seed)


if __name__ == "__main__":
    main()
