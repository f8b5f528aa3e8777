"""Spark batch scoring (``fraudrules.spark.score_dataframe`` in ``local[2]``) against
``Classifier.score_many(workers=2)`` on the same generated messages.

    .venv/bin/python -m benchmarks.spark_bench                 # 1,000,000 messages
    .venv/bin/python -m benchmarks.spark_bench --messages 200000

The messages (``benchmarks.traffic.generate``) are written to Parquet first (not timed); the
Spark run reads that Parquet, scores and writes to Spark's ``noop`` sink, so every row is
scored and nothing is written. A warm-up job on a few rows starts the JVM and compiles the
classifier in the Python workers beforehand; the first-job figure is reported separately.
Memory: peak RSS (VmHWM) of each Python worker and of the JVM, read from /proc.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pyspark.sql import SparkSession

import fraudrules
from fraudrules.spark import score_dataframe

from . import traffic


def _status(pid: int | str = "self") -> dict[str, int]:
    """VmRSS and VmHWM of a process, in MiB."""
    found: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) // 1024
    return found


def _probe(batches: Iterator[Any]) -> Iterator[Any]:
    import pandas as pd

    import fraudrules.spark as module

    for _ in batches:
        status = _status()
        yield pd.DataFrame({"pid": [os.getpid()], "rss": [status["VmRSS"]],
                            "hwm": [status["VmHWM"]], "cached": [len(module._CLASSIFIERS)]})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--files", type=int, default=8, help="Parquet files to split into")
    args = parser.parse_args()
    n = args.messages

    started = time.perf_counter()
    texts = [m.text for m in traffic.generate(n, seed=args.seed)]
    print(f"generated {n:,} messages in {time.perf_counter() - started:.1f} s", flush=True)
    classifier = fraudrules.load()

    started = time.perf_counter()
    library = Counter(v.action for v in classifier.score_many(texts, workers=2))
    library_s = time.perf_counter() - started
    print(f"score_many(workers=2): {library_s:.1f} s, {n / library_s:,.0f} rows/s", flush=True)

    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "messages"
        source.mkdir()
        step = -(-n // args.files)
        for index in range(args.files):
            chunk = texts[index * step:(index + 1) * step]
            pq.write_table(pa.table({"text": chunk}), source / f"part-{index:03d}.parquet")
        del texts

        os.environ["PYSPARK_PYTHON"] = sys.executable
        spark = (SparkSession.builder.master("local[2]").appName("fraudrules-bench")
                 .config("spark.ui.enabled", "false")
                 .config("spark.ui.showConsoleProgress", "false")
                 .config("spark.driver.memory", "2g")
                 .getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        df = spark.read.parquet(str(source))
        partitions = df.rdd.getNumPartitions()

        started = time.perf_counter()
        warm = spark.createDataFrame([(t,) for t in ["你好", "出租微信号"] * 50], "text string")
        score_dataframe(warm.repartition(2), classifier=classifier).write.format("noop") \
            .mode("overwrite").save()
        first_s = time.perf_counter() - started

        started = time.perf_counter()
        df.write.format("noop").mode("overwrite").save()
        read_s = time.perf_counter() - started

        scored = score_dataframe(df, classifier=classifier)
        started = time.perf_counter()
        scored.write.format("noop").mode("overwrite").save()
        spark_s = time.perf_counter() - started

        spark_actions = {row.fr_action: row["count"]
                         for row in scored.groupBy("fr_action").count().collect()}
        workers = spark.range(0, 2, numPartitions=2).mapInPandas(
            _probe, "pid long, rss long, hwm long, cached long").collect()
        jvm_pid = spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()  # type: ignore[union-attr]
        jvm = _status(jvm_pid)
        spark.stop()

    assert spark_actions == dict(library), (spark_actions, library)
    print(f"input partitions: {partitions}")
    print(f"first job (JVM warm, workers start and compile the packs, 100 rows): {first_s:.1f} s")
    print(f"Spark read only (noop sink): {read_s:.1f} s")
    print(f"Spark score_dataframe local[2]: {spark_s:.1f} s, {n / spark_s:,.0f} rows/s")
    print(f"overhead ratio (Spark / score_many): {spark_s / library_s:.2f}")
    for row in workers:
        print(f"python worker pid {row.pid}: RSS {row.rss} MiB, peak {row.hwm} MiB, "
              f"cached classifiers {row.cached}")
    print(f"JVM (driver + executor in local mode): RSS {jvm['VmRSS']} MiB, "
          f"peak {jvm['VmHWM']} MiB")
    print(f"actions: {dict(sorted(library.items()))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
