"""Time driftgate on a generated repository, as whole processes, next to checkov.

    python benchmarks/run.py [--work DIR] [--runs 3] [--no-checkov] [generate.py options]

Generates the repository (benchmarks/generate.py) under ``--work`` unless it is there,
then times (median of ``--runs`` runs each): a cold-cache diff scan
(``driftgate scan --base HEAD~1``), the same with a warm cache, ``--staged`` with one
changed file, ``driftgate model``, the cold and warm diff scan of a kustomize tree of
``--rbac-roles`` RBAC roles whose last commit changes one (benchmarks/generate_rbac.py),
a root of 1,500 EC2 node roles whose last commit adds 400 deployers that may pass any of
them (the escalation graph's fan-out; benchmarks/generate_fanout.py),
the parsers alone reading every ``.tf`` once (the yardstick of the cold-scan target;
benchmarks/parse_baseline.py), the cold scan and python-hcl2's parse in pairs run back
to back (the target's ratio, as a median of the pairs' ratios), and checkov restricted
to its IAM/RBAC checks on the head tree. checkov gets its own virtualenv under
``--work`` (it pins policy-sentry 0.13.2 and cloudsplaining 0.7.0, which clash with
driftgate's); when it cannot be installed, its row is skipped with the reason. Peak
memory is the child's max RSS.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# checkov's IAM (Terraform) and RBAC (Kubernetes) checks.
CHECKOV_IDS = (
    "CKV_AWS_1,CKV_AWS_40,CKV_AWS_49,CKV_AWS_60,CKV_AWS_61,CKV_AWS_62,CKV_AWS_63,"
    "CKV_AWS_107,CKV_AWS_108,CKV_AWS_109,CKV_AWS_110,CKV_AWS_111,CKV_AWS_274,CKV_AWS_286,"
    "CKV_AWS_287,CKV_AWS_288,CKV_AWS_289,CKV_AWS_290,CKV_AWS_355,CKV_AWS_356,"
    "CKV_K8S_49,CKV_K8S_155,CKV_K8S_156,CKV_K8S_157,CKV_K8S_158,CKV2_K8S_5"
)


def _driftgate() -> list[str]:
    exe = Path(sys.executable).with_name("driftgate")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "driftgate"]


# Seconds from each run's start until the cache it filled was stored, by label.
STORED: dict[str, list[float]] = {}


def _once(
    cmd: list[str], cwd: Path, env: dict[str, str], label: str = ""
) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MiB of this child (and its own children), exit code.

    driftgate exits once its report is out and leaves storing its cache to child
    processes (the next run waits for them): a run is over for its user when the process
    exits, and that is the wall time. Before the next run starts, those children are
    waited for (each run starts on an idle machine), and the time until then is kept in
    STORED, so that what the machine spent is reported too.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if _wait_for_writers(env):
        STORED.setdefault(label, []).append(time.perf_counter() - start)
    # ru_maxrss is KiB on Linux; worker processes of a pool are reported separately
    # by RUSAGE_CHILDREN of this process (the largest one).
    return elapsed, usage.ru_maxrss / 1024, proc.returncode


def _wait_for_writers(env: dict[str, str]) -> bool:
    """Wait until no process stores values in the run's cache; whether any had to."""
    folder = env.get("DRIFTGATE_CACHE_DIR")
    lock = Path(folder) / "writers.lock" if folder else None
    if lock is None or not lock.exists():
        return False
    with lock.open("rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        fcntl.flock(held, fcntl.LOCK_UN)
    return True


def _time(
    name: str,
    cmd: list[str],
    repo: Path,
    runs: int,
    env: dict[str, str] | list[dict[str, str]],
) -> tuple[str, float, float, int]:
    walls: list[float] = []
    peak = 0.0
    code = 0
    for i in range(runs):
        wall, rss, code = _once(cmd, repo, env[i] if isinstance(env, list) else env, name)
        walls.append(wall)
        peak = max(peak, rss)
    print(f"  {name}: {', '.join(f'{w:.2f}' for w in walls)} s", file=sys.stderr)
    return name, statistics.median(walls), peak, code


def _checkov(work: Path, timeout: float) -> Path | None:
    venv = work / "checkov-venv"
    exe = venv / "bin" / "checkov"
    if exe.exists():
        return exe
    print("installing checkov into its own virtualenv ...", file=sys.stderr)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", "checkov"], check=True, timeout=timeout
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        print(f"checkov skipped: could not install it ({exc})", file=sys.stderr)
        return None
    return exe if exe.exists() else None


def _rbac(args: argparse.Namespace, dg: list[str]) -> list[tuple[str, float, float, int]]:
    """Cold and warm diff scans of the RBAC tree: a change to one role among many."""
    repo = args.work / f"rbac-repo-{args.rbac_roles}"
    if not (repo / ".git").exists():
        generate = [sys.executable, str(HERE / "generate_rbac.py"), str(repo)]
        subprocess.run([*generate, "--roles", str(args.rbac_roles)], check=True)
    stamp = f"{os.getpid()}-{int(time.time())}"
    colds = [args.work / f"rbac-cache-{stamp}-{i}" for i in range(args.runs)]
    cmd = [*dg, "scan", "--base", "HEAD~1", "-q"]
    label = f"{args.rbac_roles} RBAC roles, one changed: scan --base HEAD~1"
    try:
        return [
            _time(
                f"{label}, cold cache",
                cmd,
                repo,
                args.runs,
                [{**os.environ, "DRIFTGATE_CACHE_DIR": str(c)} for c in colds],
            ),
            _time(
                f"{label}, warm cache",
                cmd,
                repo,
                args.runs,
                {**os.environ, "DRIFTGATE_CACHE_DIR": str(colds[-1])},
            ),
        ]
    finally:
        for c in colds:
            shutil.rmtree(c, ignore_errors=True)


def _fanout(args: argparse.Namespace, dg: list[str]) -> list[tuple[str, float, float, int]]:
    """A cold diff scan where every new deployer may pass every node role to EC2."""
    repo = args.work / "fanout-repo"
    if not (repo / ".git").exists():
        subprocess.run([sys.executable, str(HERE / "generate_fanout.py"), str(repo)], check=True)
    cmd = [*dg, "scan", "--base", "HEAD~1", "-q", "--no-cache"]
    label = "1,500 node roles, 400 new deployers that may pass any: scan --base HEAD~1"
    return [_time(label, cmd, repo, args.runs, dict(os.environ))]


def _parse_once(repo: Path, runs: int) -> list[tuple[str, float, float, int]]:
    """The yardstick: each parser alone reading the tree's .tf/.tfvars once, in-process
    seconds (benchmarks/parse_baseline.py), median of ``runs``."""
    rows = []
    for parser, label in (
        ("hcl2", "python-hcl2 alone (hcl2.loads), every .tf once"),
        ("driftgate-hcl2", "driftgate's python-hcl2 front end, every .tf once"),
        ("tree-sitter", "driftgate's tree-sitter front end, every .tf once"),
    ):
        seconds = []
        for _ in range(runs):
            out = subprocess.run(
                [sys.executable, str(HERE / "parse_baseline.py"), str(repo), "--parser", parser],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            seconds.append(float(out[0]))
        rows.append((label, statistics.median(seconds), 0.0, 0))
    return rows


def _paired(repo: Path, dg: list[str], runs: int, work: Path) -> list[float]:
    """The cold diff scan over the yardstick, each pair run back to back, alternating.

    The machine's speed drifts by a third within minutes (a shared VM): the two medians,
    measured minutes apart, may see different machines. A pair sees the same one.
    """
    ratios = []
    stamp = f"{os.getpid()}-{int(time.time())}"
    for i in range(runs):
        cache = work / f"paired-cache-{stamp}-{i}"
        env = {**os.environ, "DRIFTGATE_CACHE_DIR": str(cache)}
        try:
            scan, _, _ = _once([*dg, "scan", "--base", "HEAD~1", "-q"], repo, env)
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        out = subprocess.run(
            [sys.executable, str(HERE / "parse_baseline.py"), str(repo), "--parser", "hcl2"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        ratios.append(scan / float(out[0]))
    print(
        f"  paired cold scan / python-hcl2: {', '.join(f'{r:.2f}' for r in ratios)}",
        file=sys.stderr,
    )
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/driftgate-bench"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-checkov", action="store_true")
    parser.add_argument("--checkov-runs", type=int, default=1)
    parser.add_argument("--install-timeout", type=float, default=600)
    parser.add_argument("--envs", type=int, default=6)
    parser.add_argument("--services", type=int, default=83)
    parser.add_argument("--rbac-roles", type=int, default=1000)
    args = parser.parse_args()

    repo = args.work / "repo"
    if not (repo / ".git").exists():
        subprocess.run(
            [
                sys.executable,
                str(HERE / "generate.py"),
                str(repo),
                "--envs",
                str(args.envs),
                "--services",
                str(args.services),
            ],
            check=True,
        )
    # A fresh directory per cold run: deleting thousands of entries right before a run
    # (ext4 with discard) slowed the next run by seconds, which is not driftgate's time.
    stamp = f"{os.getpid()}-{int(time.time())}"
    colds = [args.work / f"cache-{stamp}-{i}" for i in range(args.runs)]
    cache = colds[-1]
    env = {**os.environ, "DRIFTGATE_CACHE_DIR": str(cache)}
    dg = _driftgate()
    rows = [
        _time(
            "scan --base HEAD~1, cold cache",
            [*dg, "scan", "--base", "HEAD~1", "-q"],
            repo,
            args.runs,
            [{**os.environ, "DRIFTGATE_CACHE_DIR": str(c)} for c in colds],
        ),
        _time(
            "scan --base HEAD~1, warm cache",
            [*dg, "scan", "--base", "HEAD~1", "-q"],
            repo,
            args.runs,
            env,
        ),
    ]
    changed = repo / "envs" / "dev" / "svc-001" / "locals.tf"
    original = changed.read_text()
    changed.write_text(original.replace("team-", "team-x"))
    subprocess.run(["git", "-C", str(repo), "add", str(changed)], check=True)
    try:
        rows.append(
            _time(
                "scan --staged, one changed file",
                [*dg, "scan", "--staged", "-q"],
                repo,
                args.runs,
                env,
            )
        )
    finally:
        changed.write_text(original)
        subprocess.run(["git", "-C", str(repo), "reset", "-q"], check=True)
    rows.append(_time("model, warm cache", [*dg, "model"], repo, args.runs, env))
    rows.append(
        _time(
            "scan --base HEAD~1, --no-cache",
            [*dg, "scan", "--base", "HEAD~1", "-q", "--no-cache"],
            repo,
            args.runs,
            env,
        )
    )
    rows.extend(_rbac(args, dg))
    rows.extend(_fanout(args, dg))
    rows.extend(_parse_once(repo, args.runs))
    paired = _paired(repo, dg, args.runs, args.work)
    note = ""
    if args.no_checkov:
        note = "checkov skipped (--no-checkov)"
    else:
        exe = _checkov(args.work, args.install_timeout)
        if exe is None:
            note = "checkov skipped: not installable here"
        else:
            tree = args.work / "head-tree"
            if not tree.exists():
                shutil.copytree(repo, tree, ignore=shutil.ignore_patterns(".git"))
            cmd = [
                str(exe),
                "-d",
                str(tree),
                "--framework",
                "terraform",
                "kubernetes",
                "--check",
                CHECKOV_IDS,
                "--quiet",
            ]
            rows.append(
                _time(
                    "checkov IAM/RBAC checks, head tree only",
                    cmd,
                    repo,
                    args.checkov_runs,
                    dict(os.environ),
                )
            )
    for c in colds:
        shutil.rmtree(c, ignore_errors=True)
    tf = sum(1 for _ in repo.rglob("*.tf"))
    yml = sum(1 for _ in repo.rglob("*.yaml"))
    print(
        f"\n{tf} .tf files, {yml} manifests; {os.cpu_count()} cores; median of {args.runs} runs\n"
    )
    width = max(len(name) for name, *_ in rows)
    print(f"| {'run':<{width}} | median s | peak RSS MiB | exit |")
    print(f"|{'-' * (width + 2)}|---------:|-------------:|-----:|")
    for name, median, peak, code in rows:
        print(f"| {name:<{width}} | {median:8.2f} | {peak:12.0f} | {code:4d} |")
    by = {name: median for name, median, _, _ in rows}
    rbac = [median for name, median, _, _ in rows if "RBAC roles, one changed" in name]
    print(
        f"\nRBAC diff of {args.rbac_roles} roles, one changed: "
        f"{rbac[0]:.2f} s cold, {rbac[1]:.2f} s warm"
    )
    hcl2 = by["python-hcl2 alone (hcl2.loads), every .tf once"]
    cold_scan = by["scan --base HEAD~1, cold cache"]
    print(
        f"cold diff scan (whole process) / python-hcl2 parsing the .tf once: "
        f"{statistics.median(paired):.2f} (target <= 0.5; median of {len(paired)} pairs run "
        f"back to back: {', '.join(f'{r:.2f}' for r in paired)}; the medians above give "
        f"{cold_scan / hcl2:.2f})"
    )
    for name, seconds in STORED.items():
        if "cold cache" in name:
            print(f"{name}: its cache stored {statistics.median(seconds):.2f} s after the start")
    ck = by.get("checkov IAM/RBAC checks, head tree only")
    if ck is not None:
        cold = by["scan --base HEAD~1, cold cache"]
        print(f"\ncheckov / driftgate cold diff scan: {ck / cold:.1f}x")
    if note:
        print(f"\n{note}")
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"largest single child process seen (incl. pool workers): {children:.0f} MiB")


if __name__ == "__main__":
    main()
