"""The organisation-wide inventory: repositories' models as Parquet tables, SQL over them
with DuckDB, the ready-made reports, a repository that fails, and the Ray engine giving
the same tables as the default one."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result
from test_github_action import commit_all, git

from driftgate.analyzer.cli import cli
from driftgate.analyzer.inventory import engines
from driftgate.analyzer.inventory.command import ENGINES, REPORTS, report_sql
from driftgate.analyzer.inventory.tables import SCHEMAS, TABLES

ROLE = "arn:aws:iam::111122223333:role/llm-shared"
SERVING = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: llm
  namespace: {ns}
  annotations:
    eks.amazonaws.com/role-arn: {role}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: llm
  namespace: {ns}
  labels:
    owner: ml-platform
spec:
  template:
    spec:
      serviceAccountName: llm
      containers:
        - name: server
          image: vllm/vllm-openai:v0.6.0
          volumeMounts:
            - name: token
              mountPath: /var/run/secrets/tokens
      volumes:
        - name: token
          projected:
            sources:
              - serviceAccountToken:
                  path: token
                  expirationSeconds: {ttl}
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def make_repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    git(root, "init", "-q")
    commit_all(root, "initial")
    return root


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two repositories whose inference services run as one role: prod and staging."""
    base = tmp_path_factory.mktemp("repos")
    prod = SERVING.format(ns="ml-prod", role=ROLE, ttl=31536000)
    staging = SERVING.format(ns="ml-staging", role=ROLE, ttl=3600)
    return {
        "serving-prod": make_repo(base / "serving-prod", {"k8s/prod/llm.yaml": prod}),
        "serving-staging": make_repo(base / "serving-staging", {"k8s/llm.yaml": staging}),
    }


def inventory(out: Path, *args: str) -> Result:
    return run("inventory", *args, "-o", str(out))


def query(out: Path, sql: str, fmt: str = "json") -> Any:
    result = run("inventory", "query", str(out), sql, "--format", fmt)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if fmt == "json" else result.stdout


