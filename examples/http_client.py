"""Score messages through ``fraudrules serve`` with nothing but the standard library.

    fraudrules serve &                          # http://127.0.0.1:8080
    python examples/http_client.py "出租微信号，日结" "妈，我到家了"
    python examples/http_client.py --chat group-42 "跟着老师做了一周" "想上车的找助理入金"
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from typing import Any


def call(base: str, path: str, body: Any) -> Any:
    """POST JSON, return the decoded JSON answer; an HTTP error raises with its message."""
    request = urllib.request.Request(
        base.rstrip("/") + path, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:  # the server answers errors as JSON too
        problem = json.load(error)
        raise SystemExit(f"HTTP {error.code} {problem['error']}: {problem['message']}") from None


def main() -> int:
    parser = argparse.ArgumentParser(description="score messages with a fraudrules server")
    parser.add_argument("texts", nargs="+")
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--chat", metavar="ID", help="send the texts as messages of this chat")
    args = parser.parse_args()
    if args.chat:
        verdicts = [call(args.url, f"/v1/chats/{args.chat}/messages", {"text": text})
                    for text in args.texts]
    else:
        verdicts = call(args.url, "/v1/score/batch", {"texts": args.texts})["verdicts"]
    for text, verdict in zip(args.texts, verdicts, strict=True):
        rules = ", ".join(m["rule_id"] for m in verdict["matches"]) or "-"
        print(f"{verdict['action']:6} {verdict['score']:.3f} "
              f"{verdict['category'] or '-':22} {rules:20} {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
