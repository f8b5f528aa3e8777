"""Regenerate fraudrules/data/pinyin.txt from pypinyin (a development-time tool only).

    pip install pypinyin && python scripts/make_pinyin_table.py

Writes one line per CJK Unified Ideograph (U+4E00..U+9FFF) that has a reading:
``char<TAB>reading[,reading]``: toneless readings of the two most common pronunciations, the
most common first; ``ü`` is written both ``v`` and ``u`` (``绿`` → ``lv,lu``).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from pypinyin import pinyin_dict  # type: ignore[import-untyped]

OUT = Path(__file__).resolve().parent.parent / "fraudrules" / "data" / "pinyin.txt"


def toneless(reading: str) -> list[str]:
    """``lǜ`` → ``["lv", "lu"]`` (both are typed), ``cái`` → ``["cai"]``."""
    decomposed = unicodedata.normalize("NFKD", reading.lower())
    with_v = "".join("v" if c == "u" and decomposed[i + 1:i + 2] == "\u0308" else c
                     for i, c in enumerate(decomposed) if not unicodedata.combining(c))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return [with_v] if with_v == plain else [with_v, plain]


def main() -> None:
    lines = ["# hanzi<TAB>toneless pinyin readings (most common first); from pypinyin "
             "(MIT, data from pinyin-data)"]
    for code in range(0x4E00, 0xA000):
        raw = pinyin_dict.pinyin_dict.get(code)
        if not raw:
            continue
        readings: list[str] = []
        for reading in raw.split(",")[:2]:
            for plain in toneless(reading):
                if plain.isascii() and plain.isalpha() and plain not in readings:
                    readings.append(plain)
        if readings:
            lines.append(f"{chr(code)}\t{','.join(readings)}")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines) - 1} characters written to {OUT}")


if __name__ == "__main__":
    main()
