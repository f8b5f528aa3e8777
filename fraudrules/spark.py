"""Batch scoring on Spark: verdict columns for a DataFrame of chat messages.

Install the extra first: ``pip install "fraudrules[spark]"`` (pyspark, pandas, pyarrow; Spark
also needs a Java runtime). Nothing else in fraudrules imports this module, and pyspark and
pandas are imported only when a function here is called, so the core package never needs them.

* :func:`score_dataframe` adds ``fr_action``, ``fr_category``, ``fr_score``, ``fr_error`` (and
  ``fr_matches`` with ``explain=True``) to every row. Only the text column travels to Python,
  in Arrow batches (an iterator pandas UDF).
* :func:`score_conversations` groups the rows by chat, orders each chat by time and scores its
  messages in order with a :class:`~fraudrules.Conversation` (``groupBy().applyInPandas``):
  one row per message with its in-context verdict (``per="message"``, the default) or one row
  per chat with the conversation's verdict (``per="chat"``).

How the rules reach the executors: the driver builds the classifier (so a broken pack fails
the job before any task starts, with the usual :class:`~fraudrules.PackError`) and ships its
pack sources, ``(path, yaml_text)`` pairs read on the driver, in the function's closure. Each
Python worker process compiles them once with :func:`fraudrules.engine.load_sources` and keeps
the classifier in a module-level cache keyed by a hash of the sources and options; every later
batch and task in that process reuses it. Custom packs given as paths on the driver therefore
work on a cluster whose executors cannot see those paths.

Cells that cannot be scored (null, or a column that is not a string column) never fail the
job: they get ``fr_action = "allow"``, null ``fr_category`` and ``fr_score``, and ``fr_error``
saying why. ``fr_error`` also lists the rules that could not run on a scored message
(``Verdict.errors``, a regex timeout); ``fr_action`` is then the verdict's own.
"""

# No ``from __future__ import annotations``: pyspark reads the pandas UDF's type hints, which
# name pandas types that are imported inside the functions below.

import hashlib
import importlib
import json
import math
import numbers
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .engine import Classifier, load, load_sources

if TYPE_CHECKING:
    from pyspark.sql import DataFrame
    from pyspark.sql.types import DataType

__all__ = ["score_conversations", "score_dataframe"]

ACTION = "fr_action"
CATEGORY = "fr_category"
SCORE = "fr_score"
MATCHES = "fr_matches"
ERROR = "fr_error"
MESSAGES = "fr_messages"  # per-chat output only: how many rows the chat had

_EXTRA_HINT = 'fraudrules.spark needs the spark extra: pip install "fraudrules[spark]"'
_CACHE_SIZE = 8  # distinct rule sets one worker process keeps compiled


@dataclass(frozen=True, slots=True)
class _Job:
    """What a Python worker needs to build the classifier: sent with every task."""

    key: str
    sources: tuple[tuple[str, str], ...]
    options: dict[str, Any]


# One compiled classifier per rule set per Python worker process (see the module docstring).
_CLASSIFIERS: dict[str, Classifier] = {}


def _worker_classifier(job: _Job) -> Classifier:
    classifier = _CLASSIFIERS.get(job.key)
    if classifier is None:
        if len(_CLASSIFIERS) >= _CACHE_SIZE:
            _CLASSIFIERS.clear()
        classifier = load_sources(job.sources, **job.options)
        _CLASSIFIERS[job.key] = classifier
    return classifier


def _job(rules: Sequence[str | Path] | str | Path | None, packs: Sequence[str] | None,
         classifier: Classifier | None) -> _Job:
    if classifier is None:
        if isinstance(rules, str | Path):
            rules = [rules]
        classifier = load(rules, packs=packs)  # reads and checks the packs on the driver
    elif rules is not None or packs is not None:
        raise ValueError("pass either classifier= or rules=/packs=, not both")
    # A Classifier keeps the sources it was built from (that is how it pickles).
    sources = tuple((str(path), str(text)) for path, text in classifier._sources)
    options = dict(classifier._options)
    digest = hashlib.sha256(json.dumps([sources, options], sort_keys=True).encode())
    return _Job(digest.hexdigest(), sources, options)


def _require_extra() -> None:
    for name in ("pyspark", "pandas", "pyarrow"):
        try:
            importlib.import_module(name)
        except ImportError as e:
            raise ImportError(f"{_EXTRA_HINT} ({e})") from e


# --- per-cell helpers (run on the executors) -------------------------------------------------


