"""Run the speed benchmarks and write ``benchmarks/results.md``.

    .venv/bin/python -m benchmarks.run            # full run (a few minutes on 2 cores)
    .venv/bin/python -m benchmarks.run --quick    # smoke test: a few hundred messages, 1 rep

Every contender scans the same seeded messages in one process; repetitions are interleaved
(contender A, B, C, then A, B, C again) so that a busy machine slows all of them alike, and
each figure is the median over the repetitions. Compile time and memory are measured in a fresh
subprocess per ruleset and backend.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import importlib.metadata
import json
import os
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick
import regex

import fraudrules
from fraudrules import automaton
from fraudrules.normalize import normalize

from . import synthetic, traffic

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


@dataclass
class Settings:
    messages: int = 100_000
    parallel_messages: int = 200_000
    reps: int = 5
    rules: int = 10_000
    terms: int = 20_000
    latency_calls: int = 20_000
    regex_messages: int = 5_000  # the regex alternation is ~100x slower: a prefix of the messages
    detail_reps: int = 3  # score_many and the stage split
    stage_messages: int = 20_000
    latency_length: int = 200
    seed: int = 2026
    quick: bool = False
    command: str = ""


QUICK = Settings(messages=300, parallel_messages=400, reps=1, rules=200, terms=400,
                 latency_calls=200, regex_messages=300, detail_reps=1, stage_messages=300,
                 quick=True)


@dataclass
class Row:
    name: str
    baseline: str  # the raw-scan row this one is compared with
    times: list[float] = field(default_factory=list)

    def median(self) -> float:
        return statistics.median(self.times)


# --- helpers ------------------------------------------------------------------------------------


@contextmanager
def backend_env(name: str) -> Iterator[None]:
    """Force a matcher backend for everything built inside the block."""
    old = os.environ.get(automaton.ENV_VAR)
    os.environ[automaton.ENV_VAR] = name
    try:
        yield
    finally:
        if old is None:
            del os.environ[automaton.ENV_VAR]
        else:
            os.environ[automaton.ENV_VAR] = old


def version_of(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def has_flashtext() -> bool:
    return version_of("flashtext") != "not installed"


def timed(function: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def fmt_rate(value: float) -> str:
    return f"{value:,.0f}"


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(str(c) for c in row) + " |" for row in rows)
    return "\n".join(lines)


FLOOR = "normalize + scan only"

# --- contenders ---------------------------------------------------------------------------------


def raw_pyahocorasick(terms: Sequence[str]) -> Callable[[list[str]], int]:
    auto = ahocorasick.Automaton()
    for index, term in enumerate(terms):
        auto.add_word(term, index)
    auto.make_automaton()
    scan = auto.iter

    def run(texts: list[str]) -> int:
        count = 0
        for text in texts:
            for _hit in scan(text):
                count += 1
        return count

    return run


def raw_rs(terms: Sequence[str]) -> Callable[[list[str]], int]:
    import ahocorasick_rs

    find = ahocorasick_rs.AhoCorasick(list(terms)).find_matches_as_indexes

    def run(texts: list[str]) -> int:
        count = 0
        for text in texts:
            count += len(find(text, overlapping=True))
        return count

    return run


def flashtext_extract(terms: Sequence[str]) -> Callable[[list[str]], int]:
    from flashtext import KeywordProcessor  # type: ignore[import-untyped]

    processor = KeywordProcessor()
    processor.add_keywords_from_list(list(terms))
    extract = processor.extract_keywords

    def run(texts: list[str]) -> int:
        return sum(len(extract(text)) for text in texts)

    return run


def regex_alternation(terms: Sequence[str]) -> Callable[[list[str]], int]:
    ordered = sorted(terms, key=len, reverse=True)
    pattern = regex.compile("|".join(regex.escape(t) for t in ordered))
    finditer = pattern.finditer

    def run(texts: list[str]) -> int:
        count = 0
        for text in texts:
            for _match in finditer(text):
                count += 1
        return count

    return run


def normalize_scan(classifier: fraudrules.Classifier) -> Callable[[list[str]], int]:
    """The first two stages of ``score()`` and nothing else: what any ``score()`` built on this
    normalizer and automaton costs before it looks at a single rule."""
    find = classifier.ruleset.find

    def run(texts: list[str]) -> int:
        count = 0
        for text in texts:
            count += len(find(normalize(text).text))
        return count

    return run


def score_all(classifier: fraudrules.Classifier) -> Callable[[list[str]], int]:
    score = classifier.score

    def run(texts: list[str]) -> int:
        count = 0
        for text in texts:
            if score(text).matches:
                count += 1
        return count

    return run


# --- sections -----------------------------------------------------------------------------------


def throughput(settings: Settings, texts: list[str], classifiers: dict[str, fraudrules.Classifier],
               synthetic_classifiers: dict[str, fraudrules.Classifier]) -> dict[str, object]:
    bundled_terms = next(iter(classifiers.values())).ruleset.terms
    synth_terms = next(iter(synthetic_classifiers.values())).ruleset.terms
    contenders: list[tuple[Row, Callable[[list[str]], int]]] = []
    base, synth_base = "raw pyahocorasick", f"raw pyahocorasick ({len(synth_terms):,} terms)"
    contenders.append((Row(base, base), raw_pyahocorasick(bundled_terms)))
    if "ahocorasick_rs" in classifiers:
        contenders.append((Row("raw ahocorasick-rs", base), raw_rs(bundled_terms)))
    if has_flashtext():
        contenders.append((Row("flashtext extract_keywords", base),
                           flashtext_extract(bundled_terms)))
    regex_row = Row(f"regex alternation finditer (first {settings.regex_messages:,} messages)",
                    base)
    contenders.append((regex_row, regex_alternation(bundled_terms)))
    for name, classifier in classifiers.items():
        contenders.append((Row(f"{FLOOR} bundled [{name}]", base), normalize_scan(classifier)))
        contenders.append((Row(f"fraudrules score() bundled [{name}]", base),
                           score_all(classifier)))
    contenders.append((Row(synth_base, synth_base), raw_pyahocorasick(synth_terms)))
    for name, classifier in synthetic_classifiers.items():
        contenders.append((Row(f"{FLOOR} {settings.rules:,} rules [{name}]", synth_base),
                           normalize_scan(classifier)))
        contenders.append((Row(f"fraudrules score() {settings.rules:,} rules [{name}]",
                               synth_base), score_all(classifier)))
    counts: dict[str, int] = {}
    for run_contender in (c for _, c in contenders):  # warm-up: caches, tables, branch history
        run_contender(texts[:200])
    for _ in range(settings.reps):
        for row, run_contender in contenders:
            start_count: list[int] = []
            batch = texts[:settings.regex_messages] if row is regex_row else texts
            seconds = timed(lambda r=run_contender, s=start_count, b=batch: s.append(r(b)))
            row.times.append(seconds * len(texts) / len(batch))  # scaled to the full set
            counts[row.name] = start_count[0]
    megabytes = sum(len(t.encode("utf-8", "surrogatepass")) for t in texts) / 1e6
    medians = {row.name: row.median() for row, _ in contenders}
    rows = []
    result: dict[str, dict[str, float]] = {}
    for row, _ in contenders:
        rate = len(texts) / medians[row.name]
        ratio = medians[row.baseline] / medians[row.name]
        result[row.name] = {"msg_s": rate, "mb_s": megabytes / medians[row.name], "ratio": ratio}
        spread = f"{min(row.times) * 1e3:,.0f}–{max(row.times) * 1e3:,.0f}"
        rows.append((row.name, fmt_rate(rate), f"{megabytes / medians[row.name]:.2f}",
                     f"{ratio:.2f}", row.baseline, f"{counts[row.name]:,}", spread))
    text = table(("contender", "msg/s (median)", "MB/s", "× raw scan", "raw scan compared with",
                  "hits / messages flagged", "run time min–max (ms)"), rows)
    return {"table": text, "rows": result, "megabytes": megabytes}


def parallel(settings: Settings, classifier: fraudrules.Classifier,
             texts: list[str]) -> dict[str, object]:
    times: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(settings.detail_reps):
        for workers in (1, 2):
            times[workers].append(timed(
                lambda w=workers: sum(1 for _ in classifier.score_many(texts, workers=w))))
    one, two = statistics.median(times[1]), statistics.median(times[2])
    rows = [(f"score_many(workers={w})", fmt_rate(len(texts) / statistics.median(times[w])),
             f"{statistics.median(times[w]):.2f}") for w in (1, 2)]
    return {"table": table(("call", "msg/s (median)", "seconds (median)"), rows),
            "ratio": one / two}


def latency(settings: Settings, classifiers: dict[str, fraudrules.Classifier]) -> dict[str, object]:
    texts = traffic.long_messages(settings.latency_calls, settings.latency_length,
                                  seed=settings.seed + 1)
    rows = []
    result: dict[str, float] = {}
    for name, classifier in classifiers.items():
        score = classifier.score
        for text in texts[:200]:
            score(text)
        samples: list[int] = []
        clock = time.perf_counter_ns
        for text in texts:
            start = clock()
            score(text)
            samples.append(clock() - start)
        samples.sort()
        p50 = samples[len(samples) // 2] / 1e3
        p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))] / 1e3
        result[name] = p99
        rows.append((name, f"{p50:.1f}", f"{p99:.1f}", f"{samples[-1] / 1e3:.0f}"))
    header = ("backend", "p50 µs", "p99 µs", "max µs")
    return {"table": table(header, rows), "p99": result}


def stages(settings: Settings, classifier: fraudrules.Classifier,
           messages: list[traffic.Message]) -> str:
    """Time the stages of ``score()`` cumulatively: normalize; + automaton scan; + choosing
    candidate rules from the scan; + term hits and evaluating the candidates; the whole
    ``score()``. The differences are the shares of each stage (the replay uses the Ruleset's
    own methods, as ``score()`` does)."""
    ruleset = classifier.ruleset
    timeout = classifier.regex_timeout
    rules = ruleset.rules

    def upto(stage: int, texts: list[str]) -> None:
        for text in texts:
            normalized = normalize(text)
            if stage == 1:
                continue
            found = ruleset.find(normalized.text)
            if stage == 2:
                continue
            candidates = ruleset.candidates(found)
            if stage == 3 or not candidates:
                continue
            state = ruleset.state(normalized.text, ruleset.hits(normalized, found), timeout)
            for index in candidates:
                rules[index].node.evaluate(state, 1)  # as score() asks

    rows = []
    for label, subset in (("clean", [m.text for m in messages if m.label == "clean"]),
                          ("scam", [m.text for m in messages if m.label == "scam"])):
        if not subset:
            continue
        score = classifier.score
        runs: dict[str, list[float]] = {k: [] for k in "nscev"}
        for _ in range(settings.detail_reps):
            for stage, key in enumerate("nsce", start=1):
                runs[key].append(timed(lambda s=subset, k=stage: upto(k, s)))
            runs["v"].append(timed(lambda s=subset, f=score: [f(t) for t in s]))
        n, s, c, e, v = (statistics.median(runs[k]) * 1e6 / len(subset) for k in "nscev")
        parts = {"normalize": n, "scan": s - n, "candidates": c - s, "evaluate": e - c,
                 "verdict + overhead": v - e}
        rows.append((label, f"{len(subset):,}", f"{v:.2f}",
                     *(f"{max(p, 0.0):.2f} ({max(p, 0.0) / v:.0%})" for p in parts.values())))
    return table(("messages", "count", "score() µs/msg", "normalize µs", "scan µs",
                  "candidates µs", "evaluate µs", "verdict + overhead µs"), rows)


def profile_top(classifier: fraudrules.Classifier, texts: list[str], limit: int = 12) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for text in texts:
        classifier.score(text)
    profiler.disable()
    stats = pstats.Stats(profiler)
    entries = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)  # type: ignore[attr-defined]
    rows = []
    for (filename, line, function), (_cc, calls, tottime, cumtime, _callers) in entries[:limit]:
        where = f"{Path(filename).name}:{line}({function})"
        rows.append((where, f"{calls:,}", f"{tottime * 1e6 / len(texts):.2f}",
                     f"{cumtime * 1e6 / len(texts):.2f}"))
    return table(("function", "calls", "own µs/msg", "cumulative µs/msg"), rows)


def compile_child(packs: str, backend: str) -> dict[str, float]:
    """In a fresh process: RSS and time for the fold table, then for loading the packs."""
    rss = _peak_rss_mb
    base = rss()
    start = time.perf_counter()
    normalize("预热")
    fold_s, fold_mb = time.perf_counter() - start, rss() - base
    before = rss()
    with backend_env(backend):
        start = time.perf_counter()
        if packs == "bundled":
            classifier = fraudrules.load()
        else:
            classifier = fraudrules.load(sorted(Path(packs).glob("*.yaml")), packs=[])
        seconds = time.perf_counter() - start
    return {"fold_s": fold_s, "fold_mb": fold_mb, "compile_s": seconds,
            "compile_mb": rss() - before, "rules": len(classifier.ruleset.rules),
            "terms": len(classifier.ruleset.terms), "backend": classifier.ruleset.backend,
            "rss_mb": rss()}


def _peak_rss_mb() -> float:
    """Peak RSS of this process in MB. On Linux ``ru_maxrss`` carries the parent's peak across
    fork + exec, so the per-address-space ``VmHWM`` is read when /proc has it."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def compile_costs(backends: Sequence[str], synth_dir: str,
                  settings: Settings) -> dict[str, object]:
    rows = []
    result: dict[tuple[str, str], dict[str, float]] = {}
    for label, packs in (("bundled", "bundled"), (f"{settings.rules:,} rules", synth_dir)):
        for backend in backends:
            output = subprocess.run(
                [sys.executable, "-m", "benchmarks.run", "--child-compile", packs, backend],
                cwd=ROOT, check=True, capture_output=True, text=True).stdout
            data = json.loads(output.strip().splitlines()[-1])
            result[(label, backend)] = data
            rows.append((label, backend, f"{data['rules']:,}", f"{data['terms']:,}",
                         f"{data['compile_s']:.2f}", f"{data['compile_mb']:.1f}",
                         f"{data['fold_s']:.2f}", f"{data['fold_mb']:.1f}",
                         f"{data['rss_mb']:.0f}"))
    header = ("ruleset", "backend", "rules", "terms", "load+compile s", "peak RSS Δ MB",
              "fold table s (once)", "fold table MB", "process peak RSS MB")
    return {"table": table(header, rows), "data": result}


