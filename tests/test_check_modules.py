"""The check contract, as code: one module per check, found by name, standing alone.

A check reads the model and the check API; it imports no other check (what two checks
share lives in checks/common.py, delta.py or inference_scope.py) and no private name of
any module, so that a refactor of one check or one engine module cannot break another
check through a back door.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from driftgate.checks import ALL_CHECKS, BY_ID

CHECKS = Path(__file__).resolve().parent.parent / "checks"
MODULES = sorted(p for p in CHECKS.glob("dg*.py"))


def test_every_check_module_is_in_the_catalog_once() -> None:
    named = {re.sub(r"^dg(\d{3})_.*$", r"DG\1", p.stem) for p in MODULES}
    assert named == set(BY_ID)
    assert len(ALL_CHECKS) == len(MODULES) == len(BY_ID)
    assert [c.meta.id for c in ALL_CHECKS] == sorted(BY_ID)


@pytest.mark.parametrize("path", [*MODULES, *CHECKS.glob("[!d]*.py")], ids=lambda p: p.name)
def test_a_check_imports_no_other_check_and_no_private_name(path: Path) -> None:
    offenders = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("driftgate"):
            module = node.module or ""
            if re.match(r"driftgate\.checks\.dg\d{3}_", module) and path.name != "__init__.py":
                offenders.append(f"imports check {module}")
            offenders += [
                f"imports private {module}.{alias.name}"
                for alias in node.names
                if alias.name.startswith("_")
            ]
        if isinstance(node, ast.Import):
            offenders += [
                f"imports check {alias.name}"
                for alias in node.names
                if re.match(r"driftgate\.checks\.dg\d{3}_", alias.name)
            ]
    assert offenders == []


def test_each_delta_is_computed_once_per_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every check that asks for a delta gets the one computed for the scan."""
    from driftgate.analyzer import checkapi
    from driftgate.analyzer.model import Model

    calls: dict[str, int] = {}
    for name in ("grant_deltas", "trust_deltas", "promotions"):

        def counted(base: Model, head: Model, _name: str = name) -> list[object]:
            calls[_name] = calls.get(_name, 0) + 1
            return []

        monkeypatch.setattr(checkapi, name, counted)
    ctx = checkapi.CheckContext(head=Model(), base=Model())
    for _ in range(3):  # as DG101, DG102 and DG103 each would
        assert [ctx.grant_deltas(), ctx.trust_deltas(), ctx.promotions()] == [[], [], []]
    assert calls == {"grant_deltas": 1, "trust_deltas": 1, "promotions": 1}
    # Without a base there is nothing to compare, and nothing is computed.
    state = checkapi.CheckContext(head=Model(), base=None)
    assert [state.grant_deltas(), state.trust_deltas(), state.promotions()] == [[], [], []]
    assert calls == {"grant_deltas": 1, "trust_deltas": 1, "promotions": 1}
