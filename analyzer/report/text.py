"""The text report: one line per problem, compiler style, grouped by file, then a summary.

::

    modules/ml/iam.tf:14: DG101 [high] ml-serve may now s3:PutObject on ...
    modules/ml/iam.tf:30: warning: value of var.bucket unknown

    modules/ml/keys.tf:3: DG301 [critical] static access key for role ml-serve used by ...

    aws_iam_role.ml: DG401 [medium] inference role ml has no owner tag
    3 findings (1 critical, 1 high, 1 medium) in 12 files in 0.42s; failing at --fail-on high.

Every line keeps its ``path:line:`` prefix (editors and CI log parsers jump to it);
the lines of one file (diagnostics and findings, by line) stand together, a blank line
between files. Problems of the run itself come first, findings without a source location
last, under their identity address. Suppressed findings and, in diff mode, findings no
longer present are not listed (suppressed ones are with ``show_suppressed``); the summary
counts the suppressed ones.

The summary counts findings by severity, and the resource types driftgate does not model
apart from other warnings; when the caller measured it, it says how long the run took.
``quiet`` keeps only what fails the run: error diagnostics and findings at or above
``--fail-on``, then the summary line (with ``--fail-on none``: the summary alone).

:class:`Progress` is the indicator the CLI shows on stderr while a long run works, on a
terminal only.
"""

from __future__ import annotations

import itertools
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

from driftgate.analyzer.checkapi import Severity
from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.engine.findings import Finding, ScanResult
from driftgate.analyzer.report.common import (
    NOT_READ_KIND,
    SEVERITY_ORDER,
    UNMODELLED_KIND,
    UNPARSED_KINDS,
    fixed,
    in_baseline,
    modules_not_read,
    plural,
    printable,
    severity_counts,
    sorted_diagnostics,
    sorted_findings,
    suppressed,
    unmodelled_types,
    unparsed_files,
)

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_SEVERITY_COLOR = {
    Severity.CRITICAL: "\x1b[1;35m",
    Severity.HIGH: "\x1b[1;31m",
    Severity.MEDIUM: "\x1b[33m",
    Severity.LOW: "\x1b[36m",
}
_LEVEL_COLOR = {"error": "\x1b[1;31m", "warning": "\x1b[33m"}
_GREEN = "\x1b[32m"

_Paint = Callable[[str, str], str]


def render(
    result: ScanResult,
    *,
    color: bool = False,
    quiet: bool = False,
    elapsed: float | None = None,
    show_suppressed: bool = False,
) -> str:
    """The text report; ANSI colour only when ``color`` (the CLI passes ``isatty()``).

    ``quiet``: only what fails the run, then the summary. ``elapsed``: seconds the run
    took, shown in the summary when given. ``show_suppressed`` (not with ``quiet``): also
    the suppressed findings, each marked with its suppression's reason.
    """
    paint = _painter(color)
    diagnostics = sorted_diagnostics(result.diagnostics)
    listed = result.failing() if quiet else result.reported()
    if show_suppressed and not quiet:
        listed = listed + suppressed(result) + in_baseline(result)
    findings = sorted_findings(listed)
    if quiet:
        diagnostics = [d for d in diagnostics if d.level == "error"]
    groups: dict[tuple[int, str], list[tuple[int, int, str]]] = {}
    for i, d in enumerate(diagnostics):
        key = (1, d.path) if d.path else (0, "")
        groups.setdefault(key, []).append((d.line, i, _diagnostic_line(d, paint)))
    for i, f in enumerate(findings, start=len(diagnostics)):
        key = (1, f.location.path) if f.location else (2, f.identity)
        line = f.location.line if f.location else 0
        groups.setdefault(key, []).append((line, i, _finding_line(f, paint)))
    blocks = ["\n".join(entry[2] for entry in sorted(groups[key])) for key in sorted(groups)]
    summary = _summary(result, elapsed)
    clean = not result.reported() and result.exit_code() == 0
    return (
        "\n\n".join(blocks)
        + ("\n" if blocks else "")
        + paint(summary, _GREEN if clean else _BOLD)
        + "\n"
    )


def _painter(color: bool) -> _Paint:
    if color:
        return lambda text, code: f"{code}{text}{_RESET}"
    return lambda text, code: text


def _where(path: str, line: int) -> str:
    return f"{printable(path)}:{line}" if path else "<run>"


def diagnostic_line(diagnostic: Diagnostic) -> str:
    """``path:line: error: message``, uncoloured: what the CLI says on stderr."""
    return _diagnostic_line(diagnostic, _painter(False))


def _diagnostic_line(diagnostic: Diagnostic, paint: _Paint) -> str:
    level = paint(f"{diagnostic.level}:", _LEVEL_COLOR[diagnostic.level])
    where = paint(_where(diagnostic.path, diagnostic.line), _BOLD)
    return f"{where}: {level} {printable(diagnostic.message)}"


