"""The GitHub Action's entry point: ``python -m driftgate.analyzer.github`` (see action.yml).

Everything the action does besides installing driftgate and uploading SARIF happens
here, where it can be tested with a simulated runner:

1. inputs come from ``INPUT_*`` variables (``INPUT_PATH``, ``INPUT_BASE``,
   ``INPUT_FAIL_ON``, ``INPUT_SARIF_FILE``, ``INPUT_SUMMARY``, ``INPUT_ARGS``,
   ``INPUT_PLAN``) or the matching command-line options;
2. the base defaults to the event's: ``pull_request.base.sha`` (``pull_request`` and
   ``pull_request_target``), ``merge_group.base_sha``, or a push's ``before``; without
   one the whole tree is scanned (every finding is new);
3. a shallow clone gets what the comparison needs: a missing base commit is fetched
   alone (``git fetch --depth=1 origin <sha>``); when the merge-base still cannot be
   found, the checked-out commit is fetched with its parents (``--depth=2``: enough for
   the merge commit ``actions/checkout`` makes for a pull request); failing that, the
   run stops with a message that says to check out with ``fetch-depth: 0``;
4. ``driftgate scan`` runs once (in this process) and writes every report: SARIF (its
   primary locations moved onto lines the change touched where a finding has one),
   JSON, markdown, text and workflow-command annotations;
5. the text report goes to the log between ``::stop-commands::`` markers (nothing in
   the repository can issue a workflow command through it), then the annotations; the
   markdown report is appended to ``$GITHUB_STEP_SUMMARY``; ``findings`` (the number of
   reported findings), ``sarif-file``, ``comment-url`` and ``exit-code`` go to
   ``$GITHUB_OUTPUT``;
6. on a pull request, the markdown report is posted as one comment and updated in place
   on every push (``INPUT_COMMENT``: true, false or on-findings; the token comes from
   ``INPUT_GITHUB_TOKEN``; see :mod:`driftgate.analyzer.github_comment`).

The exit code is the CLI's (0 clean, 1 findings at or above ``fail-on``, 2 the run
cannot be trusted), unless ``DRIFTGATE_DEFER_EXIT`` is true: then it is 0 and the code
is only in the ``exit-code`` output, so that action.yml can upload SARIF before failing
the job.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import io
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO, cast

from driftgate.analyzer import cli, github_comment
from driftgate.analyzer.report import github as github_report
from driftgate.analyzer.report import sarif
from driftgate.analyzer.terraform.plan import split_plan_argument

EXIT_ERROR = 2
_TRUE = {"1", "true", "yes", "on"}
_FETCH_DEPTH_HINT = (
    "check out the full history: actions/checkout with `fetch-depth: 0`"
    " (or pass the base explicitly with the `base` input)"
)


@dataclass(frozen=True, slots=True)
class Inputs:
    path: str = "."
    base: str = ""
    fail_on: str = "high"
    sarif_file: str = ""
    summary: bool = True
    args: str = ""
    # Terraform plan JSON files, `[ENV=]FILE` separated by spaces or newlines.
    plan: str = ""
    # Where the configuration comes from in diff mode: "base" (a pull request cannot
    # relax its own gate) or "head".
    config_from: str = "base"
    # A baseline file (driftgate baseline write), relative to the workspace: the findings
    # it holds are not reported. Read from the base commit with config-from base.
    baseline: str = ""
    # Post the markdown report as one pull-request comment, updated on every push:
    # "true", "false" or "on-findings" (only when there is something to say).
    comment: str = "on-findings"
    # The workflow's token, for the comment (never printed).
    token: str = ""
    defer_exit: bool = False


class ActionError(Exception):
    """A problem that stops the run before or around the scan (exit code 2)."""


def _flag(value: str | None, default: bool) -> bool:
    if value is None or not value.strip():
        return default
    return value.strip().lower() in _TRUE


def parse_inputs(argv: Sequence[str], environ: Mapping[str, str]) -> Inputs:
    """Command-line options first, then ``INPUT_*`` variables, then the defaults."""

    def env(name: str, default: str = "") -> str:
        return environ.get(f"INPUT_{name}", "").strip() or default

    parser = argparse.ArgumentParser(
        prog="python -m driftgate.analyzer.github", description="driftgate for GitHub Actions"
    )
    parser.add_argument("--path", default=env("PATH", "."))
    parser.add_argument("--base", default=env("BASE"))
    parser.add_argument("--fail-on", default=env("FAIL_ON", "high"))
    parser.add_argument("--sarif-file", default=env("SARIF_FILE"))
    parser.add_argument(
        "--summary",
        default=_flag(environ.get("INPUT_SUMMARY"), True),
        action=argparse.BooleanOptionalAction,
    )
    parser.add_argument("--args", default=env("ARGS"))
    parser.add_argument("--plan", default=env("PLAN"))
    parser.add_argument("--config-from", default=env("CONFIG_FROM", "base"))
    parser.add_argument("--baseline", default=env("BASELINE"))
    parser.add_argument("--comment", default=env("COMMENT", "on-findings"))
    parser.add_argument(
        "--defer-exit",
        default=_flag(environ.get("DRIFTGATE_DEFER_EXIT"), False),
        action=argparse.BooleanOptionalAction,
    )
    ns = parser.parse_args(list(argv))
    return Inputs(
        path=ns.path,
        base=ns.base.strip(),
        fail_on=ns.fail_on.strip().lower(),
        sarif_file=ns.sarif_file,
        summary=ns.summary,
        args=ns.args,
        plan=ns.plan,
        config_from=ns.config_from.strip().lower(),
        baseline=ns.baseline.strip(),
        comment=ns.comment.strip().lower(),
        # Only from the environment: a command-line token would show in process lists.
        token=environ.get("INPUT_GITHUB_TOKEN", "").strip(),
        defer_exit=ns.defer_exit,
    )


# --- the event ---------------------------------------------------------------------------


def load_event(environ: Mapping[str, str]) -> dict[str, Any]:
    path = environ.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ActionError(f"cannot read the event payload {path}: {exc}") from None
    return data if isinstance(data, dict) else {}


def _dig(data: object, *keys: str) -> str | None:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data if isinstance(data, str) and data else None


def base_from_event(event_name: str, event: Mapping[str, Any]) -> str | None:
    """The commit a change is judged against, as the triggering event names it."""
    if "pull_request" in event:
        return _dig(event, "pull_request", "base", "sha")
    if event_name == "merge_group":
        return _dig(event, "merge_group", "base_sha")
    before = _dig(event, "before")
    if event_name == "push" and before and before.strip("0"):
        return before
    return None


# --- git ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Git:
    """``git`` in the scanned folder, read-only but for ``fetch``."""

    folder: Path

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", *args],
            cwd=self.folder,
            capture_output=True,
            text=True,
            check=False,
        )

    def has_commit(self, rev: str) -> bool:
        return self.run("cat-file", "-e", f"{rev}^{{commit}}").returncode == 0

    def merge_base(self, a: str, b: str) -> str | None:
        proc = self.run("merge-base", a, b)
        if proc.returncode != 0:
            return None
        return proc.stdout.strip() or None

    def is_shallow(self) -> bool:
        return self.run("rev-parse", "--is-shallow-repository").stdout.strip() == "true"

    def fetch(self, depth: int, rev: str) -> subprocess.CompletedProcess[str]:
        return self.run("fetch", "--no-tags", "--quiet", f"--depth={depth}", "origin", rev)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def ensure_history(git: Git, base: str, log: TextIO) -> str:
    """Make ``base`` and its merge-base with HEAD available; return that merge-base."""
    if not git.has_commit(base):
        print(f"driftgate: base commit {base} is not in the clone; fetching it", file=log)
        proc = git.fetch(1, base)
        if proc.returncode != 0 or not git.has_commit(base):
            raise ActionError(
                f"the base commit {base} is not in this clone and"
                f" `git fetch --depth=1 origin {base}` failed ({_last_line(proc.stderr)}):"
                f" {_FETCH_DEPTH_HINT}"
            )
    fork = git.merge_base(base, "HEAD")
    if fork is None and git.is_shallow():
        head = git.run("rev-parse", "HEAD").stdout.strip()
        print(f"driftgate: shallow clone; fetching {head} with its parents", file=log)
        git.fetch(2, head)
        fork = git.merge_base(base, "HEAD")
    if fork is None:
        shallow = " in this shallow clone" if git.is_shallow() else ""
        raise ActionError(
            f"no common ancestor of the base {base} and HEAD{shallow}: {_FETCH_DEPTH_HINT}"
        )
    return fork


_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


def _diff_path(raw: str) -> str | None:
    raw = raw.rstrip("\n")
    if raw == "/dev/null":
        return None
    if raw.startswith('"') and raw.endswith('"'):
        raw = codecs.escape_decode(raw[1:-1].encode("utf-8"))[0].decode("utf-8", "replace")
    return raw[2:] if raw.startswith("b/") else raw


def parse_changed_lines(diff: str) -> dict[str, set[int]]:
    """``git diff --unified=0`` output → {repo-relative path: lines added or changed}."""
    changed: dict[str, set[int]] = {}
    current: str | None = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            current = _diff_path(line[4:])
            continue
        match = _HUNK.match(line)
        if match and current is not None:
            start, count = int(match.group(1)), int(match.group(2) or "1")
            changed.setdefault(current, set()).update(range(start, start + count))
    return changed


def changed_lines(git: Git, fork: str, target: Path) -> dict[str, set[int]]:
    """Lines of the working tree that differ from ``fork``, under ``target``."""
    proc = git.run(
        "-c",
        "core.quotePath=false",
        "diff",
        "--no-color",
        "--no-ext-diff",
        "--no-renames",
        "--unified=0",
        fork,
        "--",
        str(target),
    )
    return parse_changed_lines(proc.stdout) if proc.returncode == 0 else {}


# --- the runner's files ----------------------------------------------------------------


def set_output(environ: Mapping[str, str], name: str, value: str) -> None:
    path = environ.get("GITHUB_OUTPUT")
    if not path:
        return
    with Path(path).open("a", encoding="utf-8") as out:
        if "\n" in value or "\r" in value:
            delimiter = f"ghadelimiter_{uuid.uuid4()}"
            out.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
        else:
            out.write(f"{name}={value}\n")


def append_summary(environ: Mapping[str, str], markdown: str) -> None:
    path = environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    with Path(path).open("a", encoding="utf-8") as out:
        out.write(markdown if markdown.endswith("\n") else markdown + "\n")


def print_untrusted(text: str, out: TextIO) -> None:
    """Print repository-derived text so that no line of it is taken as a workflow command."""
    token = uuid.uuid4().hex
    print(f"::stop-commands::{token}", file=out)
    print(text.rstrip("\n"), file=out)
    print(f"::{token}::", file=out)


# --- the run -----------------------------------------------------------------------------


def _sarif_destination(inputs: Inputs, workspace: Path, environ: Mapping[str, str]) -> Path:
    if inputs.sarif_file:
        chosen = Path(inputs.sarif_file)
        return chosen if chosen.is_absolute() else workspace / chosen
    folder = environ.get("RUNNER_TEMP") or tempfile.gettempdir()
    return Path(folder) / "driftgate.sarif"


def _fail(message: str, environ: Mapping[str, str], inputs: Inputs, out: TextIO) -> int:
    print(github_report.command("error", message, title="driftgate"), file=out)
    if inputs.summary:
        append_summary(environ, f"### ⛔ driftgate could not run\n\n{message}\n")
    set_output(environ, "exit-code", str(EXIT_ERROR))
    return 0 if inputs.defer_exit else EXIT_ERROR


def run(inputs: Inputs, environ: Mapping[str, str], out: TextIO | None = None) -> int:
    """The action's work for ``inputs`` in the runner described by ``environ``."""
    out = out if out is not None else sys.stdout
    workspace = Path(environ.get("GITHUB_WORKSPACE") or Path.cwd()).resolve()
    target = (workspace / inputs.path).resolve()
    git = Git(target)
    try:
        if not target.is_relative_to(workspace):
            raise ActionError(f"path {inputs.path} is outside the workspace {workspace}")
        if not target.is_dir():
            raise ActionError(f"path {inputs.path} is not a folder in the workspace")
        event = load_event(environ)
        base = inputs.base or base_from_event(environ.get("GITHUB_EVENT_NAME", ""), event)
        fork = ensure_history(git, base, out) if base else None
        extra = shlex.split(inputs.args)
        plans = plan_arguments(inputs.plan, workspace)
        if inputs.config_from not in ("base", "head"):
            raise ActionError(f"config-from must be base or head, not {inputs.config_from}")
        if inputs.comment not in github_comment.MODES:
            modes = ", ".join(github_comment.MODES)
            raise ActionError(f"comment must be one of {modes}, not {inputs.comment}")
    except (ActionError, ValueError) as exc:
        return _fail(f"driftgate: {exc}", environ, inputs, out)
    if not base and plans:
        print("driftgate: no base commit in the event: comparing with the plans", file=out)
    elif not base:
        print("driftgate: no base commit in the event: scanning the whole tree", file=out)

    sarif_path = _sarif_destination(inputs, workspace, environ)
    sarif_path.parent.mkdir(parents=True, exist_ok=True)
    sarif_path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="driftgate-") as tmp:
        reports = {fmt: Path(tmp) / f"report.{fmt}" for fmt in ("json", "md", "txt", "gh")}
        argv = [
            "scan",
            str(target),
            *(["--base", base] if base else []),
            "--fail-on",
            inputs.fail_on,
            *("-f", "sarif", "-o", str(sarif_path)),
            *("-f", "json", "-o", str(reports["json"])),
            *("-f", "markdown", "-o", str(reports["md"])),
            *("-f", "text", "-o", str(reports["txt"])),
            *("-f", "github", "-o", str(reports["gh"])),
            *plans,
            *_baseline(inputs, workspace, base or ""),
            *_config_from(inputs, base or "", extra),
            *extra,
        ]
        errors = io.StringIO()
        with contextlib.redirect_stderr(errors):
            code = cli.main(argv)
        if not reports["json"].exists():
            why = _last_line(errors.getvalue()).removeprefix("driftgate: error: ")
            return _fail(f"driftgate: {why}", environ, inputs, out)
        if errors.getvalue().strip():
            print_untrusted(errors.getvalue(), out)

        document = json.loads(reports["json"].read_text(encoding="utf-8"))
        if fork is not None and sarif_path.exists():
            data = json.loads(sarif_path.read_text(encoding="utf-8"))
            data = sarif.prefer_changed_lines(data, changed_lines(git, fork, target))
            sarif_path.write_text(sarif.dumps(data), encoding="utf-8")
        print_untrusted(reports["txt"].read_text(encoding="utf-8"), out)
        out.write(reports["gh"].read_text(encoding="utf-8"))
        markdown = reports["md"].read_text(encoding="utf-8")
        if inputs.summary:
            append_summary(environ, markdown)
        found = int(document["summary"]["findings"]) > 0 or code != 0
        url = _comment(inputs, environ, event, markdown, found, out)

    set_output(environ, "findings", str(document["summary"]["findings"]))
    set_output(environ, "comment-url", url or "")
    set_output(environ, "sarif-file", str(sarif_path) if sarif_path.exists() else "")
    set_output(environ, "exit-code", str(code))
    return 0 if inputs.defer_exit else code


