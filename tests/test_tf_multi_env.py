"""testdata/terraform/multi-env: two environment roots (envs/staging, envs/prod) call one
shared module (modules/inference-role) with different tfvars. Every policy each
environment resolves to is asserted: the grants of each role with their permissions and
statement lines, its trust, its session credential and its environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from tf_support import line_of, policy, semantics

from driftgate.analyzer import vendor_roles
from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.model import Model
from driftgate.analyzer.parse.hcl import parse_hcl
from driftgate.analyzer.pipeline import build_model
from driftgate.analyzer.sources.worktree import DirectoryTree
from driftgate.analyzer.terraform.modules import ResourceInstance, TerraformProject

FIXTURE = Path(__file__).resolve().parent.parent / "testdata" / "terraform" / "multi-env"
MODULE = "modules/inference-role/main.tf"
ROLE = "module.llm_serving.aws_iam_role.this"

ACCOUNTS = {"staging": "111111111111", "prod": "222222222222"}
REGIONS = {"staging": "us-west-2", "prod": "us-east-1"}
ISSUERS = {
    "staging": "oidc.eks.us-west-2.amazonaws.com/id/5TAG1NG0000000000000000000000000",
    "prod": "oidc.eks.us-east-1.amazonaws.com/id/PR0D00000000000000000000000000000",
}
MODELS = {
    "staging": [
        "anthropic.claude-3-haiku-20240307-v1:0",
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
    ],
    "prod": ["anthropic.claude-3-5-sonnet-20240620-v1:0"],
}
KMS_KEY = "arn:aws:kms:us-east-1:222222222222:key/0f3c2a9e-7b1d-4d2b-9c55-6a7e8f9a0b1c"


ECR_READ = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"


def _text(rel: str) -> str:
    return (FIXTURE / rel).read_text()


def _line(rel: str, needle: str, occurrence: int = 1) -> int:
    return line_of(_text(rel), needle, occurrence)


def _bucket(actions: list[str], bucket: str) -> frozenset[tuple[str, str]]:
    arns = (f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*")
    return frozenset((a, r) for a in actions for r in arns)


def _expected_grants(env: str) -> set[tuple[str, str, frozenset[tuple[str, str]], str, int]]:
    """(effect, via, permissions, path, line) of every grant of the env's role."""
    root = f"envs/{env}/main.tf"
    access = "module.llm_serving.aws_iam_role_policy.access"
    invoke = frozenset(
        (action, f"arn:aws:bedrock:{REGIONS[env]}::foundation-model/{model}")
        for action in ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream")
        for model in MODELS[env]
    )
    static_statement = _line(MODULE, "statement {")
    bucket_statement = _line(MODULE, "content {")
    kms_statement = _line(MODULE, "content {", 2)
    logs = frozenset(
        (
            action,
            f"arn:aws:logs:{REGIONS[env]}:{ACCOUNTS[env]}:log-group:/inference/llm-serving-{env}:*",
        )
        for action in ("logs:CreateLogStream", "logs:PutLogEvents")
    )
    # AWS's ECR read-only policy, expanded from the packaged catalog (one statement).
    ecr = vendor_roles.aws_policy(ECR_READ)
    assert ecr is not None
    (statement,) = ecr.statements
    common = {
        ("allow", f'{access} statement "InvokeModels"', invoke, MODULE, static_statement),
        (
            "allow",
            "aws_iam_role_policy_attachment.ecr_read attaches "
            "AmazonEC2ContainerRegistryReadOnly statement 1",
            frozenset((action, "*") for action in statement["Action"]),
            root,
            _line(root, "policy_arn"),
        ),
        (
            "allow",
            'aws_iam_role_policy.logs statement "WriteOwnLogs"',
            logs,
            root,
            _line(root, 'Sid      = "WriteOwnLogs"') - 1,
        ),
    }
    if env == "staging":
        return common | {
            (
                "allow",
                f'{access} statement "ReadModels"',
                _bucket(["s3:GetObject", "s3:ListBucket"], "acme-models-staging"),
                MODULE,
                bucket_statement,
            ),
            (
                "allow",
                f'{access} statement "WriteEvalResults"',
                _bucket(["s3:GetObject", "s3:PutObject"], "acme-eval-results-staging"),
                MODULE,
                bucket_statement,
            ),
        }
    return common | {
        (
            "allow",
            f'{access} statement "ReadModels"',
            _bucket(["s3:GetObject"], "acme-models-prod"),
            MODULE,
            bucket_statement,
        ),
        (
            "allow",
            f'{access} statement "DecryptModelArtifacts"',
            frozenset({("kms:Decrypt", KMS_KEY)}),
            MODULE,
            kms_statement,
        ),
    }


@pytest.fixture(scope="module")
def built() -> tuple[Model, list[str]]:
    result = build_model(DirectoryTree(FIXTURE), ExtractOptions())
    return result.model, [str(d) for d in result.diagnostics]


@pytest.fixture(scope="module")
def evaluated() -> dict[str, ResourceInstance]:
    files = [
        parse_hcl(p.relative_to(FIXTURE).as_posix(), p.read_text())
        for p in sorted(FIXTURE.rglob("*"))
        if p.suffix in (".tf", ".tfvars")
    ]
    tf = TerraformProject(files, read_file=DirectoryTree(FIXTURE).read_path)
    assert [r.label for r in tf.roots()] == ["envs/prod", "envs/staging"]
    found = {i.full_address: i for i in tf.instances()}
    assert tf.diagnostics == []
    return found


