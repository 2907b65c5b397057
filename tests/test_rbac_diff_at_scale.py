"""The RBAC diff among many roles: what one role gains is found, what merely moved is not.

The diff files each identity's rules by namespace, verb, group and resource, and skips
the rules that give what base's gave wherever they are written (a line added at the top
of a file moves every rule below it). These tests would fail if either dropped a gain,
or if a moved or already-covered rule were reported.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from driftgate.analyzer.cli import main
from driftgate.analyzer.diff import grant_deltas
from driftgate.analyzer.model import Grant, Identity, Location, Model, Permission

Capture = pytest.CaptureFixture[str]
ROLES = 80


def _team(i: int, verbs: list[str], wide: bool = False) -> str:
    """A ServiceAccount, its Role on configmaps and the RoleBinding between them; with
    ``wide``, a second rule that allows every verb on configmaps."""
    ns = f"team-{i % 7}"
    extra = '  - apiGroups: [""]\n    resources: ["configmaps"]\n    verbs: ["*"]\n'
    return f"""\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: sa-{i}
  namespace: {ns}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: role-{i}
  namespace: {ns}
rules:
  - apiGroups: [""]
    resources: ["configmaps"]
    verbs: [{", ".join(verbs)}]
{extra if wide else ""}---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: bind-{i}
  namespace: {ns}
subjects:
  - kind: ServiceAccount
    name: sa-{i}
    namespace: {ns}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: role-{i}
"""


def _tree(root: Path, text: str) -> Path:
    root.mkdir()
    (root / "rbac.yaml").write_text(text)
    return root


def test_one_gained_verb_among_many_moved_roles_is_the_one_finding(
    tmp_path: Path, capsys: Capture
) -> None:
    """A comment at the top moves all 80 roles; role 41 gains delete; role 7 gains list,
    which its own ``*`` rule already allowed."""
    base = "---\n".join(_team(i, ["get"], wide=i == 7) for i in range(ROLES))
    head = "# every team's roles\n" + "---\n".join(
        _team(i, {41: ["get", "delete"], 7: ["get", "list"]}.get(i, ["get"]), wide=i == 7)
        for i in range(ROLES)
    )
    main(["scan", "--no-cache", "-f", "json", "--base", str(_tree(tmp_path / "base", base)),
          str(_tree(tmp_path / "head", head))])  # fmt: skip
    findings: list[dict[str, Any]] = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["check"], f["identity"]) for f in findings] == [
        ("DG101", "k8s:team-6/ServiceAccount/sa-41")
    ]
    assert "gains delete on core/configmaps in namespace team-6" in findings[0]["message"]
    # At the line the change wrote, in the moved file.
    assert findings[0]["location"]["path"] == "rbac.yaml"
    assert (
        findings[0]["location"]["line"] == head.splitlines().index("    verbs: [get, delete]") + 1
    )


def _sa(i: int) -> str:
    return f"k8s:team/ServiceAccount/sa-{i}"


def _rule(i: int, verb: str, line: int, scope: str = "team") -> Grant:
    return Grant(
        identity=_sa(i),
        permissions=(Permission(verb, "core/configmaps", scope),),
        via=f"RoleBinding team/bind-{i} → Role team/role-{i}",
        location=Location(path="rbac.yaml", line=line),
    )


def _model(grants: list[Grant]) -> Model:
    identities = {
        _sa(i): Identity(address=_sa(i), provider="kubernetes", kind="ServiceAccount", name=str(i))
        for i in range(ROLES)
    }
    return Model(identities=identities, grants=grants).seal()


def test_rules_that_only_moved_are_not_compared_and_gains_are_classified() -> None:
    base = _model([_rule(i, verb, 10 * i + n) for i in range(ROLES) for n, verb in enumerate("gl")])
    head_rules = [_rule(i, v, 10 * i + n + 3) for i in range(ROLES) for n, v in enumerate("gl")]
    head_rules += [
        _rule(12, "delete", 999),  # a verb it never held
        _rule(30, "g", 998, scope="*"),  # a verb it held in its namespace, now cluster-wide
        _rule(55, "l", 997),  # a second rule giving what it already had
    ]
    deltas = grant_deltas(base, _model(head_rules))
    assert [(d.identity.address, d.kind, d.added, d.grant) for d in deltas] == [
        (_sa(12), "growth", head_rules[-3].permissions, head_rules[-3]),
        (_sa(30), "scope", head_rules[-2].permissions, head_rules[-2]),
    ]
