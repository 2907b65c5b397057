"""Every finding's first sentence fits in ``LEAD_LIMIT`` characters; detail follows.

The first sentence is what a reviewer sees in an annotation's title, a notification, a
table cell: who and what. Checks write whole sentences; one that runs longer is split at
its last clause boundary that fits (`` — ``, ``: ``, ``; ``, ``, so``), so the rest
becomes the next sentence, nothing is lost and nothing is repeated.
"""

from __future__ import annotations

import re

from driftgate.analyzer.checkapi import LEAD_LIMIT, shortened

# Where a long sentence may end (the separator gives way to ". "): a dash first, then
# other clause ends, then conjunctions.
_BOUNDARIES = (
    re.compile(r" — "),
    re.compile(r": |; "),
    re.compile(r", so |, which |, but |, and | which "),
    # Before an address or a principal in brackets: the name stays in the lead.
    re.compile(r" (?=[\[(])"),
)


def with_lead(message: str) -> str:
    """``message`` with a first sentence of at most ``LEAD_LIMIT`` characters."""
    first, sep, rest = message.partition(". ")
    if len(first) <= LEAD_LIMIT:
        return message
    for boundaries in _BOUNDARIES:
        cuts = [m for m in boundaries.finditer(first) if 20 <= m.start() <= LEAD_LIMIT - 1]
        if cuts:
            cut = cuts[-1]
            tail = first[cut.end() :]
            word = tail.split(" ", 1)[0]
            if word.rstrip(":,;").isalpha():  # never an address: `k8s:ml-prod/...` stays
                tail = tail[:1].upper() + tail[1:]
            return f"{first[: cut.start()]}. {tail}{sep}{rest}"
    # No boundary in reach: a shortened lead, then the sentence whole.
    return f"{shortened(first, LEAD_LIMIT)}. {message}"
