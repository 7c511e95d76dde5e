"""What a report costs on a large corpus against the one-article seed corpus, side by side.

Renders every report (``newskit report``, in a fresh process each time) of the seed corpus and
of 100,000 generated records, alternately, and prints the median wall time of each, their ratio
against the target (a report of 100,000 records within 1.5x its time on one record), and the
median time of each notebook as the index gives it (``ReportResult.seconds``). The corpus cache
is warm, and each corpus has one untimed run first, so the timed runs start their notebooks
longest first as every later run does. The machine may be shared: compare the ratio, measured
in the same run. Not a test: it prints figures (a few minutes).

    python tests/bench/report_speed.py [N] [--runs R]     # default 100,000 records, 3 runs
    python tests/bench/report_speed.py FOLDER             # a corpus of your own
    python tests/bench/report_speed.py --out DIR          # reports and their cache in DIR
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from generate import generate

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUT = HERE / "out"
SEEDS = ROOT / "seeds"
#: A report of the large corpus may take this many times the seed corpus's.
TARGET = 1.5

_SECONDS = re.compile(
    r'<li><a href="([^"]+\.html)">.*?<span class="newskit-seconds">\(([\d.]+) s\)', re.DOTALL
)


def report(corpus: Path, out: Path, cache_dir: Path) -> tuple[float, dict[str, float]]:
    """Wall seconds of ``newskit report CORPUS --out OUT``, and each report's seconds."""
    newskit = Path(sys.executable).with_name("newskit")
    env = {**os.environ, "NEWSKIT_PROGRESS": "0", "NEWSKIT_CACHE_DIR": str(cache_dir)}
    began = time.perf_counter()
    subprocess.run(
        [str(newskit), "report", str(corpus), "--out", str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    seconds = time.perf_counter() - began
    index = (out / "index.html").read_text(encoding="utf-8")
    return seconds, {name: float(s) for name, s in _SECONDS.findall(index)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "corpus", nargs="?", default="100000", help="records to generate, or a folder"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--out", type=Path, default=OUT, help="where reports and their cache go (tests/bench/out)"
    )
    args = parser.parse_args()
    if Path(args.corpus).is_dir():
        large = Path(args.corpus).resolve()
        label = f"{large.name}"
    else:
        n = int(args.corpus)
        large = OUT / f"reports-{n}"
        label = f"{n:,} records"
        if not large.exists():
            print(f"generating {n:,} records into {large} ...", flush=True)
            generate(large, n)
    cache_dir = args.out / "cache-report-speed"
    outs = {"seed": args.out / "report-speed-seed", "large": args.out / "report-speed-large"}
    corpora = {"seed": SEEDS, "large": large}
    for name in corpora:  # untimed: warms the cache and gives the next runs their order
        report(corpora[name], outs[name], cache_dir)
    walls: dict[str, list[float]] = {"seed": [], "large": []}
    each: dict[str, dict[str, list[float]]] = {"seed": {}, "large": {}}
    for _ in range(args.runs):
        for name in corpora:
            seconds, per_report = report(corpora[name], outs[name], cache_dir)
            walls[name].append(seconds)
            for page, s in per_report.items():
                each[name].setdefault(page, []).append(s)

    seed, big = (statistics.median(walls[name]) for name in ("seed", "large"))
    ratio = big / seed
    print(
        f"newskit report, side by side: {os.cpu_count()} CPUs, medians of {args.runs} runs, "
        "each a fresh process, corpus cache warm"
    )
    print(f"  runs in seconds: seed {[round(s, 1) for s in walls['seed']]}")
    print(f"                   {label} {[round(s, 1) for s in walls['large']]}\n")
    print(f"  {'seed corpus (1 article)':<28} {seed:7.1f} s")
    print(
        f"  {label:<28} {big:7.1f} s   {ratio:.2f}x the seed   "
        f"target <= {TARGET}x: {'met' if ratio <= TARGET else 'NOT met'}\n"
    )
    print(f"  {'each report (median s)':<28} {'seed':>7} {label:>16}")
    for page in sorted(each["large"]):
        small = statistics.median(each["seed"].get(page, [0.0]))
        print(f"  {page:<28} {small:7.1f} {statistics.median(each['large'][page]):16.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