def test_the_environment_roots_evaluate_the_shared_module_once_each(
    evaluated: dict[str, ResourceInstance],
) -> None:
    per_root = {
        "envs/prod": [
            "aws_iam_role_policy_attachment.ecr_read",
            "aws_iam_role_policy.logs",
            "module.llm_serving.aws_iam_role.this",
            "module.llm_serving.data.aws_iam_policy_document.access",
            "module.llm_serving.aws_iam_role_policy.access",
        ]
    }
    per_root["envs/staging"] = per_root["envs/prod"]
    assert sorted(evaluated) == sorted(
        f"{root}:{address}" for root, addresses in per_root.items() for address in addresses
    )


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_module_output_flows_back_to_the_root(
    evaluated: dict[str, ResourceInstance], env: str
) -> None:
    attachment = evaluated[f"envs/{env}:aws_iam_role_policy_attachment.ecr_read"]
    assert attachment.get("role") == f"llm-serving-{env}"
    logs = evaluated[f"envs/{env}:aws_iam_role_policy.logs"]
    assert logs.get("name") == f"llm-serving-{env}-logs"


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_rendered_policy_document_per_environment(
    evaluated: dict[str, ResourceInstance], env: str
) -> None:
    inline = evaluated[f"envs/{env}:module.llm_serving.aws_iam_role_policy.access"]
    statements = policy(inline.get("policy"))["Statement"]
    invoke = {
        "Sid": "InvokeModels",
        "Effect": "Allow",
        "Action": {"bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"},
        "Resource": {f"arn:aws:bedrock:{REGIONS[env]}::foundation-model/{m}" for m in MODELS[env]},
    }

    def bucket(sid: str, actions: set[str], name: str) -> dict[str, object]:
        resources = {f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"}
        return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}

    if env == "staging":
        expected = [
            invoke,
            bucket("ReadModels", {"s3:GetObject", "s3:ListBucket"}, "acme-models-staging"),
            bucket(
                "WriteEvalResults", {"s3:GetObject", "s3:PutObject"}, "acme-eval-results-staging"
            ),
        ]
    else:
        expected = [
            invoke,
            bucket("ReadModels", {"s3:GetObject"}, "acme-models-prod"),
            {
                "Sid": "DecryptModelArtifacts",
                "Effect": "Allow",
                "Action": {"kms:Decrypt"},
                "Resource": {KMS_KEY},
            },
        ]
    assert [semantics(s) for s in statements] == expected


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_identity_and_its_environment(built: tuple[Model, list[str]], env: str) -> None:
    model, _ = built
    identity = model.identities[f"envs/{env}:{ROLE}"]
    assert identity.environment == env
    assert identity.name == f"llm-serving-{env}"
    assert identity.provider == "aws"
    assert identity.kind == "role"
    assert identity.owner == "ml-platform"
    assert identity.location is not None
    assert (identity.location.path, identity.location.line) == (
        MODULE,
        _line(MODULE, 'resource "aws_iam_role" "this"'),
    )


def test_only_the_two_roles_are_identities(built: tuple[Model, list[str]]) -> None:
    model, diagnostics = built
    assert sorted(model.identities) == [f"envs/prod:{ROLE}", f"envs/staging:{ROLE}"]
    assert diagnostics == []


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_every_grant_per_environment(built: tuple[Model, list[str]], env: str) -> None:
    model, _ = built
    grants = model.grants_of(f"envs/{env}:{ROLE}")
    found = set()
    for grant in grants:
        # Nothing unknown: the AWS-managed policy is expanded, and keeps its ARN.
        assert grant.unknown == ()
        assert grant.policy in (None, ECR_READ) and not grant.unresolved
        assert grant.conditions == ()
        assert grant.location is not None
        found.add(
            (
                grant.effect,
                grant.via,
                frozenset((p.action, p.resource) for p in grant.permissions),
                grant.location.path,
                grant.location.line,
            )
        )
    assert len(found) == len(grants)
    assert found == _expected_grants(env)


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_trust_per_environment(built: tuple[Model, list[str]], env: str) -> None:
    model, _ = built
    trusts = [t for t in model.trusts if t.identity == f"envs/{env}:{ROLE}"]
    assert len(trusts) == 1
    trust = trusts[0]
    issuer = ISSUERS[env]
    assert trust.principals == (f"Federated:arn:aws:iam::{ACCOUNTS[env]}:oidc-provider/{issuer}",)
    assert trust.actions == ("sts:AssumeRoleWithWebIdentity",)
    assert set(map(str, trust.conditions)) == {
        f"StringEquals {issuer}:sub system:serviceaccount:inference:llm-serving",
        f"StringEquals {issuer}:aud sts.amazonaws.com",
    }
    # Values, not text: the key, the operator's family and each value apart.
    sub = next(c for c in trust.conditions if c.key.endswith(":sub"))
    assert (sub.family, sub.op, sub.values) == (
        "string",
        "StringEquals",
        ("system:serviceaccount:inference:llm-serving",),
    )
    assert trust.location is not None
    assert (trust.location.path, trust.location.line) == (
        MODULE,
        _line(MODULE, 'Sid       = "ServiceAccount"') - 1,
    )


@pytest.mark.parametrize(("env", "hours"), [("staging", 4), ("prod", 1)])
def test_session_duration_per_environment(
    built: tuple[Model, list[str]], env: str, hours: int
) -> None:
    model, _ = built
    sessions = [c for c in model.credentials.values() if c.identity == f"envs/{env}:{ROLE}"]
    assert len(sessions) == 1
    assert sessions[0].ttl_seconds == hours * 3600
    assert sessions[0].environment == env