# --- report -------------------------------------------------------------------------------------


def machine() -> str:
    try:
        load = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except OSError:
        load = "n/a"
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    rows = [("platform", platform.platform()), ("CPU", model),
            ("CPU count", os.cpu_count()), ("Python", sys.version.split()[0] + " " +
                                             platform.python_implementation()),
            ("load average at start", load)]
    rows.extend((f"{name} version", version_of(name))
                for name in ("pyahocorasick", "ahocorasick-rs", "flashtext", "regex", "PyYAML"))
    return table(("", ""), rows)


def verdict(ok: bool) -> str:
    return "**pass**" if ok else "**FAIL**"


def targets(settings: Settings, tp: dict[str, object], comp: dict[str, object],
            lat: dict[str, object], *, par_ratio: float, backends: Sequence[str]) -> str:
    rows_data: dict[str, dict[str, float]] = tp["rows"]  # type: ignore[assignment]
    comp_data: dict[tuple[str, str], dict[str, float]] = comp["data"]  # type: ignore[assignment]
    p99: dict[str, float] = lat["p99"]  # type: ignore[assignment]
    flash = rows_data.get("flashtext extract_keywords")
    synth = f"{settings.rules:,} rules"
    rows = []
    for backend in backends:
        bundled = rows_data[f"fraudrules score() bundled [{backend}]"]
        big = rows_data[f"fraudrules score() {synth} [{backend}]"]
        floor = rows_data[f"{FLOOR} bundled [{backend}]"]
        big_floor = rows_data[f"{FLOOR} {synth} [{backend}]"]
        compiled = comp_data[(synth, backend)]
        rows.extend([
            (backend, "bundled score() ≥ 100,000 msg/s (one core)",
             f"{fmt_rate(bundled['msg_s'])} (normalize + scan alone: "
             f"{fmt_rate(floor['msg_s'])})", verdict(bundled["msg_s"] >= 100_000)),
            (backend, "bundled score() ≥ 0.35 × raw pyahocorasick scan",
             f"{bundled['ratio']:.2f}", verdict(bundled["ratio"] >= 0.35)),
            (backend, "bundled score() faster than flashtext",
             "n/a" if flash is None else f"{bundled['msg_s'] / flash['msg_s']:.2f}×",
             "n/a" if flash is None else verdict(bundled["msg_s"] > flash["msg_s"])),
            (backend, f"{synth}: compile ≤ 2 s", f"{compiled['compile_s']:.2f} s",
             verdict(compiled["compile_s"] <= 2.0)),
            (backend, f"{synth}: memory ≤ 150 MB",
             f"{compiled['compile_mb']:.0f} MB (+{compiled['fold_mb']:.0f} MB fold table)",
             verdict(compiled["compile_mb"] + compiled["fold_mb"] <= 150)),
            (backend, f"{synth}: score() ≥ 40,000 msg/s",
             f"{fmt_rate(big['msg_s'])} (normalize + scan alone: "
             f"{fmt_rate(big_floor['msg_s'])})", verdict(big["msg_s"] >= 40_000)),
            (backend, f"p99 of one score() on {settings.latency_length} chars ≤ 200 µs",
             f"{p99[backend]:.0f} µs", verdict(p99[backend] <= 200)),
        ])
    rows.append((f"auto ({backends[0]})", "score_many(workers=2) ≥ 1.7 × one worker",
                 f"{par_ratio:.2f}×", verdict(par_ratio >= 1.7)))
    return table(("backend", "target", "measured", "result"), rows)