def rows(out: Path, table: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for file in sorted((out / table).glob("*.parquet")):
        records += pq.read_table(file).to_pylist()
    return records


def test_the_tables_carry_repository_revision_and_where(
    tmp_path: Path, repos: dict[str, Path]
) -> None:
    out = tmp_path / "inv"
    result = inventory(out, *(str(p) for p in repos.values()))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(TABLES)
    for table in TABLES:
        for record in rows(out, table):
            assert record["repository"] in repos
            assert record["revision"] == git(repos[record["repository"]], "rev-parse", "HEAD")
    bindings = query(
        out,
        "SELECT repository, workload, identity, principal, hops, environment, path, line"
        " FROM bindings WHERE provider = 'aws' ORDER BY repository",
    )
    assert bindings == [
        {
            "repository": "serving-prod",
            "workload": "k8s:ml-prod/Deployment/llm",
            "identity": bindings[0]["identity"],
            "principal": ROLE,
            "hops": 1,
            "environment": "prod",
            "path": "k8s/prod/llm.yaml",
            "line": 19,  # serviceAccountName
        },
        {
            "repository": "serving-staging",
            "workload": "k8s:ml-staging/Deployment/llm",
            "identity": bindings[1]["identity"],
            "principal": ROLE,
            "hops": 1,
            "environment": "staging",
            "path": "k8s/llm.yaml",
            "line": 19,  # serviceAccountName
        },
    ]
    (runs,) = query(out, "SELECT count(*) AS n, bool_and(status = 'ok') AS ok FROM runs")
    assert runs == {"n": 2, "ok": True}


def test_the_reports_point_at_repository_file_and_line(
    tmp_path: Path, repos: dict[str, Path]
) -> None:
    out = tmp_path / "inv"
    inventory(out, *(str(p) for p in repos.values()))
    reuse = json.loads(run("inventory", "report", "reuse", str(out), "-f", "json").stdout)
    assert [(r["principal"], r["repository"], r["environment"], r["path"]) for r in reuse] == [
        (ROLE, "serving-prod", "prod", "k8s/prod/llm.yaml"),
        (ROLE, "serving-staging", "staging", "k8s/llm.yaml"),
    ]
    owners = json.loads(run("inventory", "report", "owners", str(out), "-f", "json").stdout)
    # The ServiceAccounts carry no owner label (the Deployments do).
    assert {(o["repository"], o["identity"]) for o in owners} == {
        ("serving-prod", "k8s:ml-prod/ServiceAccount/llm"),
        ("serving-staging", "k8s:ml-staging/ServiceAccount/llm"),
    }
    static = run("inventory", "report", "static-credentials", str(out), "-f", "json")
    (token,) = json.loads(static.stdout)  # staging's token lives an hour: not listed
    assert (token["repository"], token["kind"], token["ttl_seconds"]) == (
        "serving-prod",
        "projected_token",
        31536000,
    )
    assert token["path"] == "k8s/prod/llm.yaml" and token["line"] > 1


def test_a_repository_that_fails_is_a_runs_row_and_the_others_complete(
    tmp_path: Path, repos: dict[str, Path]
) -> None:
    out = tmp_path / "inv"
    plain = tmp_path / "not-git"
    plain.mkdir()
    result = inventory(out, str(repos["serving-prod"]), str(tmp_path / "missing"), str(plain))
    assert result.exit_code == 0
    assert "1 of 3 repositories" in result.stderr
    runs = {r["repository"]: r for r in query(out, "SELECT * FROM runs")}
    assert runs["serving-prod"]["status"] == "ok"
    assert runs["missing"]["status"] == "failed" and "no such folder" in runs["missing"]["error"]
    assert (
        runs["not-git"]["status"] == "failed" and "not a git repository" in runs["not-git"]["error"]
    )
    assert {r["repository"] for r in rows(out, "identities")} == {"serving-prod"}

    nothing = inventory(tmp_path / "none", str(tmp_path / "missing"))
    assert nothing.exit_code == 2 and "0 of 1 repositories" in nothing.stderr


def test_a_second_run_replaces_rows_and_reuses_the_cache(
    tmp_path: Path, repos: dict[str, Path]
) -> None:
    out = tmp_path / "inv"
    inventory(out, str(repos["serving-prod"]))
    inventory(out, str(repos["serving-prod"]))
    (run_row,) = rows(out, "runs")
    assert run_row["cached"] is True
    assert len(rows(out, "identities")) == len({r["address"] for r in rows(out, "identities")})
    # Named repositories accumulate; --clean starts over.
    inventory(out, f"other={repos['serving-staging']}")
    assert {r["repository"] for r in rows(out, "runs")} == {"serving-prod", "other"}
    inventory(out, "--clean", str(repos["serving-staging"]))
    assert {r["repository"] for r in rows(out, "runs")} == {"serving-staging"}


def test_query_formats_and_errors(tmp_path: Path, repos: dict[str, Path]) -> None:
    out = tmp_path / "inv"
    inventory(out, str(repos["serving-prod"]))
    sql = "SELECT repository, kind, ttl_seconds FROM credentials"
    table = query(out, sql, "table")
    assert table.splitlines()[0].split() == ["repository", "kind", "ttl_seconds"]
    assert "serving-prod  projected_token  31536000" in table and "(1 row)" in table
    parsed = list(csv.reader(io.StringIO(query(out, sql, "csv"))))
    assert parsed == [
        ["repository", "kind", "ttl_seconds"],
        ["serving-prod", "projected_token", "31536000"],
    ]
    bad = run("inventory", "query", str(out), "SELECT nope FROM runs")
    assert bad.exit_code == 2 and "query failed" in bad.stderr
    empty = run("inventory", "query", str(tmp_path / "nothing-here"), "SELECT 1")
    assert empty.exit_code == 2 and "holds no inventory" in empty.stderr


def test_duckdb_reads_nothing_outside_the_inventory(tmp_path: Path, repos: dict[str, Path]) -> None:
    out = tmp_path / "inv"
    inventory(out, str(repos["serving-prod"]))
    secret = tmp_path / "secret.csv"
    secret.write_text("token\nhunter2\n")
    leak = run("inventory", "query", str(out), f"SELECT * FROM read_csv('{secret}')")
    assert leak.exit_code == 2 and "hunter2" not in leak.output


def test_empty_tables_still_have_their_columns(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "tf-only", {"main.tf": 'variable "x" {}\n'})
    out = tmp_path / "inv"
    inventory(out, str(repo))
    (columns,) = query(out, "SELECT count(*) AS n FROM workloads")
    assert columns == {"n": 0}
    described = query(out, "DESCRIBE bindings")
    assert [d["column_name"] for d in described] == SCHEMAS["bindings"].names


def test_the_shipped_reports_are_the_ones_documented() -> None:
    assert set(REPORTS) == {"reuse", "owners", "static-credentials"}
    assert all(report_sql(name).lstrip().startswith("--") for name in REPORTS)
    assert engines.ENGINES == ENGINES


def test_the_ray_engine_writes_the_same_tables(tmp_path: Path, repos: dict[str, Path]) -> None:
    pytest.importorskip("ray", reason="the Ray engine is an optional extra: driftgate[ray]")
    local, distributed = tmp_path / "local", tmp_path / "ray"
    paths = [str(p) for p in repos.values()]
    assert inventory(local, *paths, "--no-cache").exit_code == 0
    result = inventory(distributed, *paths, "--no-cache", "--engine", "ray", "--ray-cpus", "1")
    assert result.exit_code == 0, result.output
    for table in TABLES:
        a, b = rows(local, table), rows(distributed, table)
        if table == "runs":
            changing = {"started", "seconds"}
            a = [{k: v for k, v in r.items() if k not in changing} for r in a]
            b = [{k: v for k, v in r.items() if k not in changing} for r in b]
        key = json.dumps
        assert sorted(map(key, a)) == sorted(map(key, b)), table
        if table in ("identities", "bindings", "credentials", "runs"):
            assert a, table


def test_hostile_values_and_folder_names(tmp_path: Path) -> None:
    # A name with a terminal escape, and an inventory folder with glob characters.
    yaml = 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: "sa\\e]0;pwned\\a"\n'
    repo = make_repo(tmp_path / "hostile", {"sa.yaml": yaml})
    out = tmp_path / "inv[1]*"
    assert inventory(out, str(repo)).exit_code == 0
    table = query(out, "SELECT name FROM identities", "table")
    assert "\x1b" not in table and "\x07" not in table and "\\x1b]0;pwned" in table


def test_one_name_for_two_repositories_is_refused(tmp_path: Path, repos: dict[str, Path]) -> None:
    paths = list(repos.values())
    result = inventory(tmp_path / "inv", f"a={paths[0]}", f"a={paths[1]}")
    assert result.exit_code == 2 and "more than one repository is named a" in result.stderr
    assert not (tmp_path / "inv").exists()


def test_a_missing_tree_object_fails_that_repository_only(
    tmp_path: Path, repos: dict[str, Path]
) -> None:
    broken = make_repo(tmp_path / "broken", {"k8s/sa.yaml": "kind: ServiceAccount\n"})
    tree = git(broken, "rev-parse", "HEAD:k8s")
    (broken / ".git" / "objects" / tree[:2] / tree[2:]).unlink()
    out = tmp_path / "inv"
    result = inventory(out, str(broken), str(repos["serving-prod"]))
    assert result.exit_code == 0, result.output
    runs = {r["repository"]: r for r in query(out, "SELECT * FROM runs")}
    assert runs["broken"]["status"] == "failed" and runs["serving-prod"]["status"] == "ok"