def _comment(
    inputs: Inputs,
    environ: Mapping[str, str],
    event: Mapping[str, Any],
    markdown: str,
    found: bool,
    out: TextIO,
) -> str | None:
    """Post or update the pull-request comment as ``inputs.comment`` asks; the comment's
    address, or None. Whatever goes wrong is said, and the gate's result stands."""
    mode = cast(github_comment.Mode, inputs.comment)
    if mode == "false":
        return None
    target = github_comment.target_from(environ, event, inputs.token)
    if target is None:
        if mode == "true":
            name = environ.get("GITHUB_EVENT_NAME", "this event")
            print(f"driftgate: no pull request to comment on ({name})", file=out)
        return None
    if not inputs.token:
        message = "driftgate: no github-token input: the report is not posted as a comment"
        print(github_report.command("warning", message, title="driftgate"), file=out)
        return None
    try:
        outcome = github_comment.upsert(target, markdown, has_findings=found, mode=mode)
    except github_comment.CommentError as exc:
        why = github_comment.explain(exc, target)
        print(github_report.command("warning", why, title="driftgate"), file=out)
        if inputs.summary:
            append_summary(environ, f"> [!NOTE]\n> {why}\n")
        return None
    if outcome.action != "skipped":
        print(f"driftgate: {outcome.action} the pull-request comment {outcome.url or ''}", file=out)
    return outcome.url


