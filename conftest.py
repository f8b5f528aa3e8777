"""Doctests of the optional modules run only when their extras are installed."""

from __future__ import annotations

import importlib.util

collect_ignore = [
    path
    for path, module in (("fraudrules/server.py", "fastapi"), ("fraudrules/spark.py", "pyspark"))
    if importlib.util.find_spec(module) is None
]
