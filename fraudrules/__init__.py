"""fraudrules: readable rule packs that score Chinese chat messages for fraud.

>>> import fraudrules
>>> verdict = fraudrules.score("长期高价回收微信号，秒结")
>>> verdict.category, verdict.action
('account_trading', 'block')
>>> fraudrules.score("妈，我到家了").action
'allow'
"""

from __future__ import annotations

import functools
import logging

from .conversation import Conversation
from .engine import Classifier, load
from .errors import FraudRulesError, Location, PackError
from .host import RuleHost
from .normalize import NormalizedText, normalize
from .verdict import Action, Match, Verdict

__all__ = [
    "Action",
    "Classifier",
    "Conversation",
    "FraudRulesError",
    "Location",
    "Match",
    "NormalizedText",
    "PackError",
    "RuleHost",
    "Verdict",
    "__version__",
    "load",
    "normalize",
    "score",
]

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())


@functools.cache
def _default() -> Classifier:
    return load()


def score(text: str) -> Verdict:
    """Score one message with the bundled packs (built once, on first use, and cached).

    >>> import fraudrules
    >>> fraudrules.score("今天一起吃饭吗").category is None
    True
    """
    return _default().score(text)
