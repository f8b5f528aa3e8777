"""atheris target: ``score`` never raises for a str, and every match span lies inside it.

Run from the repository root (atheris is optional: ``pip install atheris``)::

    python fuzz/fuzz_score.py -runs=20000

Any crash is a bug: add the input as a regression test in tests/test_hostile.py.
"""

from __future__ import annotations

import sys


def main() -> None:
    import atheris

    with atheris.instrument_imports():
        import fraudrules

    classifier = fraudrules.load(max_chars=2_000)
    words = ["出租", "微信号", "vx", "扫雷群", "包尾", "抽水", "赔1.5倍", "稳赚不赔", "日结",
             "警方提醒", "\u200b", "\u202e", "\ud800", "\x00", "😀", "一三八"]

    def test_one_input(data: bytes) -> None:
        provider = atheris.FuzzedDataProvider(data)
        parts: list[str] = []
        while provider.remaining_bytes():
            if provider.ConsumeBool():
                parts.append(words[provider.ConsumeIntInRange(0, len(words) - 1)])
            else:
                parts.append(provider.ConsumeUnicode(provider.ConsumeIntInRange(0, 16)))
        text = "".join(parts)
        verdict = classifier.score(text)
        seen = text[: classifier.max_chars]
        assert verdict.truncated == (len(text) > classifier.max_chars)
        for match in verdict.matches:
            assert 0 <= match.start < match.end <= len(seen), (text, match)
            assert match.text == seen[match.start:match.end], (text, match)
        verdict.to_dict()

    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