def _baseline(inputs: Inputs, workspace: Path, base: str) -> list[str]:
    """``--baseline FILE``, read from the base commit when config-from is base, even when
    ``args`` names a configuration file: the pull request must not baseline itself."""
    if not inputs.baseline:
        return []
    where = ["--baseline-from", "base"] if inputs.config_from == "base" and base else []
    return ["--baseline", str(workspace / inputs.baseline), *where]


def _config_from(inputs: Inputs, base: str, extra: Sequence[str]) -> list[str]:
    """``--config-from base`` when comparing with a base commit and no ``-c`` is given
    (a configuration named in ``args`` is the workflow's, trusted as it is)."""
    explicit = any(a in ("-c", "--config") or a.startswith("--config=") for a in extra)
    if inputs.config_from == "base" and base and not explicit:
        return ["--config-from", "base"]
    return []


def plan_arguments(value: str, workspace: Path) -> list[str]:
    """The ``plan`` input as ``--plan`` arguments; relative files are in the workspace."""
    arguments: list[str] = []
    for item in value.split():
        env, name = split_plan_argument(item)
        file = Path(name) if Path(name).is_absolute() else workspace / name
        arguments += ["--plan", f"{env}={file}" if env else str(file)]
    return arguments


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Entry point; returns the exit code (the CLI's, or 0 with DRIFTGATE_DEFER_EXIT)."""
    environ = os.environ if environ is None else environ
    inputs = parse_inputs(sys.argv[1:] if argv is None else argv, environ)
    return run(inputs, environ)


if __name__ == "__main__":
    sys.exit(main())
