"""The ``driftgate`` command: click commands only; the work is done elsewhere."""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from driftgate.analyzer import __version__, catalog, lifetime, vendor_roles
from driftgate.analyzer.cache import DiskCache, default_cache_dir, wait_for_writers
from driftgate.analyzer.checkapi import Check, CheckMeta, Severity
from driftgate.analyzer.checkapi import prepare as prepare_checks
from driftgate.analyzer.checkapi import prepare_base as prepare_base_checks
from driftgate.analyzer.config import Config, ConfigError, load_config, load_config_from_tree
from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.engine.baseline import Baseline, BaselineError
from driftgate.analyzer.engine.baseline import apply as apply_baseline
from driftgate.analyzer.engine.baseline import dumps as dump_baseline
from driftgate.analyzer.engine.baseline import entries_of as baseline_entries
from driftgate.analyzer.engine.baseline import loads as load_baseline
from driftgate.analyzer.engine.findings import Finding, ScanResult
from driftgate.analyzer.engine.run import EngineOptions, Suppression, run_checks, select_checks
from driftgate.analyzer.extract.options import (
    ExtractOptions,
)
from driftgate.analyzer.fixes import verify as fixes_verify
from driftgate.analyzer.model import Location, Model
from driftgate.analyzer.model_cache import ModelCache
from driftgate.analyzer.parse.files import MAX_FILE_SIZE, parse_size
from driftgate.analyzer.parse.hcl import DEFAULT_PARSER, PARSERS
from driftgate.analyzer.pipeline import (
    BaseStart,
    BuiltModel,
    Listed,
    ParseCache,
    build_model,
    build_pair,
    list_tree,
    model_key,
    start_base,
)
from driftgate.analyzer.report import text
from driftgate.analyzer.report.common import plural
from driftgate.analyzer.result_cache import ResultCache, StoredScan
from driftgate.analyzer.settings import extract_options
from driftgate.analyzer.sources.base import Tree
from driftgate.analyzer.sources.errors import SourceError
from driftgate.analyzer.sources.select import Trees, open_trees
from driftgate.analyzer.sources.walk import in_subdir
from driftgate.analyzer.sources.worktree import DirectoryTree
from driftgate.checks import ALL_CHECKS, BY_ID

if TYPE_CHECKING:
    from driftgate.analyzer.terraform.plan import PlanInput

# Report modules by format, imported when asked for: SARIF's alone costs 60 ms a run.
FORMATS: dict[str, str] = {
    "json": "json_report",
    "sarif": "sarif",
    "markdown": "markdown",
    "github": "github",
}
_EXTENSIONS = {".sarif": "sarif", ".json": "json", ".txt": "text", ".md": "markdown"}
EXIT_ERROR = 2


