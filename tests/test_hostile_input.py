"""Hostile and broken input through the CLI: every case ends in findings or a named
diagnostic (path, line, kind, exact message), in bounded time, with the exit code a
CI job relies on, and never hides what the other files say.

The CLI runs in-process (``driftgate.analyzer.cli.main``), so that thirty cases stay fast; the
subprocess entry point is covered by tests/test_cli.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from driftgate.analyzer.cli import main
from driftgate.analyzer.parse.files import MAX_FILE_SIZE, format_size
from driftgate.analyzer.pipeline import ParseCache
from driftgate.analyzer.sources.base import SourceFile

ROOT = Path(__file__).resolve().parent.parent
DEMO_HEAD = ROOT / "testdata" / "demo" / "head"

Capture = pytest.CaptureFixture[str]

# A role that gains iam:PassRole on * between base and head: DG104 in diff mode.
ROLE = """\
resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = "{}"
}
"""
PASSROLE = """\
resource "aws_iam_role_policy" "app" {
  role   = aws_iam_role.app.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = "*" }]
  })
}
"""
SERVICE_ACCOUNT = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n  namespace: ml\n"


def cli(capsys: Capture, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def scan_json(capsys: Capture, path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = cli(capsys, "scan", "--no-cache", "-f", "json", *args, str(path))
    assert out, err
    report: dict[str, Any] = json.loads(out)
    return code, report


def model_json(capsys: Capture, path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = cli(capsys, "model", "--no-cache", *args, str(path))
    assert out, err
    document: dict[str, Any] = json.loads(out)
    return code, document


def diagnostics(report: dict[str, Any]) -> list[tuple[str, int, str, str, str]]:
    return [
        (d["path"], d["line"], d["kind"], d["level"], d["message"]) for d in report["diagnostics"]
    ]


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return root


def timed(fn: Callable[[], Any], limit: float) -> Any:
    started = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - started
    assert elapsed < limit, f"took {elapsed:.1f}s (limit {limit}s)"
    return result


def git(cwd: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


# ---- YAML bombs and nesting -------------------------------------------------------


def test_billion_laughs_is_one_diagnostic_and_the_other_files_still_count(
    tmp_path: Path, capsys: Capture
) -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    write(tmp_path, {"k8s/bomb.yaml": "\n".join(lines) + "\n", "k8s/sa.yaml": SERVICE_ACCOUNT})
    code, report = timed(lambda: scan_json(capsys, tmp_path), 10)
    assert code == 2
    assert diagnostics(report) == [
        (
            "k8s/bomb.yaml",
            4,
            "parse-error",
            "error",
            "YAML aliases expand to more than 10000 nodes; refused",
        )
    ]
    assert report["summary"]["files_scanned"] == 2


def test_deeply_nested_yaml_and_hcl_are_refused_not_crashed(
    tmp_path: Path, capsys: Capture
) -> None:
    write(
        tmp_path,
        {
            "deep.yaml": "a: " + "[" * 5000 + "]" * 5000 + "\n",
            "deep.tf": "locals {\n  a = " + "[" * 5000 + "]" * 5000 + "\n}\n",
            "ok.tf": ROLE,
        },
    )
    code, report = timed(lambda: scan_json(capsys, tmp_path), 20)
    assert code == 2
    assert diagnostics(report) == [
        ("deep.tf", 0, "parse-error", "error", "HCL nesting too deep to parse"),
        ("deep.yaml", 1, "parse-error", "error", "YAML nesting deeper than 200 levels"),
    ]


def test_deep_json_inside_terraform_becomes_unknown_not_a_crash(
    tmp_path: Path, capsys: Capture
) -> None:
    nested = "[" * 5000 + "]" * 5000
    write(
        tmp_path,
        {
            "main.tf": ROLE
            + 'resource "aws_iam_role_policy" "p" {\n'
            + "  role   = aws_iam_role.app.id\n"
            + f'  policy = jsondecode("{nested}")\n'
            + "}\n"
        },
    )
    code, document = timed(lambda: model_json(capsys, tmp_path), 20)
    assert code == 0
    assert [d for d in document["diagnostics"] if d["level"] == "error"] == []
    assert ".:aws_iam_role.app" in document["identities"]


# ---- size limits ------------------------------------------------------------------


def _big_tf(size: int) -> str:
    comment = "# " + "x" * 1000 + "\n"
    return ROLE + comment * (size // len(comment) + 1)


def test_a_file_over_the_limit_is_skipped_and_reported_exit_2(
    tmp_path: Path, capsys: Capture
) -> None:
    write(tmp_path, {"big/main.tf": _big_tf(6 * 1024 * 1024), "k8s/sa.yaml": SERVICE_ACCOUNT})
    code, report = scan_json(capsys, tmp_path)
    assert code == 2
    assert diagnostics(report) == [
        (
            "big/main.tf",
            0,
            "too-large",
            "error",
            "skipped: 6.0 MiB, over the --max-file-size limit of 5 MiB",
        )
    ]
    code, out, _ = cli(capsys, "scan", "--no-cache", str(tmp_path))
    assert code == 2
    assert "big/main.tf:0: error: skipped: 6.0 MiB, over the --max-file-size limit of 5 MiB" in out
    assert out.rstrip().endswith("1 file could not be parsed.")


def test_max_file_size_option_and_config_key_allow_the_file(
    tmp_path: Path, capsys: Capture
) -> None:
    write(tmp_path, {"big/main.tf": _big_tf(6 * 1024 * 1024)})
    code, report = scan_json(capsys, tmp_path, "--max-file-size", "8MiB")
    assert (code, diagnostics(report)) == (0, [])
    code, document = model_json(capsys, tmp_path, "--max-file-size", "7m")
    assert "big:aws_iam_role.app" in document["identities"]

    (tmp_path / ".driftgate.yaml").write_text("max_file_size: 10MiB\n")
    code, report = scan_json(capsys, tmp_path)
    assert (code, diagnostics(report)) == (0, [])
    # The command line wins over the configuration.
    code, report = scan_json(capsys, tmp_path, "--max-file-size", "1k")
    assert code == 2
    assert diagnostics(report)[0][4] == (
        "skipped: 6.0 MiB, over the --max-file-size limit of 1 KiB"
    )


def test_bad_max_file_size_is_a_usage_error(tmp_path: Path, capsys: Capture) -> None:
    code, _, err = cli(capsys, "scan", "--max-file-size", "ten megs", str(tmp_path))
    assert code == 2
    assert "Invalid value for '--max-file-size': 'ten megs' is not a size" in err
    (tmp_path / ".driftgate.yaml").write_text("max_file_size: huge\n")
    code, _, err = cli(capsys, "scan", str(tmp_path))
    assert code == 2
    assert ".driftgate.yaml: max_file_size: Value error, 'huge' is not a size" in err


def test_a_file_over_the_limit_is_never_read(tmp_path: Path) -> None:
    def refuse() -> bytes:
        raise AssertionError("a file over the limit was read")

    big = SourceFile("big.tf", "k1", refuse, size=MAX_FILE_SIZE + 1)
    ((parsed, [problem]),) = ParseCache().parse_all([big])
    assert parsed is None and problem.kind == "too-large"


def test_the_cache_never_serves_a_result_made_under_another_limit(
    tmp_path: Path, capsys: Capture
) -> None:
    write(tmp_path / "repo", {"main.tf": ROLE})
    cache = str(tmp_path / "cache")
    first = cli(
        capsys, "model", "--cache-dir", cache, "--max-file-size", "10", str(tmp_path / "repo")
    )
    assert first[0] == 2 and "over the --max-file-size limit of 10 bytes" in first[1]
    code, out, _ = cli(capsys, "model", "--cache-dir", cache, str(tmp_path / "repo"))
    assert code == 0 and ".:aws_iam_role.app" in json.loads(out)["identities"]


def test_size_limit_applies_to_git_revisions_too(tmp_path: Path, capsys: Capture) -> None:
    write(tmp_path, {"main.tf": ROLE, "big.tf": _big_tf(2048)})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "one")
    code, report = scan_json(capsys, tmp_path, "--head", "HEAD", "--max-file-size", "1KiB")
    assert code == 2
    size = format_size((tmp_path / "big.tf").stat().st_size)
    assert diagnostics(report) == [
        (
            "big.tf",
            0,
            "too-large",
            "error",
            f"skipped: {size}, over the --max-file-size limit of 1 KiB",
        )
    ]


def test_a_two_megabyte_single_line_policy_is_analysed_quickly(
    tmp_path: Path, capsys: Capture
) -> None:
    resources = [f"arn:aws:s3:::bucket-{i:06d}/*" for i in range(60_000)]
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": resources},
                {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
            ],
        }
    )
    assert len(document) > 1_900_000 and "\n" not in document
    policy = (
        'resource "aws_iam_role_policy" "app" {\n  role   = aws_iam_role.app.id\n'
        f"  policy = <<EOT\n{document}\nEOT\n}}\n"
    )
    write(tmp_path, {"main.tf": ROLE, "policy.tf": policy})
    code, model = timed(lambda: model_json(capsys, tmp_path), 60)
    assert (code, model["diagnostics"]) == (0, [])
    [reads, passrole] = model["grants"]
    assert len(reads["permissions"]) == 60_000
    assert passrole["permissions"] == [{"action": "iam:PassRole", "resource": "*", "scope": ""}]


def _bucket_policy(count: int) -> str:
    resources = [f"arn:aws:s3:::bucket-{i:06d}/*" for i in range(count)]
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": resources}
    document = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    return (
        'resource "aws_iam_role_policy" "app" {\n  role   = aws_iam_role.app.id\n'
        f"  policy = <<EOT\n{document}\nEOT\n}}\n"
    )


def test_a_huge_statement_grown_by_thousands_of_arns_is_diffed_and_summarised(
    tmp_path: Path, capsys: Capture
) -> None:
    # Comparing each head permission with each base one took minutes here (quadratic).
    base = write(tmp_path / "base", {"main.tf": ROLE, "policy.tf": _bucket_policy(30_000)})
    head = write(tmp_path / "head", {"main.tf": ROLE, "policy.tf": _bucket_policy(60_000)})
    code, report = timed(lambda: scan_json(capsys, head, "--base", str(base)), 60)
    [finding] = [f for f in report["findings"] if f["baseline_state"] == "new"]
    assert (code, finding["check"]) == (0, "DG101")
    # The first ARNs the change adds, then how many more: never 30,000 in one message.
    assert "s3:GetObject on arn:aws:s3:::bucket-030000/*" in finding["message"]
    assert "; and 29980 more resources" in finding["message"]
    assert len(finding["message"]) < 4_000


# ---- encodings and binary files ---------------------------------------------------


def test_non_utf8_files_are_named_with_the_line_of_the_bad_byte(
    tmp_path: Path, capsys: Capture
) -> None:
    write(
        tmp_path,
        {
            "latin1.tf": b'locals {\n  owner = "caf\xe9"\n}\n',
            "latin1.yaml": b"kind: ConfigMap\nmetadata:\n  name: caf\xe9\n",
        },
    )
    code, report = scan_json(capsys, tmp_path)
    assert code == 2
    assert diagnostics(report) == [
        ("latin1.tf", 2, "parse-error", "error", "not UTF-8 text (byte 0xe9)"),
        ("latin1.yaml", 3, "parse-error", "error", "not UTF-8 text (byte 0xe9)"),
    ]


def test_a_utf8_bom_is_accepted(tmp_path: Path, capsys: Capture) -> None:
    write(
        tmp_path,
        {
            "main.tf": b"\xef\xbb\xbf" + ROLE.encode(),
            "sa.yaml": b"\xef\xbb\xbf" + SERVICE_ACCOUNT.encode(),
        },
    )
    code, document = model_json(capsys, tmp_path)
    assert code == 0 and document["diagnostics"] == []
    assert {".:aws_iam_role.app", "k8s:ml/ServiceAccount/app"} <= set(document["identities"])


def test_binary_files_with_terraform_and_yaml_names(tmp_path: Path, capsys: Capture) -> None:
    blob = bytes(range(256)) * 8
    write(tmp_path, {"model.tf": blob, "weights.yaml": blob, "ok.tf": ROLE})
    code, report = scan_json(capsys, tmp_path)
    assert code == 2
    assert diagnostics(report) == [
        ("model.tf", 0, "parse-error", "error", "binary file (NUL bytes), not HCL text"),
        ("weights.yaml", 0, "parse-error", "error", "binary file (NUL bytes), not YAML text"),
    ]


def test_a_fifo_with_a_terraform_name_does_not_hang(tmp_path: Path, capsys: Capture) -> None:
    write(tmp_path, {"ok.tf": ROLE})
    os.mkfifo(tmp_path / "pipe.tf")
    code, report = timed(lambda: scan_json(capsys, tmp_path), 20)
    assert code == 0
    assert diagnostics(report) == [
        ("pipe.tf", 1, "unsafe-path", "warning", "not a regular file, not read: pipe.tf")
    ]


# ---- evaluation that must terminate -----------------------------------------------


def test_circular_module_calls_terminate_and_name_the_cycle(
    tmp_path: Path, capsys: Capture
) -> None:
    write(
        tmp_path,
        {
            "main.tf": 'module "a" {\n  source = "./modules/a"\n}\n',
            "modules/a/main.tf": 'module "b" {\n  source = "../b"\n}\n',
            "modules/b/main.tf": 'module "a" {\n  source = "../a"\n}\n'
            + 'resource "aws_iam_user" "inner" {\n  name = "inner"\n}\n',
        },
    )
    code, document = timed(lambda: model_json(capsys, tmp_path), 20)
    assert code == 0
    assert document["diagnostics"] == [
        {
            "path": "modules/b/main.tf",
            "line": 1,
            "level": "warning",
            "kind": "evaluation",
            "message": "circular module call: . → modules/a → modules/b → modules/a;"
            " not evaluated further",
        }
    ]
    assert ".:module.a.module.b.aws_iam_user.inner" in document["identities"]


def test_self_referencing_locals_terminate_and_name_the_cycle(
    tmp_path: Path, capsys: Capture
) -> None:
    write(
        tmp_path,
        {
            "main.tf": "locals {\n  a = local.b\n  b = local.a\n  c = local.c\n}\n"
            + ROLE
            + 'resource "aws_iam_role_policy" "p" {\n  role   = aws_iam_role.app.id\n'
            + '  policy = jsonencode({ Statement = [{ Effect = "Allow",'
            + " Action = local.a, Resource = local.c }] })\n}\n",
        },
    )
    code, document = timed(lambda: model_json(capsys, tmp_path), 20)
    assert code == 0
    messages = {(d["line"], d["kind"], d["message"]) for d in document["diagnostics"]}
    assert messages == {
        (
            2,
            "evaluation",
            "local values refer to each other in a cycle: local.a → local.b → local.a",
        ),
        (4, "evaluation", "local values refer to each other in a cycle: local.c → local.c"),
    }
    [grant] = document["grants"]
    assert grant["unknown"]  # the cycle is shown as unknown, not guessed


def test_a_cycle_among_locals_nothing_reads_is_still_named(tmp_path: Path, capsys: Capture) -> None:
    """Evaluation is lazy, so an unread cycle is never met: it is found from the text."""
    write(tmp_path, {"main.tf": "locals {\n  x = 1\n  a = [local.b]\n  b = local.a\n}\n" + ROLE})
    code, document = model_json(capsys, tmp_path)
    assert code == 0
    messages = [(d["line"], d["message"]) for d in document["diagnostics"]]
    assert messages == [
        (3, "local values refer to each other in a cycle: local.a → local.b → local.a")
    ]


def test_a_cycle_met_in_one_module_does_not_hide_the_same_names_unread_in_another(
    tmp_path: Path, capsys: Capture
) -> None:
    # The role's name reads the cycle, so evaluation meets it in prod only.
    read = "locals {\n  a = local.b\n  b = local.a\n}\n" + ROLE.replace('"app"\n', "local.a\n")
    assert "local.a" in read
    unread = "locals {\n  a = local.b\n  b = local.a\n}\n"
    write(tmp_path, {"envs/prod/main.tf": read, "envs/dev/main.tf": unread})
    code, document = model_json(capsys, tmp_path)
    assert code == 0
    cycles = sorted(d["path"] for d in document["diagnostics"] if "cycle" in d["message"])
    assert cycles == ["envs/dev/main.tf", "envs/prod/main.tf"]


def test_documents_built_from_documents_are_rendered_once_each(
    tmp_path: Path, capsys: Capture
) -> None:
    """Forty documents, each merging the one before twice: 2**40 renders if each path
    that reaches a document renders it again, and 2**40 statements if merging were not
    bounded; one that merges itself terminates. Past the bounds, the rest is unknown."""
    docs = ['data "aws_iam_policy_document" "d0" {\n  statement {\n    actions = ["s3:X"]\n'
            '    resources = ["*"]\n  }\n}\n']  # fmt: skip
    for i in range(1, 41):
        prev = f"data.aws_iam_policy_document.d{i - 1}.json"
        docs.append(
            f'data "aws_iam_policy_document" "d{i}" {{\n'
            f"  source_policy_documents = [{prev}, {prev}]\n}}\n"
        )
    docs.append(
        'data "aws_iam_policy_document" "self" {\n'
        "  source_policy_documents = [data.aws_iam_policy_document.self.json]\n}\n"
    )
    attach = (
        'resource "aws_iam_role_policy" "p" {\n  role = aws_iam_role.app.id\n'
        "  policy = data.aws_iam_policy_document.d40.json\n}\n"
    )
    write(tmp_path, {"main.tf": "".join(docs) + ROLE + attach})
    code, document = timed(lambda: model_json(capsys, tmp_path), 20)
    assert code == 0
    actions = {p["action"] for g in document["grants"] for p in g["permissions"]}
    assert "s3:X" in actions


def test_for_each_over_a_billion_elements_is_bounded(tmp_path: Path, capsys: Capture) -> None:
    write(
        tmp_path,
        {
            "main.tf": 'resource "aws_iam_user" "many" {\n'
            "  for_each = toset([for i in range(1000000000) : tostring(i)])\n"
            "  name     = each.key\n}\n"
            'resource "aws_iam_user" "count" {\n  count = 1000000000\n  name = "u"\n}\n',
        },
    )
    code, document = timed(lambda: model_json(capsys, tmp_path), 60)
    assert code == 0
    identities = set(document["identities"])
    # Unknown instances, not a billion of them.
    assert ".:aws_iam_user.many[*]" in identities
    assert len([i for i in identities if i.startswith(".:aws_iam_user.count[")]) == 10_000


def test_exponential_string_templates_are_cut_off(tmp_path: Path, capsys: Capture) -> None:
    lines = ["locals {", '  l0 = "xxxxxxxxxxxxxxxx"']
    lines += [f'  l{i} = "${{local.l{i - 1}}}${{local.l{i - 1}}}"' for i in range(1, 40)]
    lines.append("}")
    policy = (
        'resource "aws_iam_role_policy" "p" {\n  role   = aws_iam_role.app.id\n'
        '  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:GetObject",'
        " Resource = local.l30 }] })\n}\n"
    )
    write(tmp_path, {"main.tf": "\n".join(lines) + "\n" + ROLE + policy})
    code, document = timed(lambda: model_json(capsys, tmp_path), 30)
    assert code == 0
    [grant] = document["grants"]
    assert grant["unknown"] == ["${local.l29}${local.l29}"]


def test_a_backtracking_regular_expression_does_not_hang(tmp_path: Path, capsys: Capture) -> None:
    write(
        tmp_path,
        {
            "main.tf": "locals {\n"
            f'  s = "{"a" * 60}!"\n'
            '  r = replace(local.s, "/^(a|aa)+$/", "x")\n'
            "}\n" + ROLE + 'resource "aws_iam_role_policy" "p" {\n  role   = aws_iam_role.app.id\n'
            '  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:GetObject",'
            " Resource = local.r }] })\n}\n",
        },
    )
    code, document = timed(lambda: model_json(capsys, tmp_path), 20)
    assert code == 0
    [grant] = document["grants"]
    assert grant["unknown"]


# ---- paths that lead outside the repository ---------------------------------------


def test_symlinks_out_of_the_working_tree_are_not_followed(tmp_path: Path, capsys: Capture) -> None:
    outside = write(tmp_path / "outside", {"secret.tf": ROLE, "mod/main.tf": ROLE})
    repo = write(tmp_path / "repo", {"main.tf": ROLE})
    (repo / "evil.tf").symlink_to(outside / "secret.tf")
    (repo / "mod").symlink_to(outside / "mod")
    code, report = scan_json(capsys, repo)
    assert code == 0
    assert diagnostics(report) == [
        (
            "evil.tf",
            1,
            "unsafe-path",
            "warning",
            f"symlink not followed: evil.tf -> {outside / 'secret.tf'}",
        ),
        ("mod", 1, "unsafe-path", "warning", f"symlink not followed: mod -> {outside / 'mod'}"),
    ]
    assert report["summary"]["files_scanned"] == 1


def test_symlinks_in_a_git_revision_are_not_followed(tmp_path: Path, capsys: Capture) -> None:
    repo = write(tmp_path, {"main.tf": ROLE})
    (repo / "passwd.yaml").symlink_to("/etc/passwd")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "one")
    code, report = scan_json(capsys, repo, "--head", "HEAD")
    assert code == 0
    assert diagnostics(report) == [
        (
            "passwd.yaml",
            1,
            "unsafe-path",
            "warning",
            "symlink not followed: passwd.yaml -> /etc/passwd",
        )
    ]


def test_a_symlinked_config_file_is_refused(tmp_path: Path, capsys: Capture) -> None:
    outside = write(tmp_path / "outside", {"config.yaml": "select: [DG999]\n"})
    repo = write(tmp_path / "repo", {"main.tf": ROLE})
    (repo / ".driftgate.yaml").symlink_to(outside / "config.yaml")
    code, _, err = cli(capsys, "scan", str(repo))
    assert code == 2
    assert f"{repo / '.driftgate.yaml'}: is a symlink; driftgate does not follow symlinks" in err


def test_module_sources_outside_the_root_are_not_read(tmp_path: Path, capsys: Capture) -> None:
    write(
        tmp_path,
        {
            "env/main.tf": 'module "escape" {\n  source = "../../../../etc"\n}\n\n'
            'module "absolute" {\n  source = "/etc/terraform"\n}\n',
        },
    )
    code, report = scan_json(capsys, tmp_path)
    assert code == 0
    assert diagnostics(report) == [
        (
            "env/main.tf",
            1,
            "unsafe-path",
            "warning",
            "module source ../../../../etc leads outside the repository root; not read",
        ),
        (
            "env/main.tf",
            5,
            "unsafe-path",
            "warning",
            "module source /etc/terraform is an absolute path; not read",
        ),
    ]


def test_kustomize_resources_outside_the_root_are_not_read(tmp_path: Path, capsys: Capture) -> None:
    write(
        tmp_path,
        {
            "overlays/prod/kustomization.yaml": (
                "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                "resources:\n  - ../../../etc\n  - /etc/k8s\n"
            ),
        },
    )
    code, report = scan_json(capsys, tmp_path)
    assert code == 0
    # Line 3: the key that lists the entries (list entries carry no line of their own).
    assert diagnostics(report) == [
        (
            "overlays/prod/kustomization.yaml",
            3,
            "unsafe-path",
            "warning",
            "absolute path in resources not read: /etc/k8s",
        ),
        (
            "overlays/prod/kustomization.yaml",
            3,
            "unsafe-path",
            "warning",
            "resources entry ../../../etc is outside the repository; not read",
        ),
    ]


# ---- hostile configuration --------------------------------------------------------


def test_a_config_alias_bomb_is_a_config_error(tmp_path: Path, capsys: Capture) -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    (tmp_path / ".driftgate.yaml").write_text("\n".join(lines) + "\n")
    code, _, err = timed(lambda: cli(capsys, "scan", str(tmp_path)), 10)
    assert code == 2
    assert err.strip() == (
        f"driftgate: error: {tmp_path / '.driftgate.yaml'}:4: not valid YAML:"
        " YAML aliases expand to more than 10000 nodes; refused"
    )


def test_a_hostile_pyproject_is_a_config_error(tmp_path: Path, capsys: Capture) -> None:
    (tmp_path / "sa.yaml").write_text(SERVICE_ACCOUNT)
    (tmp_path / "pyproject.toml").write_text("tool = 1\n")
    code, _, _ = cli(capsys, "scan", str(tmp_path))
    assert code == 0  # no [tool.driftgate] table: the defaults
    (tmp_path / "pyproject.toml").write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    code, _, err = cli(capsys, "scan", str(tmp_path))
    assert code == 2
    assert "pyproject.toml: not valid TOML: nested too deeply" in err


# ---- partial failure --------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "finding", "failure"),
    [
        (
            "text",
            "terraform/envs/staging/main.tf:",
            "terraform/envs/staging/broken.tf:2: error: HCL syntax error",
        ),
        ("json", '"check": "DG104"', '"path": "terraform/envs/staging/broken.tf"'),
        ("sarif", '"ruleId": "DG104"', '"uri": "terraform/envs/staging/broken.tf"'),
        ("markdown", "DG104", "terraform/envs/staging/broken.tf"),
        (
            "github",
            "::error file=terraform/envs/staging/main.tf",
            "file=terraform/envs/staging/broken.tf",
        ),
    ],
)
def test_one_broken_file_hides_nothing_in_any_format(
    tmp_path: Path, capsys: Capture, fmt: str, finding: str, failure: str
) -> None:
    base, head = tmp_path / "base", tmp_path / "head"
    shutil.copytree(DEMO_HEAD.parent / "base", base)
    shutil.copytree(DEMO_HEAD, head)
    (head / "terraform/envs/staging/broken.tf").write_text('resource "x" "y" {\n  a = \n}\n')
    code, out, _ = cli(capsys, "scan", "--no-cache", "--base", str(base), "-f", fmt, str(head))
    assert code == 2
    assert finding in out
    assert failure in out
