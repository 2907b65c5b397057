"""A Mermaid flowchart of who gains what: the picture at the top of the markdown report.

Workloads run as identities (through federation: IRSA, GKE or Azure workload identity),
and identities gain permissions or carry findings; each environment is a box, so a prod
workload pointing at a staging principal is an arrow that crosses boxes. Only what the
reported findings touch is drawn, most severe first, bounded in size: what does not fit
is one node that counts it.

Everything from the repository is inert text. Node, box and edge ids are ours (``n3``,
``e1``); names only ever appear inside double-quoted labels, where every character but
letters, digits and a few harmless marks is written as a Mermaid entity code (``#60;``
for ``<``). No label can end its quotes, start a line (``click``, ``style``, a
``%%{init}%%`` directive), hold HTML or Markdown, or close the code fence around it.
"""

from __future__ import annotations

import itertools
import string
from collections.abc import Sequence
from dataclasses import dataclass, field

from driftgate.analyzer.checkapi import Severity, target_text
from driftgate.analyzer.engine.findings import ChainNode, Finding

# Identities drawn at most (their findings and workloads with them); the rest is counted.
MAX_IDENTITIES = 12
# Workloads drawn per identity, and gained targets drawn per finding.
MAX_WORKLOADS = 6
MAX_TARGETS = 3
# Actions named per gained target before "+N", and findings drawn per identity.
MAX_ACTIONS = 3
MAX_FINDINGS = 6
LABEL_CHARS = 70

# ":" is not among them: mermaid drops the last ";" of any line where "style" or
# "classDef" precedes a ":" and a "#" (its own colour syntax), which would garble an
# entity code of a label such as "style n1 fill:#f00".
_SAFE = frozenset(string.ascii_letters + string.digits + " _-.,/*()+=")
_NO_ENVIRONMENT = ""
_SEVERITY_STYLE = {
    Severity.CRITICAL: "fill:#ffd7d5,stroke:#cf222e,color:#1f2328",
    Severity.HIGH: "fill:#ffe8cc,stroke:#bc4c00,color:#1f2328",
    Severity.MEDIUM: "fill:#fff8c5,stroke:#9a6700,color:#1f2328",
    Severity.LOW: "fill:#ddf4ff,stroke:#0969da,color:#1f2328",
}


def label(value: str) -> str:
    """Repository text as the inside of a double-quoted Mermaid label: entity codes for
    anything that is not plainly inert, cut to a readable length."""
    value = " ".join(value.split())
    if len(value) > LABEL_CHARS:
        value = value[: LABEL_CHARS - 1] + "…"
    return "".join(c if c in _SAFE else f"#{ord(c)};" for c in value)


@dataclass
class _Chart:
    # node id -> (label, environment)
    nodes: dict[str, tuple[str, str]] = field(default_factory=dict)
    by_key: dict[tuple[str, str], str] = field(default_factory=dict)
    edges: dict[tuple[str, str], str] = field(default_factory=dict)
    classes: dict[Severity, list[str]] = field(default_factory=dict)

    def node(self, kind: str, key: str, text: str, environment: str | None) -> str:
        found = self.by_key.get((kind, key))
        if found is None:
            found = f"n{len(self.nodes) + 1}"
            self.by_key[(kind, key)] = found
            self.nodes[found] = (text, environment or _NO_ENVIRONMENT)
        return found

    def edge(self, source: str, target: str, text: str) -> None:
        self.edges.setdefault((source, target), text)

    def styled(self, node: str, severity: Severity) -> None:
        self.classes.setdefault(severity, []).append(node)


def flowchart(findings: Sequence[Finding]) -> str | None:
    """The chart's Mermaid source (without the fence), or None with nothing to draw."""
    if not findings:
        return None
    by_identity: dict[str, list[Finding]] = {}
    for f in sorted(findings, key=lambda f: (-f.severity.rank, f.identity, f.check.id)):
        by_identity.setdefault(f.identity, []).append(f)
    chart = _Chart()
    drawn = list(by_identity.items())[:MAX_IDENTITIES]
    for identity, group in drawn:
        _draw_identity(chart, identity, group)
    lines = ["flowchart LR"]
    lines += _boxes(chart)
    left = len(by_identity) - len(drawn)
    if left:
        more = f"{left} more {'identity' if left == 1 else 'identities'} with findings"
        lines.append(f'  more["{label(more + ": see the tables below")}"]')
    lines += [f'  {a} -->|"{label(text)}"| {b}' for (a, b), text in chart.edges.items()]
    for severity, nodes in sorted(chart.classes.items(), key=lambda kv: -kv[0].rank):
        lines.append(f"  classDef {severity} {_SEVERITY_STYLE[severity]}")
        lines.append(f"  class {','.join(dict.fromkeys(nodes))} {severity}")
    return "\n".join(lines)


