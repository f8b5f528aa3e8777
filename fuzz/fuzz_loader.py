"""atheris target: any bytes given to the pack loader give a Classifier or a PackError.

Run from the repository root (atheris is optional: ``pip install atheris``)::

    python fuzz/fuzz_loader.py -runs=20000 -max_len=4096

Anything else the loader raises (or a hang past libFuzzer's -timeout) is a bug: add the input
as a regression test in tests/test_hostile.py.
"""

from __future__ import annotations

import sys


def main() -> None:
    import atheris

    with atheris.instrument_imports():
        from fraudrules.engine import load_sources
        from fraudrules.errors import PackError
        from fraudrules.packs import Limits

    limits = Limits(max_bytes=64_000, max_nodes=5_000, max_terms=2_000, max_rules=200)

    def test_one_input(data: bytes) -> None:
        text = atheris.FuzzedDataProvider(data).ConsumeUnicode(len(data))
        try:
            classifier = load_sources([("fuzz.yaml", text)], limits=limits)
        except PackError:
            return
        classifier.score("出租微信号，扫雷群包尾，稳赚不赔")

    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