class UserError(click.ClickException):
    """A problem with how driftgate was called or configured: exit code 2, no traceback."""

    exit_code = EXIT_ERROR

    def show(self, file: object = None) -> None:
        click.echo(f"driftgate: error: {self.message}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="driftgate")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Identity drift for the workloads that run AI inference: a pre-merge gate."""
    ctx.call_on_close(_writers_done)


def _writers_done() -> None:
    """A command that runs in a process of its own ends without waiting for what it
    caches to be stored: the next run waits for that (see cache.WRITERS_LOCK). In any
    other process (tests, embedders), the command is over once it is stored."""
    if not lifetime.ends_with_command():
        wait_for_writers()


def _split_ids(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _pair_outputs(formats: Sequence[str], outputs: Sequence[str]) -> list[tuple[str, str | None]]:
    """``-f sarif -o out.sarif -f text`` → [(sarif, out.sarif), (text, stdout)]."""
    pairs: list[tuple[str, str | None]] = []
    formats = list(formats)
    for i, output in enumerate(outputs):
        if i < len(formats):
            _check_extension(formats, outputs, i)
            pairs.append((formats[i], output))
            continue
        fmt = _EXTENSIONS.get(Path(output).suffix.lower())
        if fmt is None:
            raise UserError(f"no --format given for --output {output}")
        pairs.append((fmt, output))
    pairs.extend((fmt, None) for fmt in formats[len(outputs) :])
    return pairs or [("text", None)]


def _check_extension(formats: Sequence[str], outputs: Sequence[str], i: int) -> None:
    """Refuse ``-f text -f json -o out.json``: pairing in order would write text there."""
    named = _EXTENSIONS.get(Path(outputs[i]).suffix.lower())
    if named is None or named == formats[i]:
        return
    raise UserError(
        f"--output {outputs[i]} is paired with --format {formats[i]} (the {_nth(i)} -f goes"
        f" with the {_nth(i)} -o), but its extension says {named}; write the -o right after"
        f" its -f: {_meant(formats, outputs)}"
    )


def _meant(formats: Sequence[str], outputs: Sequence[str]) -> str:
    """The spelling that was probably meant: each -o right after the -f its name says."""
    remaining = list(formats)
    parts = []
    for output in outputs:
        fmt = _EXTENSIONS.get(Path(output).suffix.lower()) or (remaining or ["text"])[0]
        if fmt in remaining:
            remaining.remove(fmt)
        parts.append(f"-f {fmt} -o {output}")
    return " ".join(parts + [f"-f {fmt}" for fmt in remaining])


def _nth(i: int) -> str:
    return {0: "first", 1: "second", 2: "third"}.get(i, f"{i + 1}th")


def _open(path: Path, base: str | None, head: str | None, staged: bool) -> Trees:
    try:
        return open_trees(path, base, head, staged)
    except SourceError as exc:
        raise UserError(str(exc)) from None


def _config(root: Path, explicit: str | None) -> Config:
    return _config_and_path(root, explicit)[0]


def _config_and_path(root: Path, explicit: str | None) -> tuple[Config, str | None]:
    try:
        return load_config(root, Path(explicit) if explicit else None)
    except ConfigError as exc:
        raise UserError(str(exc)) from None


def _base_config(trees: Trees, explicit: str | None) -> tuple[Config, str | None]:
    if explicit:
        raise UserError("--config-from base reads the base tree's configuration: drop -c")
    if trees.base is None:
        raise UserError("--config-from base needs --base (or --staged): there is no base tree")
    try:
        return load_config_from_tree(trees.base.read_path, trees.base.label)
    except ConfigError as exc:
        raise UserError(str(exc)) from None


def _config_location(path: str | None) -> Location | None:
    """Where configured suppressions are written, for DG901 (pyproject.toml or the file)."""
    return Location(path=Path(path).as_posix()) if path else None


# Errors that belong to one file (it cannot be read or parsed), not to the run.
_FILE_ERRORS = frozenset({"parse-error", "too-large", "evaluation"})


@dataclass(frozen=True, slots=True)
class _Models:
    head: BuiltModel
    base: BuiltModel | None
    trees: Trees
    # Plans that could not be read (each names its file and, for bad JSON, the line).
    plan_problems: tuple[Diagnostic, ...] = ()
    hcl_parser: str = DEFAULT_PARSER
    # (what, seconds) for -v.
    timings: tuple[tuple[str, float], ...] = ()
    # Models reused whole from the cache (model_cache), for -v.
    reused: int = 0
    # The findings of this very scan when it ran before on the same inputs
    # (result_cache); head and base are then models' summaries without the models.
    findings: list[Finding] | None = None

    def say_reading(self, extra: Sequence[tuple[str, float]] = ()) -> None:
        """-v: how the files were read and where the time went, on stderr."""
        for side, built in (("head", self.head), ("base", self.base)):
            if built is None:
                continue
            if self.hcl_parser == "hcl2":
                how = "all by python-hcl2 (--hcl-parser hcl2)"
            else:
                how = f"{len(built.fallbacks)} of them by python-hcl2 for tree-sitter"
            click.echo(
                f"driftgate: {side}: {built.files} files, {built.hcl_files} HCL; {how}", err=True
            )
            for path, why in built.fallbacks:
                click.echo(f"  {path}: {why}", err=True)
        if self.findings is not None:
            click.echo("driftgate: findings reused from the cache (same inputs)", err=True)
        elif self.reused:
            click.echo(f"driftgate: {self.reused} model(s) reused from the cache", err=True)
        spent = [*self.timings, *extra]
        click.echo(
            "driftgate: time: " + ", ".join(f"{what} {seconds:.2f} s" for what, seconds in spent),
            err=True,
        )

    @property
    def nothing_analysed(self) -> bool:
        """Neither side held a Terraform or Kubernetes file (a mistyped path, say)."""
        return self.head.analysed == 0 and (self.base is None or self.base.analysed == 0)

    @property
    def base_label(self) -> str | None:
        if self.trees.base is not None:
            return self.trees.base.label
        return "the plan's prior state" if self.base is not None else None

    def diagnostics(self) -> list[Diagnostic]:
        """Head's diagnostics and base's errors as warnings: the same set for every
        command and report format."""
        found = list(self.plan_problems)
        if self.nothing_analysed:
            found.append(
                Diagnostic(
                    "",
                    0,
                    f"no Terraform or Kubernetes file under {self.trees.head.label}"
                    + (" (nor at base)" if self.base is not None else "")
                    + ": nothing was analysed, so nothing can pass; is the path right?",
                    "nothing-analysed",
                )
            )
        if self.base is None:
            found += self.head.diagnostics
        else:
            # A file broken at base as well is not this change's doing: a warning, so
            # that a pull request is not red for a file it did not touch. One the change
            # breaks is still an error.
            broken = {d.path for d in self.base.diagnostics if d.level == "error" and d.path}
            for d in self.head.diagnostics:
                if d.level == "error" and d.path in broken and d.kind in _FILE_ERRORS:
                    message = f"{d.message} (broken at base too: not this change's doing)"
                    d = Diagnostic(d.path, d.line, message, d.kind, "warning")
                found.append(d)
            # A broken file at base must not block the change that fixes it.
            still = {d.path for d in found if d.path in broken}
            found.extend(
                Diagnostic(d.path, d.line, f"at base: {d.message}", d.kind, "warning")
                for d in self.base.diagnostics
                if d.level == "error" and d.path not in still
            )
            # A module call read at head but not at base (a git revision has no
            # .terraform/): what it declared at base is unknown, so the comparison is too.
            unread = {
                (d.path, d.line) for d in self.head.diagnostics if d.kind == "module-not-read"
            }
            found.extend(
                Diagnostic(d.path, d.line, f"at base: {d.message}", d.kind, "warning")
                for d in self.base.diagnostics
                if d.kind == "module-not-read" and (d.path, d.line) not in unread
            )
        return found


def _build_apart(
    trees: Trees,
    base_tree: Tree | None,
    options: ExtractOptions,
    cache: ParseCache,
    plans: Sequence[PlanInput],
    exclude: Sequence[str],
    models: ModelCache | None,
    head_listed: Listed,
    base_listed: Listed | None,
    timings: list[tuple[str, float]],
) -> tuple[BuiltModel, BuiltModel | None]:
    """Head, then base: with plans, or without a base tree."""
    started = time.perf_counter()
    head = build_model(trees.head, options, cache, plans, "head", exclude, models, head_listed)
    timings.append(("head model", time.perf_counter() - started))
    if base_tree is None:
        return head, None
    started = time.perf_counter()
    unchanged = None
    if plans and trees.base is not None and base_listed is not None:
        # Base and head on the same footing: what both trees hold alike takes the
        # plan's values on both sides.
        heads = {(f.path, f.key) for f in head_listed.sources}
        unchanged = frozenset(f.path for f in base_listed.sources if (f.path, f.key) in heads)
    base = build_model(
        base_tree, options, cache, plans, "base", exclude, models, base_listed, unchanged
    )
    timings.append(("base model", time.perf_counter() - started))
    return head, base


def _build(
    trees: Trees,
    options: ExtractOptions,
    *,
    no_cache: bool = False,
    cache_dir: Path | None = None,
    plan_args: Sequence[str] = (),
    plan_base: bool = True,
    max_file_size: int = MAX_FILE_SIZE,
    exclude: Sequence[str] = (),
    hcl_parser: str = DEFAULT_PARSER,
    reuse: Callable[[str, str | None], StoredScan | None] | None = None,
    prepare: Callable[[Model], object] | None = None,
    prepare_base: Callable[[Model], dict[str, object]] | None = None,
) -> _Models:
    """Head and base models. With plans and no base tree, the base is the plans' prior
    state (``plan_base``), and the rest of the tree is its own base: only what the plans
    change is new. ``reuse`` looks up the findings of a scan of the same models (by their
    keys); on a hit no model is built or loaded. ``prepare`` is given the head model
    while the base is built in another process, which gives ``prepare_base`` the base
    (see build_pair)."""
    plans: Sequence[PlanInput] = ()
    problems: Sequence[Diagnostic] = ()
    if plan_args:
        from driftgate.analyzer.terraform.plan import PlanArgumentError, load_plans

        try:
            plans, problems = load_plans(plan_args, trees.root)
        except PlanArgumentError as exc:
            raise UserError(str(exc)) from None
    # Parse results and models are stored while the checks run (see DiskCache.close).
    disk = None if no_cache else DiskCache(cache_dir or default_cache_dir(), write_behind=True)
    cache = ParseCache(disk=disk, max_file_size=max_file_size, hcl_parser=hcl_parser)
    models = ModelCache(disk) if disk is not None else None
    timings: list[tuple[str, float]] = []
    base_tree = trees.base
    if base_tree is None and plan_args and plan_base:
        base_tree = trees.head
    start: BaseStart | None = None
    try:
        started = time.perf_counter()
        # The base first: a child may start on it while the head is listed.
        base_listed = list_tree(base_tree, exclude) if base_tree else None
        if base_tree is not None and base_listed is not None and not plans:
            start = start_base(base_tree, base_listed, options, cache, models, prepare_base)
        head_listed = list_tree(trees.head, exclude)
        timings.append(("listing", time.perf_counter() - started))
        if reuse is not None and models is not None and not plans:
            stored = reuse(
                model_key(head_listed, options, cache),
                model_key(base_listed, options, cache) if base_listed else None,
            )
            if stored is not None:  # a base child is stopped below
                return _Models(
                    stored.head,
                    stored.base,
                    trees,
                    tuple(problems),
                    hcl_parser,
                    tuple(timings),
                    findings=stored.findings,
                )
        started = time.perf_counter()
        base: BuiltModel | None
        if base_tree is not None and base_listed is not None and start is not None:
            head, base = build_pair(
                trees.head, base_tree, options, cache, models, head_listed, base_listed,
                start, meanwhile=prepare,
            )  # fmt: skip
            timings.append(("models", time.perf_counter() - started))
        else:
            head, base = _build_apart(
                trees, base_tree, options, cache, plans, exclude, models, head_listed,
                base_listed, timings,
            )  # fmt: skip
    except SourceError as exc:
        raise UserError(str(exc)) from None
    finally:
        if start is not None:
            start.cancel()  # still running only when the build failed here
        cache.close(behind=True)
        lifetime.keep(cache)  # thousands of syntax trees: not freed one by one
    reused = models.hits if models is not None else 0
    return _Models(head, base, trees, tuple(problems), hcl_parser, tuple(timings), reused)


def _plan_option(fn: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--plan",
        "plan_args",
        multiple=True,
        metavar="[ENV=]FILE",
        help="Terraform plan JSON (terraform show -json) for the root it was made in; "
        "repeatable. ENV names the environment when the root has several.",
    )(fn)


def _size_option(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        size = parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if size <= 0:
        raise click.BadParameter("must be more than 0 bytes")
    return size


def _file_limit(option: int | None, config: Config) -> int:
    """The size limit: --max-file-size, else the config's max_file_size, else 5 MiB."""
    return option or config.max_file_size or MAX_FILE_SIZE


_cache_options = [
    click.option(
        "--max-file-size",
        callback=_size_option,
        metavar="SIZE",
        help="Skip (and report, exit 2) files larger than this: 10MiB, 512k, bytes."
        " Default: max_file_size in the config, else 5MiB.",
    ),
    click.option(
        "--no-cache",
        is_flag=True,
        help="Do not read or write the cache (parse results and models).",
    ),
    click.option(
        "--hcl-parser",
        type=click.Choice(PARSERS),
        default=DEFAULT_PARSER,
        show_default=True,
        help="HCL front end: tree-sitter (fast; python-hcl2 reads what it cannot) or"
        " python-hcl2 throughout (the reference), to compare the two.",
    ),
    click.option(
        "-v",
        "--verbose",
        is_flag=True,
        help="Also say on stderr how the files were read (which HCL files python-hcl2"
        " read for tree-sitter, and why) and where the time went.",
    ),
    click.option(
        "--cache-dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="DRIFTGATE_CACHE_DIR",
        help="Cache directory (default: the user cache dir). Keep it private to you.",
    ),
]


def _with_cache_options(fn: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(_cache_options):
        fn = option(fn)
    return fn


_common_tree_options = [
    click.argument("path", type=click.Path(file_okay=False, path_type=Path), default="."),
    click.option("--base", metavar="REV|DIR", help="Compare with a git revision or a folder."),
    click.option(
        "--head", "head_rev", metavar="REV", help="Head revision (default: working tree)."
    ),
    click.option(
        "--staged", is_flag=True, help="Head is the git index (what is about to be committed)."
    ),
    click.option("-c", "--config", "config_file", metavar="FILE", help="Configuration file."),
    click.option(
        "--exclude",
        "excludes",
        multiple=True,
        metavar="GLOB",
        help="Do not read files matching this gitignore-style pattern (repeatable; adds to"
        " exclude in the config), e.g. 'docs/' or '**/examples/'.",
    ),
]


def _tree_options(fn: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(_common_tree_options):
        fn = option(fn)
    return fn


@cli.command()
@_tree_options
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(["text", "json", "sarif", "markdown", "github"]),
    help="Report format (repeatable).",
)
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    metavar="FILE",
    help="Write the report there (pairs with --format in order).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["critical", "high", "medium", "low", "none"]),
    default="high",
    show_default=True,
    help="Lowest severity that fails the run.",
)
@click.option(
    "--all",
    "include_existing",
    is_flag=True,
    help="In diff mode, also report findings that already existed at base.",
)
@click.option("--select", metavar="IDS", help="Only these check ids or prefixes (DG1,DG301).")
@click.option("--ignore", metavar="IDS", help="Skip these check ids or prefixes.")
@click.option(
    "--config-from",
    type=click.Choice(["head", "base"]),
    default="head",
    show_default=True,
    help="Read the configuration from the base tree: a change cannot relax its own gate.",
)
@_with_cache_options
@_plan_option
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Text report: only what fails the run, then the summary; no progress indicator.",
)
@click.option(
    "--show-suppressed",
    is_flag=True,
    help="Text report: also list suppressed findings, with the suppression's reason.",
)
@click.option(
    "--baseline",
    "baseline_file",
    metavar="FILE",
    help="Hide the findings this baseline holds (driftgate baseline write) and say which"
    " of its entries are fixed. Default: baseline in the config.",
)
@click.option(
    "--baseline-from",
    type=click.Choice(["head", "base"]),
    help="Read the baseline from the base tree (a change cannot add its own findings to"
    " it) or from the working folder. Default: where --config-from reads.",
)
def scan(
    path: Path,
    base: str | None,
    head_rev: str | None,
    staged: bool,
    config_file: str | None,
    excludes: tuple[str, ...],
    formats: tuple[str, ...],
    outputs: tuple[str, ...],
    fail_on: str,
    include_existing: bool,
    select: str | None,
    ignore: str | None,
    config_from: str,
    max_file_size: int | None,
    no_cache: bool,
    hcl_parser: str,
    verbose: bool,
    cache_dir: Path | None,
    plan_args: tuple[str, ...],
    quiet: bool,
    show_suppressed: bool,
    baseline_file: str | None,
    baseline_from: str | None,
) -> None:
    """Report identity drift in PATH (against --base when given)."""
    started = time.monotonic()
    pairs = _pair_outputs(formats, outputs)
    trees = _open(path, base, head_rev, staged)
    if config_from == "base":
        config, config_path = _base_config(trees, config_file)
    else:
        config, config_path = _config_and_path(trees.root, config_file)
    if baseline_from == "base" and trees.base is None:
        raise UserError("--baseline-from base needs --base (or --staged): there is no base tree")
    baseline, baseline_notes = _load_baseline(
        trees, baseline_file, config, baseline_from or config_from
    )
    scanned = _scan_findings(
        trees,
        config,
        config_path,
        _Selection(select, ignore, excludes),
        _BuildArgs(no_cache, cache_dir, plan_args, max_file_size, hcl_parser),
        # The baseline's entries are judged against every head finding, the unchanged
        # ones too: an entry of a finding the change leaves alone is not stale.
        include_existing=include_existing or baseline is not None,
        progress=not quiet,
        fixes=any(fmt in ("sarif", "markdown", "json") for fmt, _ in pairs),
    )
    findings, models, checks = scanned.findings, scanned.models, scanned.checks
    diagnostics = [*models.diagnostics(), *baseline_notes]
    if baseline is not None:
        unread = {d.path for d in diagnostics if d.level == "error" and d.kind in _FILE_ERRORS}
        scope = _read_scope(trees, [*config.exclude, *excludes], unread)
        applied = apply_baseline(findings, baseline, [c.meta.id for c in checks], scope)
        findings = applied.findings
        if not include_existing:
            findings = [f for f in findings if f.baseline_state != "unchanged"]
        diagnostics += applied.diagnostics(baseline.name)
    result = ScanResult(
        findings=findings,
        diagnostics=diagnostics,
        checks=tuple(c.meta for c in checks),
        diff_mode=models.base is not None,
        fail_on=None if fail_on == "none" else Severity(fail_on),
        head_label=trees.head.label,
        base_label=models.base_label,
        files_scanned=models.head.files,
        files_excluded=models.head.excluded,
        tool_version=__version__,
        include_existing=include_existing,
    )
    elapsed = time.monotonic() - started
    for fmt, output in pairs:
        _write(result, fmt, output, quiet=quiet, elapsed=elapsed, show_suppressed=show_suppressed)
    if verbose:
        models.say_reading(
            [("checks", scanned.checks_time), ("in all", time.monotonic() - started)]
        )
    if ("text", None) not in pairs:
        # The reason for exit 2 is otherwise only inside a JSON or SARIF file.
        _say_errors(result.diagnostics)
    elif models.nothing_analysed:
        # A green-looking pipeline log must still say it: the step looked at nothing.
        _say_errors([d for d in result.diagnostics if d.kind == "nothing-analysed"])
    lifetime.keep(scanned, result)
    sys.exit(result.exit_code())


@dataclass(frozen=True, slots=True)
class _Selection:
    """Which checks run (--select / --ignore, added to the config's) and which files are
    left unread (--exclude)."""

    select: str | None
    ignore: str | None
    excludes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _BuildArgs:
    """How the models are built: the cache, plans, the size limit, the HCL front end."""

    no_cache: bool = False
    cache_dir: Path | None = None
    plan_args: tuple[str, ...] = ()
    max_file_size: int | None = None
    hcl_parser: str = DEFAULT_PARSER


@dataclass(frozen=True, slots=True)
class _Scanned:
    findings: list[Finding]
    models: _Models
    checks: list[Check]
    checks_time: float


def _scan_findings(
    trees: Trees,
    config: Config,
    config_path: str | None,
    selection: _Selection,
    build: _BuildArgs,
    *,
    include_existing: bool,
    progress: bool,
    fixes: bool = False,
) -> _Scanned:
    """The findings of a scan (from the findings cache when the same scan ran before),
    with the models they came from and the checks that ran. With ``fixes`` (a diff
    scan whose reports show them), growth findings carry a proven narrowing fix."""
    checks = select_checks(
        ALL_CHECKS,
        _split_ids(selection.select) or config.select,
        _split_ids(selection.ignore) + config.ignore,
    )
    engine = EngineOptions(
        thresholds=config.check_thresholds(),
        severity_overrides=tuple(config.severity.items()),
        suppressions=tuple(
            Suppression(s.check, s.target, s.reason, s.expires, _config_location(config_path))
            for s in config.suppressions
        ),
        include_existing=include_existing,
    )
    results = (
        None
        if build.no_cache
        else ResultCache(DiskCache(build.cache_dir or default_cache_dir(), write_behind=True))
    )
    fixes = fixes and trees.base is not None and not build.plan_args
    # Fixes are part of what is cached: a run that asks for them never reuses one without.
    check_ids = [c.meta.id for c in checks] + (["+fixes"] if fixes else [])

    reuse: Callable[[str, str | None], StoredScan | None] | None = None
    if results is not None:
        cached = results

        def reuse_findings(head_key: str, base_key: str | None) -> StoredScan | None:
            key = ResultCache.key(head_key, base_key, check_ids, engine)
            return cached.get(key, trees.head, trees.base)

        reuse = reuse_findings

    with text.Progress(enabled=progress and sys.stderr.isatty()) as shown:
        shown.step("building the identity model")
        models = _build(
            trees,
            extract_options(config),
            no_cache=build.no_cache,
            cache_dir=build.cache_dir,
            plan_args=build.plan_args,
            max_file_size=_file_limit(build.max_file_size, config),
            exclude=[*config.exclude, *selection.excludes],
            hcl_parser=build.hcl_parser,
            reuse=reuse,
            prepare=lambda model: prepare_checks(model, checks),
            prepare_base=lambda model: prepare_base_checks(model, checks),
        )
        shown.step("running checks")
        checks_started = time.perf_counter()
        if models.findings is not None:
            findings = models.findings
        else:
            findings = run_checks(
                checks,
                models.head.model,
                models.base.model if models.base else None,
                engine,
                read_head=trees.head.read_path,
                read_base=(trees.base or trees.head).read_path if models.base else None,
                head_paths=models.head.paths,
                base_paths=models.base.paths if models.base else frozenset(),
            )
            if fixes and models.base is not None:
                shown.step("proving suggested fixes")
                findings = _with_fixes(
                    findings, trees, models, config, selection, build, checks, engine
                )
            _keep_findings(results, models, check_ids, engine, findings)
        checks_time = time.perf_counter() - checks_started
    return _Scanned(findings, models, checks, checks_time)


def _read_scope(
    trees: Trees, excludes: Sequence[str], unread: Set[str] = frozenset()
) -> Callable[[str], bool]:
    """Whether a repository path is one the scan read: in the scanned folder, not
    excluded, not a file that could not be parsed (a baseline entry elsewhere is not
    judged stale by it: its finding may well still be there)."""
    subdir = str(getattr(trees.head, "subdir", ""))
    spec = None
    if excludes:
        import pathspec  # only with patterns to apply: 10 ms of every start-up

        spec = pathspec.GitIgnoreSpec.from_lines(excludes)
    return lambda path: (
        in_subdir(path, subdir) and path not in unread and not (spec and spec.match_file(path))
    )


def _with_fixes(
    findings: list[Finding],
    trees: Trees,
    models: _Models,
    config: Config,
    selection: _Selection,
    build: _BuildArgs,
    checks: Sequence[Check],
    engine: EngineOptions,
) -> list[Finding]:
    """Growth findings with a narrowing fix proven by scanning the head with it."""
    assert trees.base is not None and models.base is not None
    base_tree, base = trees.base, models.base
    disk = None if build.no_cache else DiskCache(build.cache_dir or default_cache_dir())
    cache = ParseCache(
        disk=disk,
        max_file_size=_file_limit(build.max_file_size, config),
        hcl_parser=build.hcl_parser,
    )
    options = extract_options(config)
    exclude = [*config.exclude, *selection.excludes]

    def rescan(tree: Tree) -> tuple[Model, list[Diagnostic], list[Finding]]:
        wait_for_writers()  # the parse results the rescan reads are being stored
        built = build_model(tree, options, cache, exclude=exclude)
        found = run_checks(
            checks,
            built.model,
            base.model,
            engine,
            read_head=tree.read_path,
            read_base=base_tree.read_path,
            head_paths=built.paths,
            base_paths=base.paths,
        )
        return built.model, built.diagnostics, found

    try:
        return fixes_verify.with_fixes(
            findings,
            head=trees.head,
            base=base_tree,
            head_model=models.head.model,
            rescan=rescan,
            parser=build.hcl_parser,
        )
    finally:
        cache.close()


# A baseline holds a line per finding; far above what one repository has, far below
# what would hurt to read.
MAX_BASELINE_SIZE = 64 * 1024 * 1024


def _load_baseline(
    trees: Trees, explicit: str | None, config: Config, config_from: str
) -> tuple[Baseline | None, list[Diagnostic]]:
    """The baseline to apply (--baseline FILE, else the config's ``baseline``), read
    where the configuration is read: with --config-from base, from the base tree when it
    lies in the repository, so that a change cannot add its own findings to it."""
    name = explicit or config.baseline
    if not name:
        return None, []
    root = trees.root.resolve()
    if explicit:
        absolute, rel = _inside(Path(explicit), root)
    else:
        rel, absolute = name, root / name
    if config_from == "base" and trees.base is not None and rel is not None:
        data = trees.base.read_path(rel, MAX_BASELINE_SIZE)
        if data is None:
            note = Diagnostic(
                path=rel,
                line=1,
                message=(
                    f"baseline {rel} is not in the base tree ({trees.base.label}), where"
                    " it is read from: no finding is hidden by it; it applies once merged"
                ),
                kind="config",
                level="warning",
            )
            return None, [note]
    elif explicit and rel is None:
        data = _read_named_file(absolute, explicit)
    else:
        data = DirectoryTree(root).read_path(rel or name, MAX_BASELINE_SIZE)
        if data is None:
            raise UserError(
                f"baseline {name}: not found in {root} (or a symlink, or larger than"
                f" {MAX_BASELINE_SIZE // (1024 * 1024)} MiB); write one with"
                " driftgate baseline write"
            )
    try:
        return load_baseline(data, rel or name), []
    except BaselineError as exc:
        raise UserError(str(exc)) from None


def _inside(path: Path, root: Path) -> tuple[Path, str | None]:
    """``path`` made absolute, and its path relative to the repository's ``root`` when it
    lies there. Lexically first: a symlink in the repository (the change's own) must not
    decide where the baseline is read from; resolved only for a working folder that is
    itself reached through a symlink."""
    lexical = Path(os.path.abspath(path))  # noqa: PTH100 - lexical on purpose, see above
    if lexical.is_relative_to(root):
        return lexical, lexical.relative_to(root).as_posix()
    try:
        resolved = lexical.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise UserError(f"baseline {path}: cannot be read: {exc}") from None
    if resolved.is_relative_to(root):
        return resolved, resolved.relative_to(root).as_posix()
    return lexical, None


def _read_named_file(path: Path, shown: str) -> bytes:
    """A file the user named outside the repository (followed like -c FILE)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BASELINE_SIZE + 1)
    except OSError as exc:
        raise UserError(f"baseline {shown}: cannot read: {exc.strerror}") from None
    if len(data) > MAX_BASELINE_SIZE:
        raise UserError(f"baseline {shown}: larger than {MAX_BASELINE_SIZE // (1024 * 1024)} MiB")
    return data


def _keep_findings(
    results: ResultCache | None,
    models: _Models,
    check_ids: Sequence[str],
    engine: EngineOptions,
    findings: list[Finding],
) -> None:
    """Store a scan's findings when both its models could be stored (no plan, no helm:
    such a model has no key)."""
    if results is None or models.head.key is None:
        return
    base_key = None
    if models.base is not None:
        if models.base.key is None:
            return
        base_key = models.base.key
    key = ResultCache.key(models.head.key, base_key, check_ids, engine)
    results.put(key, findings, models.head, models.base)
    results.disk.close(behind=True)  # other processes may still hold the write lock


def _say_errors(diagnostics: Sequence[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        if diagnostic.level == "error":
            click.echo(text.diagnostic_line(diagnostic), err=True)


def _write(
    result: ScanResult,
    fmt: str,
    output: str | None,
    *,
    quiet: bool = False,
    elapsed: float | None = None,
    show_suppressed: bool = False,
) -> None:
    if fmt == "text":
        color = output is None and sys.stdout.isatty()
        rendered = text.render(
            result, color=color, quiet=quiet, elapsed=elapsed, show_suppressed=show_suppressed
        )
    else:
        module = importlib.import_module(f"driftgate.analyzer.report.{FORMATS[fmt]}")
        rendered = module.render(result)
    if rendered and not rendered.endswith("\n"):
        rendered += "\n"
    if output is None:
        click.echo(rendered, nl=False)
        return
    try:
        Path(output).write_text(rendered, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write {output}: {exc.strerror}") from None


def hook_tree_args(environ: Mapping[str, str]) -> list[str]:
    """What `driftgate hook` compares: the pushed range when pre-commit names one
    (PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF, set at pre-push and by `pre-commit run
    --from-ref A --to-ref B`), else the staged index against HEAD."""
    from_ref = environ.get("PRE_COMMIT_FROM_REF", "").strip()
    to_ref = environ.get("PRE_COMMIT_TO_REF", "").strip()
    if from_ref and to_ref:
        return ["--base", from_ref, "--head", to_ref]
    return ["--staged"]


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("scan_args", nargs=-1, type=click.UNPROCESSED)
def hook(scan_args: tuple[str, ...]) -> None:
    """Run as a pre-commit hook (see .pre-commit-hooks.yaml).

    Commit stage: `driftgate scan --staged` (the index against HEAD). Push stage, or
    whenever pre-commit sets PRE_COMMIT_FROM_REF and PRE_COMMIT_TO_REF: `driftgate scan
    --base FROM --head TO`. Every other argument goes to `driftgate scan` as is
    (--fail-on, --select, --ignore, -c, -q, -f/-o, PATH).
    """
    args = [*hook_tree_args(os.environ), *scan_args]
    scan.main(args=args, prog_name="driftgate hook", standalone_mode=True)


@cli.group()
def baseline() -> None:
    """Adopt driftgate on a repository that already has findings."""


@baseline.command("write")
@click.argument("file", metavar="FILE")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option(
    "--head", "head_rev", metavar="REV", help="Revision to record (default: working tree)."
)
@click.option("-c", "--config", "config_file", metavar="FILE", help="Configuration file.")
@click.option(
    "--exclude",
    "excludes",
    multiple=True,
    metavar="GLOB",
    help="Do not read files matching this gitignore-style pattern (repeatable).",
)
@click.option("--select", metavar="IDS", help="Only these check ids or prefixes (DG1,DG301).")
@click.option("--ignore", metavar="IDS", help="Skip these check ids or prefixes.")
@_with_cache_options
def baseline_write(
    file: str,
    path: Path,
    head_rev: str | None,
    config_file: str | None,
    excludes: tuple[str, ...],
    select: str | None,
    ignore: str | None,
    max_file_size: int | None,
    no_cache: bool,
    hcl_parser: str,
    verbose: bool,
    cache_dir: Path | None,
) -> None:
    """Record every current finding of PATH in FILE (JSON, one line per finding).

    `driftgate scan --baseline FILE` (or `baseline: FILE` in the config) then reports
    only findings not in it, and says which of its entries were fixed. Suppressed
    findings are not recorded; they stay suppressed where they are."""
    trees = _open(path, None, head_rev, False)
    config, config_path = _config_and_path(trees.root, config_file)
    scanned = _scan_findings(
        trees,
        config,
        config_path,
        _Selection(select, ignore, excludes),
        _BuildArgs(no_cache, cache_dir, (), max_file_size, hcl_parser),
        include_existing=False,
        progress=True,
    )
    if verbose:
        scanned.models.say_reading([("checks", scanned.checks_time)])
    entries = baseline_entries(scanned.findings)
    try:
        Path(file).write_text(dump_baseline(entries), encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write {file}: {exc.strerror}") from None
    counts = Counter(e.check for e in entries)
    listed = ", ".join(f"{n} {check}" for check, n in sorted(counts.items()))
    click.echo(
        f"driftgate: wrote {plural(len(entries), 'finding')} to {file}"
        + (f" ({listed})" if listed else ""),
        err=True,
    )
    diagnostics = scanned.models.diagnostics()
    if any(d.level == "error" for d in diagnostics):
        # Findings in a file that could not be read are missing from the baseline; they
        # would surface later as new.
        _say_errors(diagnostics)
        click.echo("driftgate: the baseline may be incomplete: files above were not read", err=True)
        sys.exit(EXIT_ERROR)


@cli.command()
@_tree_options
@_with_cache_options
@_plan_option
def model(
    path: Path,
    base: str | None,
    head_rev: str | None,
    staged: bool,
    config_file: str | None,
    excludes: tuple[str, ...],
    max_file_size: int | None,
    no_cache: bool,
    hcl_parser: str,
    verbose: bool,
    cache_dir: Path | None,
    plan_args: tuple[str, ...],
) -> None:
    """Print the identity-binding model of PATH as JSON (an NHI inventory).

    With --plan, the planned roots' model is the plan's planned state."""
    trees = _open(path, base, head_rev, staged)
    config = _config(trees.root, config_file)
    models = _build(
        trees,
        extract_options(config),
        no_cache=no_cache,
        cache_dir=cache_dir,
        plan_args=plan_args,
        plan_base=False,
        max_file_size=_file_limit(max_file_size, config),
        exclude=[*config.exclude, *excludes],
        hcl_parser=hcl_parser,
    )
    if verbose:
        models.say_reading()

    diagnostics = models.diagnostics()
    found = [
        {"path": d.path, "line": d.line, "level": d.level, "kind": d.kind, "message": d.message}
        for d in diagnostics
    ]
    # Written piece by piece: the model of a large tree is hundreds of MB of JSON, and
    # one document assembled from it held four copies (776 MiB on the benchmark).
    tree = json.dumps(trees.head.label)
    diagnostics_json = json.dumps(found, indent=2)
    if models.base is None:
        click.echo(f'{{\n  "tree": {tree},', nl=False)
        _echo_members(_model_json(models.head.model))
        click.echo(f',\n  "diagnostics": {_nested(diagnostics_json)}\n}}')
    else:
        click.echo('{\n  "base": ', nl=False)
        _echo_json(_model_json(models.base.model), 0, None, nested=True)
        click.echo(f',\n  "head": {{\n    "tree": {tree},', nl=False)
        _echo_members(_model_json(models.head.model), nested=True)
        click.echo(f'\n  }},\n  "diagnostics": {_nested(diagnostics_json)}\n}}')
    lifetime.keep(models)
    if any(d.level == "error" for d in diagnostics):
        _say_errors(diagnostics)
        sys.exit(EXIT_ERROR)


def _model_json(model: Model) -> str:
    """The model as ``json.dumps(..., indent=2)`` writes it, serialised by pydantic's
    core: through dicts and json.dumps, a model of 180 MB (ReadOnlyAccess on 500 roles)
    took 9 s and 1.5 GiB."""
    return model.model_dump_json(indent=2, ensure_ascii=True)


def _nested(text: str) -> str:
    """Indented JSON one level deeper, as the value of a member."""
    return text.replace("\n", "\n  ")


# Characters written at a time: a chunk (and its nested copy) is all that is copied.
_CHUNK = 1 << 20


def _echo_members(document: str, *, nested: bool = False) -> None:
    """The members of an indented JSON object, from the newline after its opening brace
    to the one before its closing brace."""
    _echo_json(document, document.index("{") + 1, document.rindex("\n}"), nested=nested)


def _echo_json(text: str, start: int, end: int | None, *, nested: bool) -> None:
    end = len(text) if end is None else end
    for at in range(start, end, _CHUNK):
        piece = text[at : min(end, at + _CHUNK)]
        click.echo(_nested(piece) if nested else piece, nl=False)


def _catalog_row(meta: CheckMeta) -> dict[str, object]:
    return {
        "id": meta.id,
        "slug": meta.slug,
        "title": meta.title,
        "severity": str(meta.severity),
        "owasp": list(meta.owasp),
        "kind": meta.kind,
        "inference_only": meta.inference_only,
        "rationale": meta.rationale,
        "fix": meta.fix,
        "help_uri": meta.help_uri,
    }


@cli.command("checks")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text"
)
def list_checks(fmt: str) -> None:
    """List the check catalog."""
    metas = [c.meta for c in ALL_CHECKS]
    if fmt == "json":
        click.echo(json.dumps([_catalog_row(m) for m in metas], indent=2))
    elif fmt == "markdown":
        click.echo(catalog.catalog(metas), nl=False)
    else:
        width = max(len(m.slug) for m in metas)
        for m in metas:
            click.echo(f"{m.id}  {m.slug:<{width}}  {m.severity:<8}  {m.title}")


@cli.command()
@click.argument("check_id", required=False)
@click.option("--all", "every", is_flag=True, help="Every check (with --write).")
@click.option(
    "--write",
    "write_dir",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Write each check's Markdown page to DIR/DGxxx.md (docs/checks).",
)
def explain(check_id: str | None, every: bool, write_dir: Path | None) -> None:
    """Print one check's documentation (e.g. driftgate explain DG201).

    `driftgate explain --all --write docs/checks` regenerates the committed pages.
    """
    if every or write_dir is not None:
        _write_pages(check_id, every, write_dir)
        return
    if check_id is None:
        raise UserError("name a check (driftgate explain DG201) or use --all --write DIR")
    check = BY_ID.get(check_id.upper())
    if check is None:
        known = ", ".join(BY_ID)
        raise UserError(f"unknown check '{check_id}' (known: {known})")
    m = check.meta
    header = (
        f"{m.id} {m.slug}: {m.title}\n"
        f"severity: {m.severity_rule()}\n"
        f"OWASP NHI: {', '.join(m.owasp) or '-'}   kind: {m.kind}\n"
    )
    click.echo(header + "\n" + (m.doc.strip() or f"{m.rationale}\n\nFix: {m.fix}"))


def _write_pages(check_id: str | None, every: bool, write_dir: Path | None) -> None:
    if write_dir is None:
        raise UserError("--all needs --write DIR")
    if every == (check_id is not None):
        raise UserError("give either one check id or --all")
    chosen = list(ALL_CHECKS) if every else [BY_ID.get((check_id or "").upper())]
    metas = [c.meta for c in chosen if c is not None]
    if not metas:
        raise UserError(f"unknown check '{check_id}' (known: {', '.join(BY_ID)})")
    try:
        write_dir.mkdir(parents=True, exist_ok=True)
        for meta in metas:
            (write_dir / f"{meta.id}.md").write_text(catalog.check_page(meta), encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write {write_dir}: {exc.strerror}") from None


@cli.group("catalog", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def catalog_command(ctx: click.Context, as_json: bool) -> None:
    """The vendor-role catalogs driftgate ships: what the clouds' own roles grant."""
    if ctx.invoked_subcommand is not None:
        return
    infos = vendor_roles.catalogs()
    if as_json:
        click.echo(json.dumps([dataclasses.asdict(i) for i in infos], indent=2))
        return
    for i in infos:
        click.echo(
            f"{i.name:6} {i.description:22} {i.entries:5} entries  "
            f"{i.packaged_bytes / 1024:,.0f} KiB packaged"
        )
    first = infos[0]
    click.echo(f"source: {first.source}, commit {first.commit} ({first.date}); {first.licence}")


@catalog_command.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def catalog_show(name: str, as_json: bool) -> None:
    """One role's or policy's permissions: roles/aiplatform.user, AmazonSageMakerFullAccess,
    'Cognitive Services OpenAI User' (by name, ARN or role definition id)."""
    found = vendor_roles.lookup(name)
    if found is None:
        raise UserError(f"no vendor role or managed policy named '{name}' in the catalogs")
    if as_json:
        click.echo(json.dumps(dataclasses.asdict(found), indent=2))
        return
    if isinstance(found, vendor_roles.AwsManagedPolicy):
        click.echo(
            f"AWS managed policy {found.arn}" + (" (deprecated)" if found.deprecated else "")
        )
        for statement in found.statements:
            click.echo(json.dumps(statement, sort_keys=True))
    elif isinstance(found, vendor_roles.GcpRole):
        click.echo(f"GCP role {found.name} ({found.title}): {len(found.permissions)} permissions")
        click.echo("\n".join(found.permissions))
    else:
        click.echo(f"Azure built-in role {found.name} ({found.id})")
        for label, values in (
            ("actions", found.actions),
            ("notActions", found.not_actions),
            ("dataActions", found.data_actions),
            ("notDataActions", found.not_data_actions),
        ):
            if values:
                click.echo(f"{label}:\n  " + "\n  ".join(values))


# Registered here, imported lazily inside: pyarrow and DuckDB load only for it.
from driftgate.analyzer.inventory.command import inventory  # noqa: E402

cli.add_command(inventory)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (0 clean, 1 findings, 2 untrusted run)."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="driftgate")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


def run() -> NoReturn:
    """The ``driftgate`` process: :func:`main` in a process that ends with it (not
    :func:`main` itself, which tests and embedders call many times in one process)."""
    lifetime.for_short_run()
    lifetime.exit_now(main())


if __name__ == "__main__":
    run()
