"""Add your own rule pack to the bundled ones and score with both.

Run: python examples/custom_pack.py
"""

from pathlib import Path

import fraudrules

HERE = Path(__file__).resolve().parent

classifier = fraudrules.load([HERE / "custom_pack.yaml"])
print("categories:", ", ".join(classifier.categories))

for text in ["兼职刷单，佣金日结，宝妈学生都可以", "长期回收微信号，秒结", "明天一起吃饭"]:
    verdict = classifier.score(text)
    rules = ", ".join(m.rule_id for m in verdict.matches) or "-"
    print(f"{verdict.action:6} {verdict.category or '-':22} {rules:20} {text}")
