"""Compare ``score()`` of a git revision with the working tree, in one process.

    python -m benchmarks.compare REV [--messages 20000] [--reps 3] [--long]

On a shared machine whole runs drift by up to 2x from one minute to the next, which hides a
5 % change. Here both versions are imported side by side (the revision's package is extracted
under another name; its imports are relative), the same messages are scored in chunks of 500,
and the order of the two alternates per chunk, so that a slow spell slows both alike. Before
timing, the first 300 messages must give equal verdicts. ``--long`` scores 200-character
messages and reports latency percentiles instead.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import fraudrules

from . import traffic

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 500


def import_revision(revision: str, folder: Path) -> ModuleType:
    """The package (and packs) as of ``revision``, importable as ``fraudrules_rev``."""
    archive = subprocess.run(["git", "archive", revision, "fraudrules", "rules"], cwd=ROOT,
                             check=True, capture_output=True).stdout
    archive_path = folder / "rev.tar"
    archive_path.write_bytes(archive)
    with tarfile.open(archive_path) as tar:
        tar.extractall(folder, filter="data")
    (folder / "fraudrules").rename(folder / "fraudrules_rev")
    sys.path.insert(0, str(folder))
    return importlib.import_module("fraudrules_rev")


def throughput(old: Callable[[str], object], new: Callable[[str], object], texts: list[str],
               reps: int) -> str:
    chunks = [texts[i:i + CHUNK] for i in range(0, len(texts), CHUNK)]
    totals = {"rev": 0.0, "tree": 0.0}
    ratios = []
    for rep in range(reps):
        for index, chunk in enumerate(chunks):
            order = [("rev", old), ("tree", new)]
            if (index + rep) % 2:
                order.reverse()
            seconds = {}
            for label, score in order:
                start = time.perf_counter()
                for text in chunk:
                    score(text)
                seconds[label] = time.perf_counter() - start
                totals[label] += seconds[label]
            ratios.append(seconds["rev"] / seconds["tree"])
    count = reps * len(texts)
    speedup = totals["rev"] / totals["tree"]
    return (f"revision {totals['rev'] / count * 1e6:.1f} µs/msg, working tree "
            f"{totals['tree'] / count * 1e6:.1f} µs/msg; speed-up {speedup:.3f} (total), "
            f"{statistics.median(ratios):.3f} (median of {len(ratios)} chunks)")


def latency(old: Callable[[str], object], new: Callable[[str], object], texts: list[str]) -> str:
    times: dict[str, list[float]] = {"rev": [], "tree": []}
    for index, text in enumerate(texts):
        order = [("rev", old), ("tree", new)] if index % 2 else [("tree", new), ("rev", old)]
        for label, score in order:
            start = time.perf_counter_ns()
            score(text)
            times[label].append((time.perf_counter_ns() - start) / 1000)
    lines = []
    for label, values in times.items():
        values.sort()
        p50, p90, p99 = (values[int(len(values) * q)] for q in (0.5, 0.9, 0.99))
        lines.append(f"{label}: p50 {p50:.0f} µs, p90 {p90:.0f} µs, p99 {p99:.0f} µs")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision", help="a git revision, e.g. HEAD~1")
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--long", action="store_true", help="200-character messages, latency")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="fraudrules-compare-") as folder:
        try:
            return _compare(args, import_revision(args.revision, Path(folder)))
        finally:
            if folder in sys.path:
                sys.path.remove(folder)
            for name in [n for n in sys.modules if n.partition(".")[0] == "fraudrules_rev"]:
                del sys.modules[name]


def _compare(args: argparse.Namespace, revision: ModuleType) -> int:
    old = revision.load()
    new = fraudrules.load()
    if args.long:
        texts = traffic.long_messages(args.messages // 4, 200, seed=2027)
    else:
        texts = [m.text for m in traffic.generate(args.messages)]
    for text in texts[:300]:
        if old.score(text).to_dict() != new.score(text).to_dict():
            print(f"verdicts differ on {text!r}", file=sys.stderr)
            return 1
    gc.collect()
    gc.freeze()  # the long-lived rulesets stay out of the collections the timing triggers
    try:
        if args.long:
            print(latency(old.score, new.score, texts))
        else:
            print(throughput(old.score, new.score, texts, args.reps))
    finally:
        gc.unfreeze()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