def _finding_line(finding: Finding, paint: _Paint) -> str:
    loc = finding.location
    where = printable(finding.identity) if loc is None else _where(loc.path, loc.line)
    tag = paint(f"[{finding.severity}]", _SEVERITY_COLOR[finding.severity])
    line = f"{paint(where, _BOLD)}: {finding.check.id} {tag} {printable(finding.message)}"
    if finding.confidence != "high":
        line += f" (confidence: {finding.confidence})"
    if finding.in_baseline:
        line += " (in the baseline)"
    elif finding.suppressed is not None:
        where_from = "inline" if finding.suppression_kind == "inSource" else "config"
        line += f" (suppressed, {where_from}: {printable(finding.suppressed)})"
    return line


def _breakdown(findings: list[Finding]) -> str:
    counts = severity_counts(findings)
    return ", ".join(f"{counts[s]} {s}" for s in SEVERITY_ORDER if counts[s])


def took(seconds: float) -> str:
    """``0.42s``, ``12.3s``, ``2m05s``: how long a run took, for people."""
    if seconds < 10:
        return f"{seconds:.2f}s"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m{rest:02d}s"


def _summary(result: ScanResult, elapsed: float | None = None) -> str:
    reported = result.reported()
    files = plural(result.files_scanned, "file")
    if result.files_excluded:
        files += f" ({result.files_excluded} excluded)"
    if elapsed is not None:
        files += f" in {took(elapsed)}"
    parts: list[str] = []
    if any(d.kind == "nothing-analysed" for d in result.diagnostics):
        # "No identity drift found" would read as a pass.
        parts.append(f"Nothing analysed: no Terraform or Kubernetes file among {files}")
    elif result.diff_mode:
        base = printable(result.base_label) if result.base_label else "the base"
        new = [f for f in reported if f.baseline_state == "new"]
        if new:
            noun = "finding" if len(new) == 1 else "findings"
            parts.append(f"{len(new)} new {noun} ({_breakdown(new)}) against {base} in {files}")
        else:
            parts.append(f"No new identity drift against {base} in {files}")
        if existing := len(reported) - len(new):
            parts.append(f"{plural(existing, 'finding')} already present at base")
        if gone := fixed(result):
            ids = ", ".join(sorted({f.check.id for f in gone}))
            parts.append(f"{len(gone)} fixed by the change ({ids})")
    elif reported:
        parts.append(f"{plural(len(reported), 'finding')} ({_breakdown(reported)}) in {files}")
    else:
        parts.append(f"No identity drift found in {files}")

    if silenced := len(suppressed(result)):
        parts.append(f"{silenced} suppressed")
    if known := len(in_baseline(result)):
        parts.append(f"{known} in the baseline")
    if unparsed := len(unparsed_files(result)):
        parts.append(f"{plural(unparsed, 'file')} could not be parsed")
    errors = sum(
        1
        for d in result.diagnostics
        if d.level == "error" and d.kind not in UNPARSED_KINDS and d.kind != "nothing-analysed"
    )
    if errors:
        parts.append(plural(errors, "error"))
    if types := unmodelled_types(result):
        parts.append(f"{plural(types, 'resource type')} not modelled")
    if calls := modules_not_read(result):
        parts.append(f"{plural(calls, 'module call')} not read")
    warnings = sum(
        1
        for d in result.diagnostics
        if d.level == "warning" and d.kind not in (UNMODELLED_KIND, NOT_READ_KIND)
    )
    if warnings:
        parts.append(plural(warnings, "warning"))
    if result.failing() and result.fail_on is not None:
        parts.append(f"failing at --fail-on {result.fail_on}")
    return "; ".join(parts) + "."


_SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class Progress:
    """A one-line spinner with the current step and the time so far, on a terminal.

    Nothing is written unless ``stream`` is a TTY (or ``enabled`` says so), and nothing
    before ``delay`` seconds have passed: a quick run (pre-commit on a small change)
    prints nothing extra. The line is rewritten in place and erased on exit, so the
    report that follows starts on a clean line. Use as a context manager::

        with Progress() as progress:
            progress.step("reading files")
            ...
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        enabled: bool | None = None,
        delay: float = 1.0,
        interval: float = 0.1,
    ) -> None:
        self._stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self._stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self._delay = delay
        self._interval = interval
        self._label = "working"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start = time.monotonic()
        self._shown = False

    def step(self, label: str) -> None:
        """Name what the run is doing now (shown at the next refresh)."""
        self._label = label

    def __enter__(self) -> Progress:
        self._start = time.monotonic()
        if self.enabled:
            self._thread = threading.Thread(target=self._spin, name="driftgate-progress")
            self._thread.daemon = True
            self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._shown:
            self._stream.write("\r\x1b[K")
            self._stream.flush()

    def _spin(self) -> None:
        frames = itertools.cycle(_SPINNER)
        while not self._stop.wait(self._interval):
            elapsed = time.monotonic() - self._start
            if elapsed < self._delay:
                continue
            line = f"{next(frames)} driftgate: {printable(self._label)}… {took(elapsed)}"
            self._stream.write(f"\r\x1b[K{line}")
            self._stream.flush()
            self._shown = True