def _cell_error(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "null text"
    if type(value).__name__ in ("NAType", "NaTType"):
        return "null text"
    return f"text is {type(value).__name__}, not str"


def _matches_json(verdict: Any) -> str:
    return json.dumps([m.to_dict() for m in verdict.matches], ensure_ascii=False)


class _Columns:
    """Output columns built row by row, then handed to pandas in one go."""

    def __init__(self, explain: bool) -> None:
        self.explain = explain
        self.action: list[str] = []
        self.category: list[str | None] = []
        self.score: list[float | None] = []
        self.matches: list[str | None] = []
        self.error: list[str | None] = []

    def verdict(self, verdict: Any) -> None:
        self.action.append(verdict.action)
        self.category.append(verdict.category)
        self.score.append(verdict.score)
        if self.explain:
            self.matches.append(_matches_json(verdict))
        self.error.append("; ".join(verdict.errors) if verdict.errors else None)

    def unscored(self, reason: str) -> None:
        self.action.append("allow")
        self.category.append(None)
        self.score.append(None)
        if self.explain:
            self.matches.append(None)
        self.error.append(reason)

    def as_dict(self) -> dict[str, list[Any]]:
        data: dict[str, list[Any]] = {ACTION: self.action, CATEGORY: self.category,
                                      SCORE: self.score}
        if self.explain:
            data[MATCHES] = self.matches
        data[ERROR] = self.error
        return data


def _score_texts(classifier: Classifier, texts: list[Any], explain: bool) -> dict[str, Any]:
    out = _Columns(explain)
    for text in texts:
        if isinstance(text, str):
            out.verdict(classifier.score(text))
        else:
            out.unscored(_cell_error(text))
    return out.as_dict()


def _seconds(value: object) -> float | None:
    """A timestamp cell as seconds (only differences matter to a Conversation)."""
    if isinstance(value, datetime):  # pandas.Timestamp is a datetime
        if type(value).__name__ == "NaTType":
            return None
        return value.timestamp()
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        seconds = float(value)
        return seconds if math.isfinite(seconds) else None
    return None


def _sender(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    return value if isinstance(value, str) else str(value)


# --- schemas -----------------------------------------------------------------------------------


def _verdict_fields(explain: bool) -> list[Any]:
    from pyspark.sql.types import DoubleType, StringType, StructField

    fields = [StructField(ACTION, StringType()), StructField(CATEGORY, StringType()),
              StructField(SCORE, DoubleType())]
    if explain:
        fields.append(StructField(MATCHES, StringType()))
    fields.append(StructField(ERROR, StringType()))
    return fields


def _output_names(explain: bool) -> list[str]:
    return [ACTION, CATEGORY, SCORE, *([MATCHES] if explain else []), ERROR]


def _check_column(df: "DataFrame", name: str, role: str) -> "DataType":
    fields = {field.name: field.dataType for field in df.schema.fields}
    if name not in fields:
        raise ValueError(f"{role} column {name!r} not in the DataFrame (columns: "
                         f"{', '.join(fields)})")
    return fields[name]


# --- public API --------------------------------------------------------------------------------


def score_dataframe(
    df: "DataFrame",
    text_col: str = "text",
    *,
    rules: Sequence[str | Path] | str | Path | None = None,
    packs: Sequence[str] | None = None,
    explain: bool = False,
    classifier: Classifier | None = None,
) -> "DataFrame":
    """``df`` with verdict columns for the messages in ``text_col``; lazy, like any transform.

    Adds ``fr_action`` (``allow`` | ``review`` | ``block``), ``fr_category``, ``fr_score``
    (double), ``fr_matches`` (with ``explain``: a JSON array of ``Match.to_dict()``) and
    ``fr_error`` (null unless the cell could not be scored or a rule could not run). Existing
    columns of those names are replaced. ``rules`` (pack files or folders on the driver) and
    ``packs`` (bundled pack names) mean what they mean for :func:`fraudrules.load`; or pass a
    ready ``classifier`` (its thresholds and limits come along).

    >>> from fraudrules.spark import score_dataframe
    >>> df = spark.createDataFrame([("出租微信号，日结",), ("你好",)], ["text"])  # doctest: +SKIP
    >>> [row.fr_action for row in score_dataframe(df).collect()]  # doctest: +SKIP
    ['block', 'allow']
    """
    _require_extra()
    import pandas as pd  # type: ignore[import-untyped]
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.functions import pandas_udf
    from pyspark.sql.types import StringType, StructType

    dtype = _check_column(df, text_col, "text")
    job = _job(rules, packs, classifier)
    names = _output_names(explain)
    if not isinstance(dtype, StringType):
        # Not a string column: no cell can be scored, and nothing needs to go to Python.
        reason = f"text is {dtype.simpleString()}, not str"
        values = {ACTION: F.lit("allow"), CATEGORY: F.lit(None).cast("string"),
                  SCORE: F.lit(None).cast("double"), MATCHES: F.lit(None).cast("string"),
                  ERROR: F.when(df[text_col].isNull(), F.lit("null text"))
                  .otherwise(F.lit(reason))}
        return df.withColumns({name: values[name] for name in names})

    def score_batches(batches: Iterator[pd.Series]) -> Iterator[pd.DataFrame]:
        scorer = _worker_classifier(job)
        for batch in batches:
            yield pd.DataFrame(_score_texts(scorer, batch.tolist(), explain), columns=names)

    udf = pandas_udf(score_batches, StructType(_verdict_fields(explain)))  # type: ignore[call-overload]
    scratch = "__fraudrules_verdict"
    return (df.withColumn(scratch, udf(df[text_col]))
            .withColumns({name: F.col(scratch)[name] for name in names})
            .drop(scratch))


def score_conversations(
    df: "DataFrame",
    text_col: str = "text",
    chat_col: str = "chat_id",
    time_col: str = "timestamp",
    *,
    sender_col: str | None = None,
    per: Literal["message", "chat"] = "message",
    rules: Sequence[str | Path] | str | Path | None = None,
    packs: Sequence[str] | None = None,
    explain: bool = False,
    classifier: Classifier | None = None,
    window: Mapping[str, float] | None = None,
) -> "DataFrame":
    """Score each chat's messages in time order, in the context of the chat's recent messages.

    Rows are grouped by ``chat_col`` and ordered by ``time_col`` (a timestamp or a number of
    seconds; ties keep no particular order, nulls go last). ``per="message"`` returns every
    input row with the verdict ``Conversation.add`` gave it; ``per="chat"`` returns one row per
    chat (``chat_col``, ``fr_messages`` and the conversation's verdict, the most severe any of
    its messages reached). ``window`` holds :meth:`Classifier.conversation`'s options
    (``max_messages``, ``max_age``, ``half_life``, ``half_life_messages``). Rows whose text
    cannot be scored get ``fr_error`` and are left out of the conversation. A whole chat is
    loaded into one Python worker's memory. Other options as in :func:`score_dataframe`.

    >>> from fraudrules.spark import score_conversations
    >>> chats = score_conversations(df, per="chat")  # doctest: +SKIP
    """
    _require_extra()
    import pandas as pd  # (untyped: reported once, at the first import above)
    from pyspark.sql.types import LongType, StructField, StructType

    if per not in ("message", "chat"):
        raise ValueError(f"per must be 'message' or 'chat', got {per!r}")
    _check_column(df, text_col, "text")
    chat_type = _check_column(df, chat_col, "chat")
    _check_column(df, time_col, "time")
    if sender_col is not None:
        _check_column(df, sender_col, "sender")
    job = _job(rules, packs, classifier)
    options = dict(window or {})
    names = _output_names(explain)
    classifier_fields = _verdict_fields(explain)
    if per == "message":
        kept = [f for f in df.schema.fields if f.name not in names]
        schema = StructType([*kept, *classifier_fields])
        df = df.select(*(f.name for f in kept))
    else:
        schema = StructType([StructField(chat_col, chat_type),
                             StructField(MESSAGES, LongType()), *classifier_fields])

    def score_chat(chat: pd.DataFrame) -> pd.DataFrame:
        scorer = _worker_classifier(job)
        ordered = chat.sort_values(time_col, kind="stable", na_position="last")
        ordered = ordered.reset_index(drop=True)
        texts = ordered[text_col].tolist()
        times = [_seconds(t) for t in ordered[time_col].tolist()]
        senders = (ordered[sender_col].tolist() if sender_col is not None
                   else [None] * len(texts))
        conversation = scorer.conversation(**options)
        out = _Columns(explain)
        skipped: list[str] = []
        for text, seconds, sender in zip(texts, times, senders, strict=True):
            if isinstance(text, str):
                out.verdict(conversation.add(text, sender=_sender(sender), timestamp=seconds))
            else:
                reason = _cell_error(text)
                out.unscored(reason)
                skipped.append(reason)
        if per == "message":
            return ordered.assign(**out.as_dict())
        summary = _Columns(explain)
        summary.verdict(conversation.verdict)
        row = summary.as_dict()
        if skipped:
            note = f"{len(skipped)} of {len(texts)} messages not scored: {skipped[0]}"
            row[ERROR] = [f"{row[ERROR][0]}; {note}" if row[ERROR][0] else note]
        return pd.DataFrame({chat_col: [chat[chat_col].iloc[0]], MESSAGES: [len(texts)],
                             **row})

    return df.groupBy(chat_col).applyInPandas(score_chat, schema)
