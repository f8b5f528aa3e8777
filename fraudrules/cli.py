"""``fraudrules`` command line: argument parsing and printing only.

    fraudrules score [FILE ...] [--field NAME] [--explain] [--rules PATH ...]
    fraudrules lint PATH ...
    fraudrules test [PATH ...]
    fraudrules evaluate FILE.jsonl [--field text] [--label label] [--json]

Exit status: 0 on success, 1 when lint finds errors or examples/evaluation fail, 2 on usage
errors (bad arguments, unreadable input, a pack that does not load).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from . import __version__
from .checks import check_examples, lint
from .conversation import ChatInput
from .engine import Classifier, bundled_pack_paths, expand_paths, load
from .errors import FraudRulesError
from .verdict import Verdict


class _UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fraudrules",
        description="Score Chinese chat messages for fraud with readable rule packs.",
    )
    parser.add_argument("--version", action="version", version=f"fraudrules {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add_rules(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--rules", action="append", default=[], metavar="PATH",
                         help="add a pack file or folder (repeatable)")
        sub.add_argument("--packs", metavar="NAMES",
                         help="comma-separated bundled packs to use (default: all)")

    score = commands.add_parser("score", help="score messages: one JSON verdict per line")
    score.add_argument("files", nargs="*", metavar="FILE",
                       help="text files (one message per line) or JSONL with --field; "
                       "stdin when none")
    score.add_argument("--field", metavar="NAME",
                       help="read JSON Lines and score this field of each object")
    score.add_argument("--explain", action="store_true",
                       help="print a readable table per message instead of JSON")
    score.add_argument("--conversation", action="store_true",
                       help="read JSON Lines where each line is a conversation (a 'messages' "
                       "list of strings or {text, sender, timestamp}); one verdict per line")
    add_rules(score)

    lint_cmd = commands.add_parser("lint", help="report every problem in rule packs")
    lint_cmd.add_argument("paths", nargs="+", metavar="PATH")
    lint_cmd.add_argument("--bundled", action="store_true",
                          help="also read the bundled packs (for their shared lists)")

    test = commands.add_parser("test", help="run every rule's examples")
    test.add_argument("paths", nargs="*", metavar="PATH",
                      help="pack files or folders (default: the bundled packs)")
    test.add_argument("--bundled", action="store_true",
                      help="load the bundled packs too (for their shared lists)")

    evaluate = commands.add_parser("evaluate", help="measure the rules on a labelled corpus")
    evaluate.add_argument("file", metavar="FILE.jsonl")
    evaluate.add_argument("--field", default="text", help="text field (default: text)")
    evaluate.add_argument("--label", default="label", help="label field (default: label)")
    evaluate.add_argument("--clean-label", default="clean",
                          help="the label of innocent messages (default: clean)")
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    evaluate.add_argument("--errors", type=int, default=30, metavar="N",
                          help="list at most N false positives and N false negatives")
    add_rules(evaluate)

    serve = commands.add_parser("serve", help="run the HTTP scoring service "
                                "(needs: pip install 'fraudrules[server]')")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, loopback only)")
    serve.add_argument("--port", type=int, default=8080, help="default: 8080")
    serve.add_argument("--workers", type=int, default=1, metavar="N",
                       help="uvicorn worker processes (default: 1)")
    serve.add_argument("--max-batch", type=int, default=256, metavar="N",
                       help="texts per batch / messages per conversation (default: 256)")
    serve.add_argument("--max-text-chars", type=int, default=50_000, metavar="N",
                       help="characters per text (default: 50000)")
    serve.add_argument("--max-body-bytes", type=int, default=1_048_576, metavar="N",
                       help="bytes per request body (default: 1048576)")
    serve.add_argument("--max-chats", type=int, default=10_000, metavar="N",
                       help="chat windows kept in memory (default: 10000)")
    serve.add_argument("--chat-ttl", type=float, default=1800.0, metavar="SECONDS",
                       help="drop a chat window idle this long (default: 1800)")
    serve.add_argument("--watch", type=float, metavar="SECONDS",
                       help="poll the pack files and reload when they change")
    serve.add_argument("--log-level", default="info",
                       choices=["critical", "error", "warning", "info", "debug"])
    add_rules(serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            try:
                from . import server
            except ImportError as exc:
                raise _UsageError(f"{exc}; install the extra: pip install "
                                  "'fraudrules[server]'") from exc
            return server.run_cli(args)
        if args.command == "score":
            return _score(args)
        if args.command == "lint":
            return _lint(args)
        if args.command == "test":
            return _test(args)
        return _evaluate(args)
    except BrokenPipeError:
        # The reader went away (``fraudrules score … | head``): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (FraudRulesError, _UsageError, OSError) as exc:
        print(f"fraudrules {args.command}: {exc}", file=sys.stderr)
        return 2


def _classifier(args: argparse.Namespace) -> Classifier:
    packs = None
    if args.packs is not None:
        packs = [p.strip() for p in args.packs.split(",") if p.strip()]
    return load(args.rules or None, packs=packs)


def _lines(args: argparse.Namespace) -> Iterator[tuple[str, int, str]]:
    """``(where, line number, line)`` from the files named, or from stdin when there are none."""
    for name in args.files or ["-"]:
        stream = sys.stdin if name == "-" else _open(name)
        where = "<stdin>" if name == "-" else name
        with stream:
            for number, raw in enumerate(stream, start=1):
                yield where, number, raw.rstrip("\r\n")


def _records(args: argparse.Namespace) -> Iterator[tuple[str, int, object]]:
    """Parsed JSON Lines (blank lines skipped), each with its ``file:line`` for errors."""
    for name, number, line in _lines(args):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            yield where, number, json.loads(line)
        except json.JSONDecodeError as exc:
            raise _UsageError(f"{where}: not JSON: {exc.msg}") from exc


def _messages(args: argparse.Namespace) -> Iterator[str]:
    if args.field is None:
        yield from (line for _, _, line in _lines(args))
        return
    for where, _, record in _records(args):
        if not isinstance(record, dict) or not isinstance(record.get(args.field), str):
            raise _UsageError(f"{where}: no string field '{args.field}'")
        yield record[args.field]


def _score(args: argparse.Namespace) -> int:
    classifier = _classifier(args)
    out = sys.stdout
    if args.conversation:
        for label, messages in _conversations(args):
            verdict = classifier.score_conversation(messages)
            if args.explain:
                out.write(explain(label, verdict))
            else:
                out.write(json.dumps(verdict.to_dict(), ensure_ascii=False) + "\n")
        return 0
    for text in _messages(args):
        verdict = classifier.score(text)
        if args.explain:
            out.write(explain(text, verdict))
        else:
            out.write(json.dumps(verdict.to_dict(), ensure_ascii=False))
            out.write("\n")
    return 0


def _conversations(args: argparse.Namespace) -> Iterator[tuple[str, list[ChatInput]]]:
    for where, number, record in _records(args):
        messages = record.get("messages") if isinstance(record, dict) else None
        if not isinstance(record, dict) or not isinstance(messages, list) or not all(
                isinstance(m, str) or (isinstance(m, dict) and isinstance(m.get("text"), str))
                for m in messages):
            raise _UsageError(f"{where}: needs a 'messages' list of strings or objects with a "
                              "string 'text'")
        yield str(record.get("id", f"conversation {number}")), messages


def _open(name: str) -> TextIO:
    try:
        return open(name, encoding="utf-8")
    except OSError as exc:
        raise _UsageError(f"cannot read {name}: {exc.strerror}") from exc


def explain(text: str, verdict: Verdict) -> str:
    """A readable block for one message: action, category, score and each fired rule."""
    head = f"{verdict.action.upper():6} {verdict.score:.3f} {verdict.category or '-'}  {text}"
    lines = [head.rstrip()]
    for match in verdict.matches:
        where = "" if match.message is None else f"#{match.message} "
        lines.append(f"    {match.contribution:+5.1f}  {match.rule_id:<8} "
                     f"{where}[{match.start}:{match.end}] {match.text!r}  {match.description}")
    if verdict.truncated:
        lines.append("    (truncated: scored on the first characters only)")
    lines.extend(f"    error: {error}" for error in verdict.errors)
    return "\n".join(lines) + "\n"


def _lint(args: argparse.Namespace) -> int:
    extra = bundled_pack_paths() if args.bundled else []
    problems = lint(args.paths, extra=extra)
    errors = sum(1 for p in problems if p.severity == "error")
    for problem in problems:
        print(problem)
    warnings = len(problems) - errors
    print(f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}",
          file=sys.stderr)
    return 1 if errors else 0


def _test(args: argparse.Namespace) -> int:
    names = None
    if args.paths:
        classifier = load(args.paths, packs=None if args.bundled else [])
        own = {path.resolve() for path in expand_paths(args.paths)}
        names = {p.name for p in classifier.ruleset.packs if Path(p.path).resolve() in own}
    else:
        classifier = load()
    results = check_examples(classifier, only=names)
    failed = [r for r in results if not r.passed]
    for result in failed:
        want = "should fire" if result.expected else "should not fire"
        others = ", ".join(result.fired_rules) or "nothing"
        print(f"FAIL {result.rule_id} ({result.location}) {want} on {result.text!r}; "
              f"fired: {others}")
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


def _evaluate(args: argparse.Namespace) -> int:
    from .evaluate import evaluate_file, format_report

    classifier = _classifier(args)
    report = evaluate_file(classifier, args.file, field=args.field, label=args.label,
                           clean_label=args.clean_label)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_report(report, max_errors=args.errors), end="")
    return 0