def run(settings: Settings, out: Path) -> str:
    started = time.perf_counter()
    backends = list(automaton.available_backends())
    messages = traffic.generate(settings.messages, seed=settings.seed)
    texts = [m.text for m in messages]
    classifiers: dict[str, fraudrules.Classifier] = {}
    for backend in backends:
        with backend_env(backend):
            classifiers[backend] = fraudrules.load()
    with tempfile.TemporaryDirectory(prefix="fraudrules-bench-") as folder:
        paths = synthetic.write_packs(folder, rules=settings.rules, terms=settings.terms,
                                      seed=settings.seed)
        synthetic_classifiers: dict[str, fraudrules.Classifier] = {}
        for backend in backends:
            with backend_env(backend):
                synthetic_classifiers[backend] = fraudrules.load(paths, packs=[])
        comp = compile_costs(backends, folder, settings)
    tp = throughput(settings, texts, classifiers, synthetic_classifiers)
    lat = latency(settings, classifiers)
    stage_sample = messages[:settings.stage_messages]
    stage_tables = {name: stages(settings, c, stage_sample) for name, c in classifiers.items()}
    scam = [m.text for m in messages if m.label == "scam"]
    clean = [m.text for m in messages if m.label == "clean"]
    fastest = classifiers[backends[0]]
    profiles = {"clean": profile_top(fastest, clean[:20_000]),
                "scam": profile_top(fastest, scam[:3_000])}
    parallel_texts = [m.text for m in traffic.generate(settings.parallel_messages,
                                                       seed=settings.seed + 2)]
    par = parallel(settings, fastest, parallel_texts)
    lengths = [len(t) for t in texts]
    flagged_share = sum(1 for t in texts if fastest.score(t).matches) / len(texts)

    parts = [
        "# fraudrules benchmarks",
        "",
        "Written by `benchmarks/run.py`; do not edit by hand.",
        "",
        "## Command",
        "",
        f"```\n{settings.command}\n```",
        "",
        f"Total run time {time.perf_counter() - started:,.0f} s."
        + (" **Quick mode: figures are not meaningful.**" if settings.quick else ""),
        "",
        "## Machine",
        "",
        machine(),
        "",
        "## Traffic",
        "",
        f"{len(texts):,} messages from `benchmarks/traffic.py` (seed {settings.seed}): median "
        f"length {statistics.median(lengths):.0f} characters, mean {statistics.mean(lengths):.1f},"
        f" {tp['megabytes']:.2f} MB of UTF-8; {len(scam):,} scam-like "
        f"({len(scam) / len(texts):.1%}). The bundled packs fire at least one rule on "
        f"{flagged_share:.1%} of them.",
        "",
        "## Throughput (one process, one core, same messages for every contender)",
        "",
        f"Median of {settings.reps} interleaved repetitions. Raw scans and flashtext/regex use "
        "the ruleset's normalized terms on the raw messages; `score()` normalizes, scans, "
        "evaluates and builds the verdict. flashtext and the regex alternation report "
        "non-overlapping matches only, so they do less work than an overlapping scan. "
        f"The regex alternation is timed on the first {settings.regex_messages:,} messages "
        "only (a full pass takes minutes) and its rate is per message of that prefix. "
        "\"hits / messages flagged\": hits for the raw matchers, messages with at least one "
        f"fired rule for `score()`. \"{FLOOR}\" runs `score()`'s first two stages (the "
        "normalizer and `Ruleset.find`) and no rule work: no `score()` on this normalizer and "
        "automaton can be faster.",
        "",
        str(tp["table"]),
        "",
        f"## score_many on {len(parallel_texts):,} messages ({backends[0]})",
        "",
        f"Median of {settings.detail_reps} interleaved runs; the pool start-up is included.",
        "",
        str(par["table"]),
        "",
        f"2 workers / 1 worker: **{par['ratio']:.2f}×** (machine has {os.cpu_count()} CPUs).",
        "",
        "## Compile time and memory (fresh subprocess each)",
        "",
        "`load+compile` is `fraudrules.load()` (YAML parsing, term normalization, automaton "
        "build); the fold table is built once per process on first use and measured separately "
        "before it. Memory is the growth of peak RSS (`VmHWM` from /proc, which unlike "
        "`ru_maxrss` does not inherit the parent's peak across fork + exec).",
        "",
        str(comp["table"]),
        "",
        f"## Latency of one score() on {settings.latency_length}-character messages",
        "",
        f"{settings.latency_calls:,} calls, `time.perf_counter_ns` around each.",
        "",
        str(lat["table"]),
        "",
        "## Where the time goes",
        "",
        f"First {len(stage_sample):,} messages, median of {settings.detail_reps} runs. "
        "Cumulative timing: normalize only; + the automaton scan (`ruleset.find`); + choosing "
        "candidate rules (`ruleset.candidates`); + term hits and evaluating the candidates; "
        "the full `score()` (matches mapped to the original text, the verdict). Differences "
        "are the stage costs.",
        "",
    ]
    for name, stage_table in stage_tables.items():
        parts += [f"### {name}", "", stage_table, ""]
    parts += [f"### cProfile, {backends[0]} (profiler overhead inflates small functions)", "",
              "Clean messages:", "", profiles["clean"], "", "Scam messages:", "",
              profiles["scam"], ""]
    parts += ["## Targets (issue 5)", "",
              targets(settings, tp, comp, lat, par_ratio=float(par["ratio"]),
                      backends=backends), ""]
    if len(backends) > 1:
        py = tp["rows"]["fraudrules score() bundled [pyahocorasick]"]  # type: ignore[index]
        fast = tp["rows"][f"fraudrules score() bundled [{backends[0]}]"]  # type: ignore[index]
        parts += [f"pyahocorasick next to {backends[0]}: bundled `score()` "
                  f"{fmt_rate(py['msg_s'])} vs {fmt_rate(fast['msg_s'])} msg/s.", ""]
    report = "\n".join(parts)
    out.write_text(report, encoding="utf-8")
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a few hundred messages, 1 rep")
    parser.add_argument("--messages", type=int, help="messages for the throughput table")
    parser.add_argument("--reps", type=int, help="repetitions (median is reported)")
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    parser.add_argument("--child-compile", nargs=2, metavar=("PACKS", "BACKEND"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_compile:
        print(json.dumps(compile_child(*args.child_compile)))
        return 0
    settings = Settings(**vars(QUICK)) if args.quick else Settings()
    if args.messages:
        settings.messages = args.messages
    if args.reps:
        settings.reps = args.reps
    settings.command = " ".join(["python -m benchmarks.run", *(argv if argv is not None
                                                                 else sys.argv[1:])])
    report = run(settings, args.out)
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
