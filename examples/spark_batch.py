"""Score a chat archive on Spark: read JSON Lines or Parquet, add the verdict columns, write
Parquet, print the counts by action and category.

Run (local mode, every core):  python examples/spark_batch.py in.jsonl out.parquet
On a cluster:                   spark-submit ... examples/spark_batch.py in.parquet out.parquet
See docs/spark.md. Needs the spark extra (pip install "fraudrules[spark]") and Java.
"""

from __future__ import annotations

import argparse
import os
import sys

from pyspark.sql import SparkSession

from fraudrules.spark import score_conversations, score_dataframe


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", help="a .jsonl/.json file or folder, or Parquet")
    parser.add_argument("output", help="Parquet folder to write (replaced if it exists)")
    parser.add_argument("--text-col", default="text")
    parser.add_argument("--rules", action="append", default=None, metavar="PATH",
                        help="extra pack file or folder on the driver (repeatable)")
    parser.add_argument("--packs", nargs="+", default=None, metavar="NAME",
                        help="bundled packs to use (default: all)")
    parser.add_argument("--explain", action="store_true", help="add the fr_matches column")
    parser.add_argument("--chat-col", default=None,
                        help="score each chat in time order (needs --time-col)")
    parser.add_argument("--time-col", default="timestamp")
    parser.add_argument("--sender-col", default=None)
    parser.add_argument("--master", default=None,
                        help="Spark master (default: spark-submit's, else local[*])")
    args = parser.parse_args()

    # Local runs: the Python workers use this interpreter (the one with fraudrules installed).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (SparkSession.builder.appName("fraudrules-batch")
               .config("spark.ui.showConsoleProgress", "false"))
    if args.master:
        builder = builder.master(args.master)
    elif "PYSPARK_GATEWAY_PORT" not in os.environ:  # not under spark-submit: run locally
        builder = builder.master("local[*]")
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")

    path = args.input
    if path.endswith((".jsonl", ".json", ".ndjson")):
        df = spark.read.json(path)
    else:
        df = spark.read.parquet(path)

    if args.chat_col:
        scored = score_conversations(df, args.text_col, args.chat_col, args.time_col,
                                     sender_col=args.sender_col, rules=args.rules,
                                     packs=args.packs, explain=args.explain)
    else:
        scored = score_dataframe(df, args.text_col, rules=args.rules, packs=args.packs,
                                 explain=args.explain)
    scored.write.mode("overwrite").parquet(args.output)

    # Count from the written file: the scoring ran once, for the write.
    counts = (spark.read.parquet(args.output).groupBy("fr_action", "fr_category").count()
              .orderBy("fr_action", "fr_category").collect())
    total = sum(row["count"] for row in counts)
    print(f"{total} messages scored -> {args.output}")
    for row in counts:
        print(f"{row.fr_action:7} {row.fr_category or '-':24} {row['count']}")
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
