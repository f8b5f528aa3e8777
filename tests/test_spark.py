"""fraudrules.spark gives the library's verdicts on a Spark DataFrame (local[2])."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyspark")
pytest.importorskip("pandas")
pytest.importorskip("pyarrow")
if shutil.which("java") is None:
    pytest.skip("Spark needs a Java runtime (java is not on PATH)", allow_module_level=True)

from pyspark.sql import DataFrame, SparkSession

import fraudrules
from benchmarks import traffic
from fraudrules import Classifier, PackError
from fraudrules.spark import score_conversations, score_dataframe

from .conftest import ROOT

CUSTOM_PACK = ROOT / "examples" / "custom_pack.yaml"


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    # Python workers must run this interpreter (the venv with fraudrules and pandas).
    saved = {name: os.environ.get(name) for name in ("PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON")}
    os.environ["PYSPARK_PYTHON"] = os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (SparkSession.builder.master("local[2]").appName("fraudrules-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.default.parallelism", "4")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.driver.memory", "1g")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    # Passed to the Spark functions too, so that both sides score with the same pack sources
    # even if the pack files change while the tests run.
    return fraudrules.load()


def by_id(df: DataFrame) -> list[Any]:
    return sorted(df.collect(), key=lambda row: row.id)


def test_results_equal_score_many_on_ten_thousand_messages(
        spark: SparkSession, classifier: Classifier) -> None:
    texts = [m.text for m in traffic.generate(10_000, seed=8)]
    df = spark.createDataFrame(list(enumerate(texts)), "id long, text string").repartition(4)
    rows = by_id(score_dataframe(df, classifier=classifier))
    expected = list(classifier.score_many(texts, workers=2))
    assert len(rows) == len(expected) == 10_000
    assert [row.text for row in rows] == texts
    got = [(row.fr_action, row.fr_category, row.fr_score, row.fr_error) for row in rows]
    want = [(v.action, v.category, v.score, None) for v in expected]
    assert got == want
    assert sum(action != "allow" for action, *_ in got) > 100  # the scams were scored too


def test_classifier_is_cached_in_each_python_worker(spark: SparkSession) -> None:
    texts = [m.text for m in traffic.generate(2000, seed=9)]
    df = spark.createDataFrame([(t,) for t in texts], "text string").repartition(8)
    assert score_dataframe(df).where("fr_error IS NULL").count() == 2000

    def probe(batches: Iterator[Any]) -> Iterator[Any]:
        import pandas as pd

        import fraudrules.spark as module

        for _ in batches:
            yield pd.DataFrame({"pid": [os.getpid()], "cached": [len(module._CLASSIFIERS)]})

    workers = spark.range(0, 2, numPartitions=2).mapInPandas(probe, "pid long, cached long")
    # Python workers are reused between tasks: a worker that scored keeps its classifier.
    assert any(row.cached >= 1 for row in workers.collect())


def test_custom_pack_path_on_the_driver_reaches_the_executors(
        spark: SparkSession, tmp_path: Path) -> None:
    pack = tmp_path / "task_scam.yaml"
    pack.write_text(CUSTOM_PACK.read_text(encoding="utf-8"), encoding="utf-8")
    df = spark.createDataFrame([("兼职刷单，佣金日结，宝妈学生都可以",), ("明天一起吃饭",)],
                               "text string")
    scored = score_dataframe(df, rules=[pack], explain=True)  # reads the pack now, on the driver
    pack.unlink()  # the executors cannot read it from disk: it must travel with the job
    rows = {row.text: row for row in scored.collect()}
    hit = rows["兼职刷单，佣金日结，宝妈学生都可以"]
    assert hit.fr_category == "task_scam"
    assert hit.fr_action in ("review", "block")
    assert "TS-001" in {m["rule_id"] for m in json.loads(hit.fr_matches)}
    assert rows["明天一起吃饭"].fr_action == "allow"


def test_bundled_packs_can_be_selected_by_name(spark: SparkSession) -> None:
    df = spark.createDataFrame([("扫雷群，包尾中雷赔1.5倍，抽水5%",)], "text string")
    row = score_dataframe(df, packs=["account_trading"]).first()
    assert row is not None
    assert row.fr_action == "allow"  # the gambling pack was not loaded


def test_null_text_is_allowed_with_an_error(spark: SparkSession, classifier: Classifier) -> None:
    df = spark.createDataFrame([(1, None), (2, "出租微信号，日结"), (3, "")],
                               "id long, text string")
    rows = by_id(score_dataframe(df, explain=True, classifier=classifier))
    assert (rows[0].fr_action, rows[0].fr_category, rows[0].fr_score, rows[0].fr_matches,
            rows[0].fr_error) == ("allow", None, None, None, "null text")
    assert (rows[1].fr_action, rows[1].fr_error) == ("block", None)
    assert (rows[2].fr_action, rows[2].fr_matches, rows[2].fr_error) == ("allow", "[]", None)


@pytest.mark.parametrize(("spark_type", "value", "error"), [
    pytest.param("long", 42, "text is bigint, not str", id="integer"),
    pytest.param("double", 1.5, "text is double, not str", id="double"),
    pytest.param("array<string>", ["出租微信号"], "text is array<string>, not str", id="array"),
    pytest.param("binary", "出租微信号".encode(), "text is binary, not str", id="binary"),
    pytest.param("struct<text:string>", ("出租微信号",), "text is struct<text:string>, not str",
                 id="struct"),
])
def test_non_string_text_column_is_allowed_with_an_error(
        spark: SparkSession, spark_type: str, value: object, error: str) -> None:
    df = spark.createDataFrame([(1, value), (2, None)], f"id long, text {spark_type}")
    rows = by_id(score_dataframe(df, explain=True))
    assert [(r.fr_action, r.fr_score, r.fr_matches, r.fr_error) for r in rows] == [
        ("allow", None, None, error), ("allow", None, None, "null text")]


def test_mixed_json_values_are_scored_as_spark_reads_them(
        spark: SparkSession, classifier: Classifier, tmp_path: Path) -> None:
    source = tmp_path / "mixed.jsonl"
    lines = [{"id": 1, "text": "出租微信号，日结"}, {"id": 2, "text": None}, {"id": 3},
             {"id": 4, "text": 12345}]
    source.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n",
                      encoding="utf-8")
    rows = by_id(score_dataframe(spark.read.json(str(source)), classifier=classifier))
    assert [(r.fr_action, r.fr_error) for r in rows] == [
        ("block", None), ("allow", "null text"), ("allow", "null text"), ("allow", None)]


def test_explain_column_is_the_library_explanation(
        spark: SparkSession, classifier: Classifier) -> None:
    texts = [m.text for m in traffic.generate(3000, seed=10) if m.label == "scam"]
    texts += ["出租微信号，日结", "妈，我到家了"]
    df = spark.createDataFrame(list(enumerate(texts)), "id long, text string")
    rows = by_id(score_dataframe(df, explain=True, classifier=classifier))
    for row, text in zip(rows, texts, strict=True):
        verdict = classifier.score(text)
        matches = json.loads(row.fr_matches)
        assert [m["rule_id"] for m in matches] == [m.rule_id for m in verdict.matches]
        assert matches == [m.to_dict() for m in verdict.matches]
    assert sum(bool(json.loads(row.fr_matches)) for row in rows) > len(texts) // 2


def test_existing_verdict_columns_are_replaced(spark: SparkSession,
                                              classifier: Classifier) -> None:
    df = spark.createDataFrame([("出租微信号，日结", "stale")], "text string, fr_action string")
    scored = score_dataframe(df, classifier=classifier)
    assert scored.columns == ["text", "fr_action", "fr_category", "fr_score", "fr_error"]
    assert scored.first() is not None
    assert scored.first().fr_action == "block"  # type: ignore[union-attr]


def test_problems_are_reported_on_the_driver(spark: SparkSession, tmp_path: Path) -> None:
    df = spark.createDataFrame([("你好",)], "message string")
    with pytest.raises(ValueError, match="text column 'text' not in the DataFrame"):
        score_dataframe(df)
    broken = tmp_path / "broken.yaml"
    broken.write_text("pack: broken\nversion: '1'\ncategory: x\nrules:\n  - id: B-1\n"
                      "    any: [a]\n    withn: 3\n", encoding="utf-8")
    with pytest.raises(PackError, match=r"broken\.yaml"):
        score_dataframe(df, "message", rules=[broken])
    with pytest.raises(ValueError, match="either classifier"):
        score_dataframe(df, "message", packs=["common"], classifier=fraudrules.load())


# --- conversations -------------------------------------------------------------------------------

START = datetime(2026, 3, 1, 20, 0, 0)

CHATS: dict[str, list[tuple[float, str | None, str | None]]] = {
    # chat id: (seconds after START, sender, text), in time order
    "investment": [(0, "阿琳", "跟着老师做了一周"), (30, "阿琳", "想上车的找助理入金"),
                   (60, "小王", "真的假的"), (90, "阿琳", "名额有限，先到先得")],
    "family": [(0, "妈", "妈，我到家了"), (5, "爸", "周末回家吃饭吗"), (9, "妈", None),
               (20, "妈", "给你发了个红包，买点好吃的")],
    "gambling": [(0, "财务", "进群先发100包暖场"), (100, "财务", "扫雷群招人，包尾中雷赔1.8倍"),
                 (200, "庄家", "上下分秒到，24小时在线"), (3000, None, "今晚红包局，抢到就是赚到")],
    "accounts": [(float(i * 60), "买家" if i % 2 else "卖家", text) for i, text in enumerate(
        ["在吗", "出租微信号，日结200元", "怎么操作", "不用本人操作，实名号一天50", "好的"])],
}


@pytest.fixture(scope="module")
def chats(spark: SparkSession) -> DataFrame:
    rows = [(chat, START + timedelta(seconds=seconds), float(seconds), sender, text)
            for chat, messages in CHATS.items() for seconds, sender, text in messages]
    rows.reverse()  # out of order: the time column must decide
    return spark.createDataFrame(
        rows, "chat_id string, timestamp timestamp, seconds double, sender string, text string")


def expected_messages(classifier: Classifier, chat: str, **window: float) -> list[Any]:
    conversation = classifier.conversation(**window)
    return [conversation.add(text, sender=sender, timestamp=seconds) if text is not None
            else None for seconds, sender, text in CHATS[chat]]


def verdict_tuple(verdict: Any) -> tuple[Any, ...]:
    return (verdict.action, verdict.category, verdict.score,
            [m.to_dict() for m in verdict.matches])


@pytest.mark.parametrize("time_col", [pytest.param("timestamp", id="timestamp-column"),
                                      pytest.param("seconds", id="seconds-column")])
def test_each_message_gets_its_verdict_in_the_chat(
        chats: DataFrame, classifier: Classifier, time_col: str) -> None:
    scored = score_conversations(chats, time_col=time_col, sender_col="sender", explain=True,
                                 classifier=classifier)
    assert scored.columns == [*chats.columns, "fr_action", "fr_category", "fr_score",
                              "fr_matches", "fr_error"]
    rows = scored.collect()
    assert len(rows) == sum(len(messages) for messages in CHATS.values())
    for chat in CHATS:
        got = sorted((row for row in rows if row.chat_id == chat), key=lambda r: r.seconds)
        for row, verdict in zip(got, expected_messages(classifier, chat), strict=True):
            if verdict is None:
                assert (row.fr_action, row.fr_score, row.fr_error) == ("allow", None,
                                                                       "null text")
            else:
                assert (row.fr_action, row.fr_category, row.fr_score,
                        json.loads(row.fr_matches)) == verdict_tuple(verdict)
    flagged = {row.chat_id for row in rows if row.fr_action != "allow"}
    assert {"investment", "gambling", "accounts"} <= flagged
    assert "family" not in flagged


def test_one_row_per_chat_equals_score_conversation(
        chats: DataFrame, classifier: Classifier) -> None:
    scored = score_conversations(chats, sender_col="sender", time_col="seconds", per="chat",
                                 explain=True, window={"max_messages": 3}, classifier=classifier)
    assert scored.columns == ["chat_id", "fr_messages", "fr_action", "fr_category", "fr_score",
                              "fr_matches", "fr_error"]
    rows = {row.chat_id: row for row in scored.collect()}
    assert set(rows) == set(CHATS)
    for chat, messages in CHATS.items():
        expected = classifier.score_conversation(
            [{"text": text, "sender": sender, "timestamp": seconds}
             for seconds, sender, text in messages if text is not None], max_messages=3)
        row = rows[chat]
        assert row.fr_messages == len(messages)
        assert (row.fr_action, row.fr_category, row.fr_score,
                json.loads(row.fr_matches)) == verdict_tuple(expected)
    assert rows["family"].fr_error == "1 of 4 messages not scored: null text"
    assert rows["investment"].fr_error is None


def test_conversation_variant_checks_its_columns(chats: DataFrame) -> None:
    with pytest.raises(ValueError, match="chat column 'room' not in the DataFrame"):
        score_conversations(chats, chat_col="room")
    with pytest.raises(ValueError, match="per must be"):
        score_conversations(chats, per="row")  # type: ignore[arg-type]