def _draw_identity(chart: _Chart, identity: str, group: list[Finding]) -> None:
    first = group[0]
    head = _identity_node(first, identity)
    target = chart.node("identity", identity, head.label, head.environment)
    starts: set[str] = set()
    hidden: set[str] = set()
    if len(group) > MAX_FINDINGS:
        rest = len(group) - MAX_FINDINGS
        more = chart.node("more-findings", identity, f"+{rest} more findings", head.environment)
        chart.edge(target, more, "see the tables")
        group = group[:MAX_FINDINGS]
    for finding in group:
        for chain in finding.chains:
            if chain[0].kind == "workload":
                if chain[0].address not in starts and len(starts) >= MAX_WORKLOADS:
                    hidden.add(chain[0].address)
                    continue
                starts.add(chain[0].address)
            _draw_chain(chart, chain)
        _draw_effect(chart, target, finding, head.environment)
    if hidden:
        more = chart.node("more-workloads", identity, f"+{len(hidden)} more workloads", None)
        chart.edge(more, target, "run as")


def _identity_node(finding: Finding, identity: str) -> ChainNode:
    for chain in finding.chains:
        if chain and chain[-1].address == identity:
            return chain[-1]
    return ChainNode(identity, finding.principal or identity, finding.environment, "identity")


def _draw_chain(chart: _Chart, chain: tuple[ChainNode, ...]) -> None:
    ids = [chart.node(n.kind, n.address, n.label, n.environment) for n in chain]
    for (node, a), (_, b) in itertools.pairwise(zip(chain, ids, strict=True)):
        chart.edge(a, b, "runs as" if node.kind == "workload" else "federates to")


def _draw_effect(chart: _Chart, identity_id: str, finding: Finding, env: str | None) -> None:
    """What the finding says of the identity: each gained target, or the finding."""
    why = f"{finding.check.id} {finding.severity}"
    if not finding.added:
        # As the report's tables name it: the check's slug and what it found.
        text = finding.check.slug + (f": {finding.after}" if finding.after else "")
        node = chart.node("finding", finding.fingerprint, f"{finding.check.id} {text}", env)
        chart.edge(identity_id, node, why)
        chart.styled(node, finding.severity)
        return
    targets: dict[str, list[str]] = {}
    for permission in finding.added:
        targets.setdefault(target_text(permission), []).append(permission.action)
    ordered = sorted(targets.items())
    for where, actions in ordered[:MAX_TARGETS]:
        named = ", ".join(actions[:MAX_ACTIONS])
        if len(actions) > MAX_ACTIONS:
            named += f" +{len(actions) - MAX_ACTIONS}"
        key = f"{finding.fingerprint}\x00{where}"
        node = chart.node("gain", key, f"gains {named} on {where}", env)
        chart.edge(identity_id, node, why)
        chart.styled(node, finding.severity)
    if len(ordered) > MAX_TARGETS:
        rest = len(ordered) - MAX_TARGETS
        node = chart.node("gain", f"{finding.fingerprint}\x00+", f"+{rest} more targets", env)
        chart.edge(identity_id, node, why)
        chart.styled(node, finding.severity)


def _boxes(chart: _Chart) -> list[str]:
    """Nodes inside one box per environment (in first-drawn order); the rest outside."""
    by_env: dict[str, list[str]] = {}
    for node, (_, env) in chart.nodes.items():
        by_env.setdefault(env, []).append(node)
    lines: list[str] = []
    for i, (env, nodes) in enumerate(by_env.items(), 1):
        inside = [f'{"    " if env else "  "}{n}["{label(chart.nodes[n][0])}"]' for n in nodes]
        if env:
            lines += [f'  subgraph e{i}["{label(env)}"]', *inside, "  end"]
        else:
            lines += inside
    return lines
