"""Baselines: the findings a repository already had when it adopted driftgate.

``driftgate baseline write`` records every current finding by its fingerprint (with its
check, location, identity and message for the people who review the file); a scan with
that baseline hides those findings, and says which entries no longer match any finding
(fixed, so the file can shrink). Fingerprints never hash line numbers, so an entry keeps
matching its finding across unrelated edits.

The file is JSON with one entry per line, sorted, and nothing that changes from run to
run (no time, no version): writing it twice gives the same bytes, and its diff in a pull
request is one line per finding gained or fixed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.engine.findings import Finding

FORMAT_KEY = "driftgate-baseline"
FORMAT_VERSION = 1
# Large enough for a monorepo's worth of findings, small enough to refuse a hostile file.
MAX_ENTRIES = 200_000


class BaselineError(Exception):
    """A baseline file that cannot be used: names the file, the line and the cause."""


@dataclass(frozen=True, slots=True)
class Entry:
    fingerprint: str
    check: str
    path: str
    line: int
    identity: str
    message: str
    # The entry's line in the baseline file (for stale entries); 0 when not from a file.
    at: int = 0


@dataclass(frozen=True, slots=True)
class Baseline:
    # Where the file was read from, as the user names it.
    name: str
    entries: tuple[Entry, ...]

    def fingerprints(self) -> frozenset[str]:
        return frozenset(e.fingerprint for e in self.entries)


@dataclass(frozen=True, slots=True)
class Applied:
    """A scan's findings with the baseline's hidden, and the entries matching none."""

    findings: list[Finding]
    hidden: int
    stale: tuple[Entry, ...]

    def diagnostics(self, name: str) -> list[Diagnostic]:
        """One warning per stale entry, at its line of the baseline file."""
        return [
            Diagnostic(
                path=name,
                line=entry.at or 1,
                message=(
                    f"baseline entry {entry.check} on {entry.identity} ({entry.path}:"
                    f"{entry.line}) matches no finding any more: it was fixed; remove the"
                    " entry, or write the baseline again (driftgate baseline write)"
                ),
                kind="stale-baseline",
                level="warning",
            )
            for entry in self.stale
        ]


def entries_of(findings: Iterable[Finding]) -> list[Entry]:
    """The baseline entries for ``findings``: those a scan reports (not suppressed, not
    fixed), one per fingerprint, in a stable order."""
    chosen: dict[str, Entry] = {}
    for f in findings:
        if f.suppressed is not None or f.baseline_state == "absent":
            continue
        where = f.location
        chosen.setdefault(
            f.fingerprint,
            Entry(
                fingerprint=f.fingerprint,
                check=f.check.id,
                path=where.path if where else "",
                line=where.line if where else 0,
                identity=f.identity,
                message=f.message,
            ),
        )
    return sorted(chosen.values(), key=lambda e: (e.check, e.path, e.line, e.fingerprint))


def dumps(entries: Sequence[Entry]) -> str:
    """The file's text: one entry per line, keys in a fixed order, UTF-8 kept readable."""
    lines = [f'{{"{FORMAT_KEY}": {FORMAT_VERSION}, "findings": [']
    for i, e in enumerate(entries):
        item = {
            "fingerprint": e.fingerprint,
            "check": e.check,
            "path": e.path,
            "line": e.line,
            "identity": e.identity,
            "message": e.message,
        }
        comma = "," if i < len(entries) - 1 else ""
        lines.append("  " + json.dumps(item, ensure_ascii=False) + comma)
    lines.append("]}")
    return "\n".join(lines) + "\n"


def loads(data: bytes, name: str) -> Baseline:
    """A baseline from the bytes of ``name``; BaselineError naming the line otherwise."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BaselineError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{name}:{exc.lineno}: not JSON: {exc.msg}") from None
    except RecursionError:
        raise BaselineError(f"{name}: nested too deeply to be a baseline") from None
    version = document.get(FORMAT_KEY) if isinstance(document, dict) else None
    if type(version) is not int or version != FORMAT_VERSION:
        raise BaselineError(
            f"{name}:1: not a driftgate baseline (expected a JSON object with"
            f' "{FORMAT_KEY}": {FORMAT_VERSION}; write one with driftgate baseline write)'
        )
    items = document.get("findings")
    if not isinstance(items, list):
        raise BaselineError(f'{name}:1: "findings" must be a list')
    if len(items) > MAX_ENTRIES:
        raise BaselineError(f"{name}: {len(items)} entries, more than {MAX_ENTRIES}")
    lines = _lines_of_fingerprints(text)
    entries = [_entry(item, i, name, lines) for i, item in enumerate(items)]
    return Baseline(name, tuple(entries))


def apply(
    findings: Sequence[Finding],
    baseline: Baseline,
    judged: Iterable[str],
    in_scope: Callable[[str], bool] = lambda path: True,
) -> Applied:
    """Hide the findings the baseline holds (a suppression of kind "external", so SARIF
    consumers dismiss them too). An entry of a check in ``judged`` (the checks that ran),
    at a path the scan read (``in_scope``: not in another folder, not excluded), whose
    fingerprint no finding of the head has is stale. Findings the change fixes
    ("absent") do not keep an entry alive."""
    prints = baseline.fingerprints()
    reason = f"in the baseline {baseline.name}"
    out: list[Finding] = []
    hidden = 0
    for f in findings:
        if f.fingerprint in prints and f.baseline_state != "absent" and f.suppressed is None:
            out.append(replace(f, suppressed=reason, suppression_kind="external", in_baseline=True))
            hidden += 1
        else:
            out.append(f)
    present = {f.fingerprint for f in findings if f.baseline_state != "absent"}
    ran = set(judged)
    stale = tuple(
        e
        for e in baseline.entries
        if e.check in ran and e.fingerprint not in present and (not e.path or in_scope(e.path))
    )
    return Applied(out, hidden, stale)


def _lines_of_fingerprints(text: str) -> dict[str, int]:
    # Where each fingerprint is written, so a stale entry is named by its line; a file
    # edited by hand may spread an entry over lines, the fingerprint's line is the one.
    found: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        start = line.find('"fingerprint"')
        if start < 0:
            continue
        rest = line[start + len('"fingerprint"') :].lstrip(" :")
        if rest.startswith('"'):
            found.setdefault(rest[1:].split('"', 1)[0], number)
    return found


def _entry(item: object, index: int, name: str, lines: dict[str, int]) -> Entry:
    if not isinstance(item, dict):
        raise BaselineError(f"{name}: entry {index + 1} is not an object")
    fingerprint = item.get("fingerprint")
    check = item.get("check")
    if not isinstance(fingerprint, str) or not fingerprint:
        raise BaselineError(f"{name}: entry {index + 1} has no fingerprint")
    at = lines.get(fingerprint, 0)
    if not isinstance(check, str) or not check:
        raise BaselineError(f"{name}:{at or 1}: entry {index + 1} has no check id")
    line = item.get("line", 0)
    return Entry(
        fingerprint=fingerprint,
        check=check.upper(),
        path=_string(item.get("path")),
        line=line if type(line) is int else 0,
        identity=_string(item.get("identity")),
        message=_string(item.get("message")),
        at=at,
    )


def _string(value: object) -> str:
    return value if isinstance(value, str) else ""
