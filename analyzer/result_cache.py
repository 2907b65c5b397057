"""Findings by the models they came from: a scan repeated on the same inputs loads its
findings instead of loading two models and running every check again.

A pre-commit hook that failed is run again on the same staged tree; a CI job is re-run;
an editor saves without a change. The key is both models' keys (which cover every file
by blob id, the options and driftgate's code), the checks selected and the engine's
options, with today's date (a suppression may expire overnight). The reads each model
made beyond its files are checked again on every hit, as for the models themselves.
What is stored holds each side's model summary (diagnostics, counts) without the model.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from driftgate.analyzer.cache import DiskCache
from driftgate.analyzer.engine.findings import Finding
from driftgate.analyzer.model import Model
from driftgate.analyzer.model_cache import still_valid
from driftgate.analyzer.pipeline import BuiltModel
from driftgate.analyzer.sources.base import Tree

_KIND = "findings"


@dataclass(frozen=True, slots=True)
class StoredScan:
    findings: list[Finding]
    # Each side as built, its model left out (an empty one in its place).
    head: BuiltModel
    base: BuiltModel | None


def summary(built: BuiltModel) -> BuiltModel:
    """``built`` without its model: what the reports need besides the findings."""
    return dataclasses.replace(built, model=Model())


@dataclass
class ResultCache:
    disk: DiskCache
    hits: int = 0

    @staticmethod
    def key(head_key: str, base_key: str | None, checks: Sequence[str], *context: object) -> str:
        digest = hashlib.sha256(f"{head_key}\0{base_key or '-'}\0".encode())
        digest.update(",".join(checks).encode())
        digest.update(dt.date.today().isoformat().encode())
        for part in context:
            digest.update(b"\0" + repr(part).encode())
        return digest.hexdigest()

    def get(self, key: str, head: Tree, base: Tree | None) -> StoredScan | None:
        stored = self.disk.get(_KIND, key, "")
        if not isinstance(stored, StoredScan):
            return None
        if not still_valid(head, stored.head.record):
            return None
        if stored.base is not None and (base is None or not still_valid(base, stored.base.record)):
            return None
        self.hits += 1
        return stored

    def put(
        self, key: str, findings: list[Finding], head: BuiltModel, base: BuiltModel | None
    ) -> None:
        scan = StoredScan(findings, summary(head), summary(base) if base is not None else None)
        self.disk.put(_KIND, key, "", scan)
