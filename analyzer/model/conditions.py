"""A condition on a grant or a trust, as a value the diff can compare.

Each provider's extractor builds it from its own notation (AWS ``Condition`` blocks,
GCP IAM conditions, Vault role bounds, Azure federated-credential audiences), so nothing
downstream parses text back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Family = Literal["string", "not-string", "ip", "not-ip", "opaque"]


@dataclass(frozen=True, slots=True)
class Condition:
    key: str
    family: Family
    values: tuple[str, ...]
    # The operator as written (StringLike, ...), "" where the provider has none.
    op: str = ""
    # Values are patterns (``*``, ``?``), not literals.
    glob: bool = False
    ignore_case: bool = False
    # ForAnyValue / ForAllValues (AWS multi-valued keys).
    qualifier: str = ""
    # ...IfExists: the condition passes when the key is absent.
    if_exists: bool = False
    # The condition as the repository wrote it, for people. Not compared: a GCP condition
    # retitled, or an AWS operator block reordered, is the same condition.
    text: str = field(default="", compare=False)

    @property
    def match_key(self) -> str:
        return self.key.lower()

    @property
    def value_text(self) -> str:
        return ", ".join(self.values)

    @property
    def operator(self) -> str:
        return f"{self.qualifier}:{self.op}" if self.qualifier else self.op

    def __str__(self) -> str:
        if self.text:
            return self.text
        return " ".join(p for p in (self.operator, self.key, self.value_text) if p)


def opaque(text: str) -> Condition:
    """A condition compared by its whole text (CEL, numbers, dates)."""
    return Condition(key="condition", family="opaque", values=(text,), text=text)
