"""The AWS extractor: which entity each resource becomes, at which address and line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from driftgate.analyzer.extract.aws.common import accelerated_reason, module_prefixes
from driftgate.analyzer.extract.aws.extract import extract_aws
from driftgate.analyzer.extract.kubernetes.manifests import extract_kubernetes
from driftgate.analyzer.extract.link import link, merge
from driftgate.analyzer.extract.options import ExtractOptions, InferenceSelectors
from driftgate.analyzer.model import Grant, Location, Model, Permission
from driftgate.analyzer.parse.hcl import parse_hcl
from driftgate.analyzer.parse.yaml_docs import load_yaml
from driftgate.analyzer.terraform.modules import TerraformProject

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "testdata" / "model" / "aws"
GOLDEN = ROOT / "tests" / "golden" / "model-aws.json"
MAIN = "envs/prod/main.tf"
P = "envs/prod:"


def _model(files: str | dict[str, str], options: ExtractOptions | None = None) -> Model:
    """The AWS model of Terraform ``files`` (path → text); one text is ``envs/prod/main.tf``."""
    if isinstance(files, str):
        files = {MAIN: files}
    parsed = [parse_hcl(path, textwrap.dedent(text)) for path, text in files.items()]
    return extract_aws(list(TerraformProject(parsed).instances()), options or ExtractOptions())


def _grants(model: Model, identity: str) -> list[Grant]:
    return model.grants_of(P + identity)


def _actions(grant: Grant) -> list[str]:
    return [p.action for p in grant.permissions]


ROLE = """\
resource "aws_iam_role" "{name}" {{
  name = "{role_name}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{ Effect = "Allow", Principal = {{ Service = "ec2.amazonaws.com" }},
                   Action = "sts:AssumeRole" }}]
  }})
}}
"""


def _role(name: str = "app", role_name: str = "app-prod") -> str:
    return ROLE.format(name=name, role_name=role_name)


# --- groups -------------------------------------------------------------------------------


GROUP = """\
resource "aws_iam_user" "bot" {
  name = "bot"
}

resource "aws_iam_group" "pub" {
  name = "publishers"
}

resource "aws_iam_group_policy" "pub" {
  group  = aws_iam_group.pub.name
  policy = <<-JSON
    {"Statement": [
      {"Sid": "Put", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::m/*"}
    ]}
  JSON
}

resource "aws_iam_group_policy_attachment" "pub" {
  group      = "publishers"
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
"""


def test_group_grants_reach_members_through_user_group_membership() -> None:
    model = _model(
        GROUP
        + """
resource "aws_iam_user_group_membership" "bot" {
  user   = aws_iam_user.bot.name
  groups = [aws_iam_group.pub.name, "legacy"]
}
"""
    )
    put, *read_only, legacy = _grants(model, "aws_iam_user.bot")
    assert put.via == 'group publishers: aws_iam_group_policy.pub statement "Put"'
    assert put.permissions == (Permission(action="s3:PutObject", resource="arn:aws:s3:::m/*"),)
    # Located at the statement, bound at the membership that gives it to the user.
    assert put.location == Location(path=MAIN, line=13)
    assert put.binding == Location(path=MAIN, line=25)
    # AWS's ReadOnlyAccess, expanded from the catalog into its statements.
    assert read_only and all(
        g.via.startswith("group publishers: aws_iam_group_policy_attachment.pub attaches ")
        and g.policy == "arn:aws:iam::aws:policy/ReadOnlyAccess"
        and g.permissions
        for g in read_only
    )
    assert Permission(action="s3:Get*", resource="*") in {
        p for g in read_only for p in g.permissions
    }
    # A group no file declares: its grants are unknown, and say so.
    assert legacy.via == "group legacy"
    assert legacy.unknown == ("grants of group legacy",)
    assert legacy.permissions == ()
    # A group is no principal (nothing authenticates as it): a definition that holds
    # what joining it gives, for the escalation graph (iam:AddUserToGroup).
    groups = [i for a, i in model.identities.items() if "aws_iam_group." in a]
    assert [g.kind for g in groups] == ["group"]
    assert all(g.definition and g.principal is None for g in groups)


def test_group_membership_lists_users_and_a_group_without_members_grants_nothing() -> None:
    model = _model(
        GROUP
        + """
resource "aws_iam_user" "other" {
  name = "other"
}

resource "aws_iam_group_membership" "pub" {
  name  = "pub"
  group = aws_iam_group.pub.name
  users = [aws_iam_user.bot.name, "other", "not-declared"]
}

resource "aws_iam_group" "empty" {
  name = "empty"
}

resource "aws_iam_group_policy" "empty" {
  group  = aws_iam_group.empty.name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
}
"""
    )
    for user in ("aws_iam_user.bot", "aws_iam_user.other"):
        grants = _grants(model, user)
        # The group's inline statement and ReadOnlyAccess's statements, nothing else.
        assert len(grants) > 2 and {g.via.split(":")[0] for g in grants} == {"group publishers"}
        assert {g.binding for g in grants} == {Location(path=MAIN, line=30)}
    # The member-less group's * is held by the group alone: no user gains it.
    holders = {g.identity for g in model.grants if "*" in _actions(g)}
    assert len(holders) == 1 and next(iter(holders)).endswith("aws_iam_group.empty")
    assert model.identities[next(iter(holders))].definition


def test_policy_attachment_gives_one_policy_to_users_roles_and_groups() -> None:
    model = _model(
        GROUP
        + _role()
        + """
resource "aws_iam_policy" "audit" {
  name   = "audit"
  policy = jsonencode({ Statement = [{ Sid = "Logs", Action = "logs:Get*", Resource = "*" }] })
}

resource "aws_iam_policy_attachment" "audit" {
  name       = "audit"
  users      = [aws_iam_user.bot.name]
  roles      = [aws_iam_role.app.name]
  groups     = "not a list"
  policy_arn = aws_iam_policy.audit.arn
}
"""
    )
    via = 'aws_iam_policy.audit attached by aws_iam_policy_attachment.audit statement "Logs"'
    for identity in ("aws_iam_user.bot", "aws_iam_role.app"):
        (grant,) = [g for g in _grants(model, identity) if "audit" in g.via]
        assert grant.via == via
        assert _actions(grant) == ["logs:Get*"]
        assert grant.location == Location(path=MAIN, line=33)


def test_a_policy_attached_by_its_literal_arn_is_read_from_the_repository() -> None:
    model = _model(
        _role()
        + """
resource "aws_iam_policy" "mine" {
  name   = "models-read"
  policy = jsonencode({ Statement = [{ Action = "s3:GetObject", Resource = "*" }] })
}

resource "aws_iam_role_policy_attachment" "mine" {
  role       = "app-prod"
  policy_arn = "arn:aws:iam::111122223333:policy/models-read"
}

resource "aws_iam_role" "other" {
  name                = "other"
  managed_policy_arns = [aws_iam_policy.mine.arn, "arn:aws:iam::aws:policy/models-read"]
}
"""
    )
    (attached,) = _grants(model, "aws_iam_role.app")
    assert _actions(attached) == ["s3:GetObject"]
    # Policies are read before roles, so managed_policy_arns finds the declared one; an
    # AWS-managed ARN with the same name is AWS's policy, not ours.
    mine, managed = _grants(model, "aws_iam_role.other")
    assert _actions(mine) == ["s3:GetObject"]
    # Known only by its ARN: no permissions, the policy named, unknown said.
    assert _actions(managed) == []
    assert managed.policy == "arn:aws:iam::aws:policy/models-read" and managed.unresolved
    assert managed.unknown == ("managed policy arn:aws:iam::aws:policy/models-read",)


# --- boundaries and sessions --------------------------------------------------------------


BOUNDARY_POLICY = """\
resource "aws_iam_policy" "boundary" {
  name   = "boundary"
  policy = jsonencode({
    Statement = [
      { Sid = "Cap", Effect = "Allow", Action = ["s3:*", "logs:*"], Resource = "*" },
      { Sid = "NoIam", Effect = "Deny", Action = "iam:*", Resource = "*" },
    ]
  })
}
"""


def test_a_boundary_caps_without_granting() -> None:
    model = _model(
        BOUNDARY_POLICY
        + """
resource "aws_iam_role" "app" {
  name                 = "app"
  permissions_boundary = aws_iam_policy.boundary.arn
}

resource "aws_iam_user" "ci" {
  name                 = "ci"
  permissions_boundary = "arn:aws:iam::111122223333:policy/org/boundary"
}

resource "aws_iam_user" "managed" {
  name                 = "managed"
  permissions_boundary = "arn:aws:iam::aws:policy/PowerUserAccess"
}

variable "boundary" {}

resource "aws_iam_role" "unknown" {
  name                 = "unknown"
  permissions_boundary = var.boundary
}
"""
    )
    cap, deny = _grants(model, "aws_iam_role.app")
    # The ceiling: its own effect, so that nothing counts it as held.
    assert (cap.effect, cap.conditions) == ("boundary", ())
    assert _actions(cap) == ["s3:*", "logs:*"]
    assert cap.via == 'permissions boundary aws_iam_policy.boundary statement "Cap"'
    assert cap.location == Location(path=MAIN, line=5)
    assert cap.binding == Location(path=MAIN, line=13)
    # The boundary's own Deny denies for real.
    assert (deny.effect, deny.conditions, _actions(deny)) == ("deny", (), ["iam:*"])
    # Found by the name in its ARN.
    ci_cap, _ = _grants(model, "aws_iam_user.ci")
    assert ci_cap.effect == "boundary" and ci_cap.policy is None
    (managed,) = _grants(model, "aws_iam_user.managed")
    assert managed.effect == "boundary" and managed.unresolved
    assert managed.policy == "arn:aws:iam::aws:policy/PowerUserAccess"
    assert _actions(managed) == []
    assert managed.location == Location(path=MAIN, line=23)
    (unknown,) = _grants(model, "aws_iam_role.unknown")
    assert unknown.unknown == ("${var.boundary}",)
    assert not [g for g in model.grants if g.effect == "allow"]


def test_max_session_duration_is_a_session_credential_of_the_role() -> None:
    model = _model(
        """
variable "hours" {}

resource "aws_iam_role" "long" {
  name                 = "long"
  max_session_duration = 43200
}

resource "aws_iam_role" "default" {
  name = "default"
}

resource "aws_iam_role" "unknown" {
  name                 = "unknown"
  max_session_duration = var.hours * 3600
}
"""
    )
    session = model.credentials[P + "aws_iam_role.long#session"]
    assert (session.kind, session.identity, session.ttl_seconds) == (
        "session",
        P + "aws_iam_role.long",
        43200,
    )
    assert session.location == Location(path=MAIN, line=6)
    # Unset is AWS's one hour; unknown is not guessed.
    assert list(model.credentials) == [P + "aws_iam_role.long#session"]


# --- user credentials ---------------------------------------------------------------------


def test_user_credentials_and_their_lifetimes() -> None:
    model = _model(
        """
resource "aws_iam_user" "u" {
  name = "u"
}

resource "aws_iam_account_password_policy" "strict" {
  max_password_age = 60
}

resource "aws_iam_user_login_profile" "u" {
  user = aws_iam_user.u.name
}

resource "aws_iam_service_specific_credential" "bedrock" {
  service_name        = "bedrock.amazonaws.com"
  user_name           = "u"
  credential_age_days = 30
}

resource "aws_iam_service_specific_credential" "git" {
  service_name = "codecommit.amazonaws.com"
  user_name    = aws_iam_user.u.name
}

resource "aws_iam_service_specific_credential" "off" {
  service_name = "codecommit.amazonaws.com"
  user_name    = aws_iam_user.u.name
  status       = "Inactive"
}

resource "aws_iam_signing_certificate" "u" {
  user_name        = aws_iam_user.u.name
  certificate_body = "-----BEGIN CERTIFICATE-----"
}
"""
    )
    user = P + "aws_iam_user.u"
    found = {
        a.split(":", 1)[1]: (c.kind, c.identity, c.ttl_seconds)
        for a, c in model.credentials.items()
    }
    assert found == {
        "aws_iam_user_login_profile.u": ("client_secret", user, 60 * 86400),
        "aws_iam_service_specific_credential.bedrock": ("access_key", user, 30 * 86400),
        "aws_iam_service_specific_credential.git": ("access_key", user, None),
        "aws_iam_signing_certificate.u": ("certificate", user, None),
    }
    login = model.credentials[P + "aws_iam_user_login_profile.u"]
    assert login.location == Location(path=MAIN, line=10, end_line=12)


def test_a_login_profile_without_password_policy_never_expires() -> None:
    model = _model('resource "aws_iam_user_login_profile" "u" {\n  user = "nobody"\n}\n')
    (login,) = model.credentials.values()
    assert (login.kind, login.identity, login.ttl_seconds) == ("client_secret", None, None)


# --- instance profiles and EC2 ------------------------------------------------------------


def test_instance_profiles_lead_workloads_to_their_role() -> None:
    model = _model(
        _role()
        + """
resource "aws_iam_instance_profile" "app" {
  name = "app-profile"
  role = aws_iam_role.app.name
}

resource "aws_instance" "by_name" {
  instance_type        = "g5.xlarge"
  iam_instance_profile = "app-profile"
  tags                 = { Name = "gpu-box" }
}

resource "aws_instance" "by_ref" {
  instance_type        = "m5.large"
  iam_instance_profile = aws_iam_instance_profile.app.id
}

resource "aws_instance" "elsewhere" {
  instance_type        = "trn1.32xlarge"
  iam_instance_profile = "arn:aws:iam::111122223333:instance-profile/shared"
}

resource "aws_launch_template" "lt" {
  name          = "lt"
  instance_type = "c7gn.large"
  iam_instance_profile {
    arn = aws_iam_instance_profile.app.arn
  }
  instance_requirements {
    accelerator_types = ["gpu"]
  }
}
"""
    )
    role = P + "aws_iam_role.app"
    by_name = model.workloads[P + "aws_instance.by_name"]
    assert by_name.identities == (role,)
    assert by_name.name == "gpu-box"
    assert by_name.inference_reason == "GPU/accelerator instance type g5.xlarge"
    by_ref = model.workloads[P + "aws_instance.by_ref"]
    assert (by_ref.identities, by_ref.inference) == ((role,), False)
    elsewhere = model.workloads[P + "aws_instance.elsewhere"]
    assert elsewhere.identities == ("aws:arn:aws:iam::111122223333:instance-profile/shared",)
    template = model.workloads[P + "aws_launch_template.lt"]
    assert template.identities == (role,)
    assert template.inference_reason == "instance requirements ask for gpu accelerators"
    assert template.location == Location(path=MAIN, line=31, end_line=40)


@pytest.mark.parametrize(
    ("instance_type", "accelerated"),
    [
        ("g5.xlarge", True),
        ("g4dn.12xlarge", True),
        ("p5.48xlarge", True),
        ("inf2.8xlarge", True),
        ("trn2.48xlarge", True),
        ("ml.g5.2xlarge", True),
        ("ml.p4d.24xlarge", True),
        ("ml.inf2.xlarge", True),
        ("m6g.large", False),
        ("c7gn.large", False),
        ("t4g.micro", False),
        ("ml.m5.xlarge", False),
        ("g5", False),
        ("", False),
    ],
)
def test_accelerated_instance_types(instance_type: str, accelerated: bool) -> None:
    assert (accelerated_reason(instance_type) is not None) is accelerated


# --- workload → role resolution -----------------------------------------------------------


def test_roles_are_found_by_reference_name_arn_and_partly_known_arn() -> None:
    model = _model(
        _role("app", "app-prod")
        + """
variable "account" {}

resource "aws_lambda_function" "by_ref" {
  function_name = "by-ref"
  role          = aws_iam_role.app.arn
}

resource "aws_lambda_function" "by_arn" {
  function_name = "by-arn"
  role          = "arn:aws:iam::111122223333:role/service/app-prod"
}

resource "aws_lambda_function" "account_unknown" {
  function_name = "account-unknown"
  role          = "arn:aws:iam::${var.account}:role/app-prod"
}

resource "aws_lambda_function" "elsewhere" {
  function_name = "elsewhere"
  role          = "arn:aws:iam::${var.account}:role/shared"
}

resource "aws_lambda_function" "unknown" {
  function_name = "unknown"
  role          = var.account
}
"""
    )
    role = P + "aws_iam_role.app"
    identities = {w.name: w.identities for w in model.workloads.values()}
    assert identities == {
        "by-ref": (role,),
        "by-arn": (role,),
        "account-unknown": (role,),
        # The unknown account stays visible in the address the link step resolves.
        "elsewhere": ("aws:arn:aws:iam::${var.account}:role/shared",),
        "unknown": (),
    }


def test_a_role_declared_in_one_module_runs_a_workload_in_another() -> None:
    model = _model(
        {
            MAIN: """
                module "role" {
                  source = "../../modules/role"
                }

                module "serve" {
                  source   = "../../modules/serve"
                  role_arn = module.role.arn
                }

                resource "aws_iam_role" "root" {
                  name = "root-role"
                }

                module "serve_root" {
                  source   = "../../modules/serve"
                  role_arn = aws_iam_role.root.arn
                }
            """,
            "modules/role/main.tf": """
                resource "aws_iam_role" "this" {
                  name_prefix = "serving-"
                }
                output "arn" {
                  value = aws_iam_role.this.arn
                }
            """,
            "modules/serve/main.tf": """
                variable "role_arn" {}
                resource "aws_bedrockagent_agent" "this" {
                  agent_name              = "agent"
                  agent_resource_role_arn = var.role_arn
                }
            """,
        }
    )
    serve = model.workloads[P + "module.serve.aws_bedrockagent_agent.this"]
    assert serve.identities == (P + "module.role.aws_iam_role.this",)
    assert serve.inference_reason == "Bedrock agent"
    assert serve.location == Location(path="modules/serve/main.tf", line=3, end_line=6)
    root = model.workloads[P + "module.serve_root.aws_bedrockagent_agent.this"]
    assert root.identities == (P + "aws_iam_role.root",)


def test_data_source_roles_resolve_to_the_declared_role_by_name() -> None:
    model = _model(
        _role()
        + """
data "aws_iam_role" "app" {
  name = "app-prod"
}

resource "aws_sagemaker_notebook_instance" "nb" {
  name          = "nb"
  role_arn      = data.aws_iam_role.app.arn
  instance_type = "ml.t3.medium"
}
"""
    )
    notebook = model.workloads[P + "aws_sagemaker_notebook_instance.nb"]
    assert notebook.identities == (P + "aws_iam_role.app",)
    assert notebook.inference is False


# --- SageMaker ------------------------------------------------------------------------------


SAGEMAKER = (
    _role("a", "model-a")
    + _role("b", "model-b")
    + """
resource "aws_sagemaker_model" "a" {
  name               = "a"
  execution_role_arn = aws_iam_role.a.arn
  primary_container {
    image = "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.29.0-lmi11.0.0-cu124"
  }
}

resource "aws_sagemaker_model" "b" {
  name               = "b"
  execution_role_arn = "arn:aws:iam::111122223333:role/model-b"
  container {
    image = "vllm/vllm-openai:v0.6.3"
  }
}

resource "aws_sagemaker_endpoint_configuration" "ab" {
  name = "ab"
  production_variants {
    variant_name  = "a"
    model_name    = aws_sagemaker_model.a.name
    instance_type = "ml.m5.xlarge"
  }
  shadow_production_variants {
    variant_name  = "b"
    model_name    = "b"
    instance_type = "ml.inf2.xlarge"
  }
}

resource "aws_sagemaker_endpoint" "ab" {
  name                 = "ab"
  endpoint_config_name = aws_sagemaker_endpoint_configuration.ab.name
}

variable "config" {}

resource "aws_sagemaker_endpoint" "unknown" {
  name                 = "unknown"
  endpoint_config_name = var.config
}
"""
)


def test_an_endpoint_runs_as_the_roles_of_its_configurations_models() -> None:
    model = _model(SAGEMAKER)
    endpoint = model.workloads[P + "aws_sagemaker_endpoint.ab"]
    assert endpoint.identities == (P + "aws_iam_role.a", P + "aws_iam_role.b")
    assert endpoint.inference_reason == (
        "SageMaker endpoint on GPU/accelerator instance type ml.inf2.xlarge"
    )
    assert endpoint.location == Location(path=MAIN, line=48, end_line=51)
    unknown = model.workloads[P + "aws_sagemaker_endpoint.unknown"]
    assert (unknown.identities, unknown.inference_reason) == ((), "SageMaker endpoint")
    # The configuration is no workload: the endpoint that uses it is.
    assert P + "aws_sagemaker_endpoint_configuration.ab" not in model.workloads
    assert model.workloads[P + "aws_sagemaker_model.b"].inference_reason == "SageMaker model"


# --- ECS ------------------------------------------------------------------------------------


ECS = """\
resource "aws_iam_role" "task" {
  name = "task"
}

resource "aws_secretsmanager_secret" "hf" {
  name = "prod/hf-token"
}

variable "token" {}

resource "aws_ecs_task_definition" "llm" {
  family             = "llm"
  task_role_arn      = aws_iam_role.task.arn
  execution_role_arn = "arn:aws:iam::111122223333:role/ecs-exec"
  container_definitions = <<-JSON
    [
      {
        "name": "server",
        "image": "ghcr.io/huggingface/text-generation-inference:2.4.0",
        "secrets": [
          {"name": "HF_TOKEN", "valueFrom": "HF_ARN"},
          {"name": "DB", "valueFrom": "arn:aws:ssm:us-east-1:111122223333:parameter/prod/db"},
          {"name": "ODD"}
        ],
        "environment": [
          {"name": "API_KEY", "value": "sk-live-123"},
          {"name": "API_KEY_ARN", "value": "arn:aws:secretsmanager:x"},
          {"name": "LOG_LEVEL", "value": "info"},
          {"name": "EMPTY_TOKEN", "value": ""}
        ]
      },
      {"image": 7, "secrets": "nope", "environment": [{"value": "no name"}]},
      "not a container"
    ]
  JSON
}

resource "aws_ecs_task_definition" "templated" {
  family             = "templated"
  execution_role_arn = aws_iam_role.task.arn
  container_definitions = jsonencode([{
    name  = "worker"
    image = "acme/worker:1"
    secrets = [
      { name = "HF", valueFrom = "${aws_secretsmanager_secret.hf.arn}:token::" },
      { name = "OTHER", valueFrom = var.token },
    ]
    environment = [{ name = "GITHUB_TOKEN", value = var.token }]
  }])
}

resource "aws_ecs_task_definition" "broken" {
  family                = "broken"
  container_definitions = "[{not json"
}
""".replace(
    # With its JSON key and the six random characters Secrets Manager adds to the name.
    "HF_ARN",
    "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/hf-token-Ab12Cd:token::",
)


def test_ecs_task_identities_secrets_and_plaintext() -> None:
    model = _model(ECS)
    llm = model.workloads[P + "aws_ecs_task_definition.llm"]
    assert llm.name == "llm"
    assert llm.identities == (
        P + "aws_iam_role.task",
        "aws:arn:aws:iam::111122223333:role/ecs-exec",
    )
    assert llm.inference_reason == (
        "image ghcr.io/huggingface/text-generation-inference:2.4.0 is a known model server"
    )
    own = P + "aws_ecs_task_definition.llm/container/server"
    assert llm.credentials == (
        # The ARN (with its JSON key and random suffix) names the secret declared here.
        P + "aws_secretsmanager_secret.hf",
        "aws:arn:aws:ssm:us-east-1:111122223333:parameter/prod/db",
        own + "/env/API_KEY#plaintext",
    )
    plaintext = model.credentials[own + "/env/API_KEY#plaintext"]
    assert (plaintext.kind, plaintext.environment) == ("static_secret", "prod")
    assert plaintext.location == Location(path=MAIN, line=15)
    external = model.credentials["aws:arn:aws:ssm:us-east-1:111122223333:parameter/prod/db"]
    assert (external.kind, external.identity, external.ttl_seconds) == ("static_secret", None, None)

    templated = model.workloads[P + "aws_ecs_task_definition.templated"]
    other = P + "aws_ecs_task_definition.templated/container/worker"
    assert templated.credentials == (
        P + "aws_secretsmanager_secret.hf",
        other + "/secret/OTHER",
        # A secret from a variable in a plain environment variable: no literal, still a secret.
        other + "/env/GITHUB_TOKEN",
    )
    assert templated.inference is False
    broken = model.workloads[P + "aws_ecs_task_definition.broken"]
    assert (broken.credentials, broken.identities) == ((), ())


def test_ecs_gpu_requirements_and_configured_selectors() -> None:
    model = _model(
        """
resource "aws_ecs_task_definition" "gpu" {
  family = "gpu"
  container_definitions = jsonencode([{
    name = "trainer", image = "acme/trainer:1",
    resourceRequirements = [{ type = "GPU", value = "2" }]
  }])
}

resource "aws_ecs_task_definition" "selected" {
  family                = "selected"
  container_definitions = jsonencode([{ name = "c", image = "acme/ranker:3" }])
  tags                  = { workload = "inference" }
}

resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = "arn:aws:iam::111122223333:role/fn"
  environment {
    variables = {
      OPENAI_API_KEY = "sk-proj-abc"
      TABLE          = "jobs"
    }
  }
}
""",
        ExtractOptions(inference=InferenceSelectors(images=("acme/ranker:*",))),
    )
    gpu = model.workloads[P + "aws_ecs_task_definition.gpu"]
    assert gpu.inference_reason == "container trainer requires 2 GPU"
    selected = model.workloads[P + "aws_ecs_task_definition.selected"]
    assert selected.inference_reason == (
        "image acme/ranker:3 matches the configured inference image acme/ranker:*"
    )
    fn = model.workloads[P + "aws_lambda_function.fn"]
    assert fn.credentials == (P + "aws_lambda_function.fn/env/OPENAI_API_KEY#plaintext",)
    assert model.credentials[fn.credentials[0]].location == Location(path=MAIN, line=20)
    assert fn.inference is False


def test_a_key_of_a_user_whose_name_is_the_modules_empty_default_is_still_its_key() -> None:
    """terraform-aws-iam's iam-user module: ``name`` defaults to "" (issue 18)."""
    model = _model(
        """
variable "name" { default = "" }
variable "create" { default = true }
resource "aws_iam_user" "this" {
  count = var.create ? 1 : 0
  name  = var.name
}
resource "aws_iam_access_key" "this" {
  count = var.create ? 1 : 0
  user  = aws_iam_user.this[0].name
}
resource "aws_iam_user_policy" "this" {
  count  = var.create ? 1 : 0
  user   = aws_iam_user.this[0].name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }] })
}
"""
    )
    user = P + "aws_iam_user.this[0]"
    assert model.credentials[P + "aws_iam_access_key.this[0]"].identity == user
    assert [g.identity for g in model.grants] == [user]


def test_a_policy_on_this_0_of_a_role_whose_count_is_unknown_is_that_roles() -> None:
    """terraform-aws-eks's node groups: ``count = local.create ? 1 : 0`` with an input
    driftgate cannot know; the role is one instance ``this[*]``, and what names
    ``aws_iam_role.this[0]`` means it (its grants were dropped)."""
    model = _model(
        """
variable "create" { type = bool }
resource "aws_iam_role" "this" {
  count              = var.create ? 1 : 0
  name               = "node"
  assume_role_policy = "{}"
}
resource "aws_iam_role_policy_attachment" "this" {
  count      = var.create ? 1 : 0
  role       = aws_iam_role.this[0].name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"
}
"""
    )
    assert [g.identity for g in model.grants] == [P + "aws_iam_role.this[*]"]
    assert all(i.declared for i in model.identities.values())


def test_roles_are_named_as_a_reviewer_recognises_them() -> None:
    """Never `this` or `-` alone (issue 20): the name, the prefix and "…", the module call."""
    model = _model(
        {
            MAIN: """
variable "env" {}
resource "aws_iam_role" "prefixed" {
  name_prefix        = "gh-"
  assume_role_policy = "{}"
}
resource "aws_iam_role" "this" {
  name               = "${var.env}-"
  assume_role_policy = "{}"
}
module "ci" {
  source = "../../modules/role"
}
""",
            "modules/role/main.tf": """
variable "name" { default = null }
resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = "{}"
}
""",
        }
    )
    names = {a: i.name for a, i in model.identities.items() if a.startswith(P)}
    assert names == {
        P + "aws_iam_role.prefixed": "gh-…",
        P + "aws_iam_role.this": "aws_iam_role.this",
        P + "module.ci.aws_iam_role.this": "module.ci",
    }


def test_sagemaker_model_environment_literal_token_is_plaintext() -> None:
    """A Hugging Face token written into a model's container environment (issue 18)."""
    model = _model(
        """
resource "aws_sagemaker_model" "llm" {
  name               = "llm"
  execution_role_arn = "arn:aws:iam::111122223333:role/sm"
  primary_container {
    image = "ghcr.io/huggingface/text-generation-inference:2.4.0"
    environment = {
      HF_MODEL_ID            = "meta-llama/Llama-3-8B"
      HUGGING_FACE_HUB_TOKEN = "hf_abcdefghijklmnopqrstuvwxyzABCDEFGH"
      SM_NUM_GPUS            = "1"
    }
  }
  container {
    image       = "acme/reranker:2"
    environment = { API_KEY = var.api_key }
  }
}
"""
    )
    llm = model.workloads[P + "aws_sagemaker_model.llm"]
    own = P + "aws_sagemaker_model.llm/env/"
    assert llm.credentials == (own + "HUGGING_FACE_HUB_TOKEN#plaintext", own + "API_KEY")
    token = model.credentials[own + "HUGGING_FACE_HUB_TOKEN#plaintext"]
    assert token.location == Location(path=MAIN, line=7)
    # The value is never kept whole, so no report can print it.
    assert "abcdefghijklmnopqrstuvwxyz" not in token.model_dump_json()


# --- secrets --------------------------------------------------------------------------------


def test_secret_rotation_and_plaintext_versions() -> None:
    model = _model(
        """
resource "aws_secretsmanager_secret" "daily" {
  name = "daily"
}

resource "aws_secretsmanager_secret_rotation" "daily" {
  secret_id = aws_secretsmanager_secret.daily.id
  rotation_rules {
    schedule_expression = "rate(12 hours)"
  }
}

resource "aws_secretsmanager_secret" "monthly" {
  name = "monthly"
}

resource "aws_secretsmanager_secret_rotation" "monthly" {
  secret_id = "arn:aws:secretsmanager:us-east-1:111122223333:secret:monthly-x1Y2z3"
  rotation_rules {
    automatically_after_days = 30
  }
}

resource "aws_secretsmanager_secret" "cron" {
  name = "cron"
}

resource "aws_secretsmanager_secret_rotation" "cron" {
  secret_id = aws_secretsmanager_secret.cron.id
  rotation_rules {
    schedule_expression = "cron(0 4 ? * SUN *)"
  }
}

resource "aws_secretsmanager_secret_version" "monthly" {
  secret_id     = aws_secretsmanager_secret.monthly.id
  secret_string = jsonencode({ password = "hunter2" })
}

resource "random_password" "db" {
  length = 32
}

resource "aws_secretsmanager_secret_version" "cron" {
  secret_id     = aws_secretsmanager_secret.cron.id
  secret_string = random_password.db.result
}

resource "aws_secretsmanager_secret_version" "orphan" {
  secret_id     = "elsewhere"
  secret_string = "literal"
}

resource "aws_ssm_parameter" "key" {
  name  = "/prod/key"
  type  = "SecureString"
  value = "plain"
}

resource "aws_ssm_parameter" "setting" {
  name  = "/prod/setting"
  type  = "String"
  value = "plain"
}
"""
    )
    ttl = {a.split(":", 1)[1]: c.ttl_seconds for a, c in model.credentials.items()}
    assert ttl == {
        "aws_secretsmanager_secret.daily": 12 * 3600,
        "aws_secretsmanager_secret.monthly": 30 * 86400,
        # A cron schedule's period is not read: the secret still rotates, how often is unknown.
        "aws_secretsmanager_secret.cron": None,
        "aws_ssm_parameter.key": None,
        "aws_ssm_parameter.key#plaintext": None,
        "aws_secretsmanager_secret.monthly#plaintext": None,
        "aws_secretsmanager_secret_version.orphan#plaintext": None,
    }
    plaintext = model.credentials[P + "aws_secretsmanager_secret.monthly#plaintext"]
    assert plaintext.location == Location(path=MAIN, line=37)
    assert plaintext.kind == "static_secret"


# --- EKS ------------------------------------------------------------------------------------


def test_eks_node_groups_and_pod_identity() -> None:
    model = _model(
        _role("nodes", "nodes")
        + _role("pods", "pods")
        + """
variable "ns" {}

resource "aws_eks_node_group" "gpu" {
  cluster_name    = "ml"
  node_group_name = "gpu"
  node_role_arn   = aws_iam_role.nodes.arn
  ami_type        = "BOTTLEROCKET_x86_64_NVIDIA"
}

resource "aws_eks_node_group" "cpu" {
  cluster_name    = "ml"
  node_group_name = "cpu"
  node_role_arn   = aws_iam_role.nodes.arn
  instance_types  = ["m6i.large", "g6.xlarge"]
}

resource "aws_eks_pod_identity_association" "vllm" {
  cluster_name    = "ml"
  namespace       = "serving"
  service_account = "vllm"
  role_arn        = aws_iam_role.pods.arn
}

resource "aws_eks_pod_identity_association" "vllm_cross_account" {
  cluster_name    = "ml-2"
  namespace       = "serving"
  service_account = "vllm"
  role_arn        = aws_iam_role.pods.arn
  target_role_arn = "arn:aws:iam::444455556666:role/models-reader"
}

resource "aws_eks_pod_identity_association" "unknown" {
  cluster_name    = "ml"
  namespace       = var.ns
  service_account = "x"
  role_arn        = aws_iam_role.pods.arn
}
"""
    )
    gpu = model.workloads[P + "aws_eks_node_group.gpu"]
    assert gpu.identities == (P + "aws_iam_role.nodes",)
    assert gpu.inference_reason == "GPU/accelerator AMI type BOTTLEROCKET_x86_64_NVIDIA"
    cpu = model.workloads[P + "aws_eks_node_group.cpu"]
    assert cpu.inference_reason == "GPU/accelerator instance type g6.xlarge"
    sa = model.identities["k8s:serving/ServiceAccount/vllm"]
    assert sa.declared is False and sa.provider == "kubernetes"
    assert sa.principal == "system:serviceaccount:serving:vllm"
    assert sa.federates_to == (
        P + "aws_iam_role.pods",
        "aws:arn:aws:iam::444455556666:role/models-reader",
    )
    assert sa.location == Location(path=MAIN, line=34, end_line=39)
    unknown = model.identities["k8s:${var.ns}/ServiceAccount/x"]
    assert str(unknown.principal) == "${system:serviceaccount:${var.ns}:x}"


SERVICE_ACCOUNT = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: vllm
  namespace: serving
  labels: {team: llm}
"""


def test_pod_identity_survives_merging_with_the_declared_service_account() -> None:
    aws = _model(
        _role("pods", "pods")
        + """
resource "aws_eks_pod_identity_association" "vllm" {
  cluster_name    = "ml"
  namespace       = "serving"
  service_account = "vllm"
  role_arn        = aws_iam_role.pods.arn
}
"""
    )
    documents, _ = load_yaml("k8s/sa.yaml", SERVICE_ACCOUNT.encode())
    k8s = extract_kubernetes(documents, ExtractOptions())
    merged = link(merge([aws, k8s]))
    sa = merged.identities["k8s:serving/ServiceAccount/vllm"]
    assert sa.declared is True
    assert sa.federates_to == (P + "aws_iam_role.pods",)


# --- robustness -----------------------------------------------------------------------------


def test_module_prefixes_walk_up_to_the_root() -> None:
    assert module_prefixes('module.a["x"].module.b.') == [
        'module.a["x"].module.b.',
        'module.a["x"].',
        "",
    ]
    assert module_prefixes("") == [""]


_HANDLED = {
    "aws_iam_role": ("name", "permissions_boundary", "max_session_duration", "managed_policy_arns"),
    "aws_iam_user": ("name", "permissions_boundary", "tags"),
    "aws_iam_group_membership": ("users", "group"),
    "aws_iam_user_group_membership": ("user", "groups"),
    "aws_iam_policy_attachment": ("users", "roles", "groups", "policy_arn"),
    "aws_iam_instance_profile": ("name", "role"),
    "aws_instance": ("iam_instance_profile", "instance_type", "tags"),
    "aws_eks_node_group": ("node_role_arn", "ami_type", "instance_types"),
    "aws_eks_pod_identity_association": ("namespace", "service_account", "role_arn"),
    "aws_ecs_task_definition": ("container_definitions", "task_role_arn", "execution_role_arn"),
    "aws_sagemaker_endpoint": ("endpoint_config_name",),
    "aws_secretsmanager_secret_rotation": ("secret_id",),
    "aws_secretsmanager_secret_version": ("secret_id", "secret_string"),
    "aws_iam_service_specific_credential": ("user_name", "credential_age_days", "status"),
}
_LITERALS = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-5, 10**6),
        st.text('abcARN:/-_*${}[]"', max_size=12),
        st.sampled_from(["arn:aws:iam::1:role/x", "ml.g5.xlarge", "GPU", "Inactive"]),
    ),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("abc"), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    resource_type=st.sampled_from(sorted(_HANDLED)),
    values=st.lists(_LITERALS, min_size=4, max_size=4),
)
def test_hostile_attribute_values_never_raise(resource_type: str, values: list[object]) -> None:
    attributes = "\n".join(
        f"  {name} = {json.dumps(value)}"
        for name, value in zip(_HANDLED[resource_type], values, strict=False)
    )
    text = f'resource "{resource_type}" "x" {{\n{attributes}\n}}\n'
    try:
        parse_hcl(MAIN, text)
    except Exception:  # inputs HCL itself rejects are out of scope here
        return
    _model(_role() + text)


# --- the realistic fixture ------------------------------------------------------------------


def test_model_of_the_aws_ml_platform_matches_the_golden_file(
    update_golden: bool, tmp_path: Path
) -> None:
    # A copy outside any git repository: paths are relative to the fixture itself.
    shutil.copytree(FIXTURE, tmp_path / "aws")
    proc = subprocess.run(
        [sys.executable, "-m", "driftgate", "model", str(tmp_path / "aws")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    model = json.loads(proc.stdout)
    model.pop("tree")
    if update_golden:
        GOLDEN.write_text(json.dumps(model, indent=2) + "\n")
    assert model == json.loads(GOLDEN.read_text())


def test_the_fixture_covers_the_platform() -> None:
    model = json.loads(GOLDEN.read_text())
    prod = "terraform/envs/prod:"
    endpoint = model["workloads"][prod + "module.chat_endpoint.aws_sagemaker_endpoint.this"]
    assert endpoint["identities"] == [prod + "module.chat_role.aws_iam_role.this"]
    assert endpoint["inference_reason"] == (
        "SageMaker endpoint on GPU/accelerator instance type ml.g5.12xlarge"
    )
    session = model["credentials"][prod + "module.chat_role.aws_iam_role.this#session"]
    assert session["ttl_seconds"] == 43200
    assert session["location"] == {
        "path": "terraform/modules/inference-role/main.tf",
        "line": 29,
        "end_line": None,
    }
    bot = [g for g in model["grants"] if g["identity"] == prod + "aws_iam_user.release_bot"]
    assert {g["via"].split(":")[0] for g in bot} == {
        "group model-publishers-prod",
        "group legacy-deployers",
    }
    ecs = model["workloads"][prod + "aws_ecs_task_definition.embedder"]
    assert prod + "aws_secretsmanager_secret.hf_token" in ecs["credentials"]
    assert (
        model["credentials"][prod + "aws_secretsmanager_secret.hf_token"]["ttl_seconds"]
        == 30 * 86400
    )
    assert model["identities"]["k8s:llm-serving/ServiceAccount/vllm"]["federates_to"] == [
        prod + "aws_iam_role.vllm_pods"
    ]


def _task_reading(arn: str) -> str:
    return f"""
        resource "aws_ecs_task_definition" "llm" {{
          family = "llm"
          container_definitions = jsonencode([{{
            name    = "vllm"
            image   = "vllm/vllm-openai:v0.6.3"
            secrets = [{{ name = "HF_TOKEN", valueFrom = "{arn}" }}]
          }}])
        }}
        """


@pytest.mark.parametrize(
    ("arn", "linked"),
    [
        # Full ARN: the six random characters are not part of the name.
        ("arn:aws:secretsmanager:us-east-1:1:secret:llm/hf-tokens-Ab12Cd", "hf_tokens"),
        # Partial ARN: "-tokens" is part of the name, not a suffix to strip.
        ("arn:aws:secretsmanager:us-east-1:1:secret:llm/hf-tokens", "hf_tokens"),
    ],
)
def test_a_secret_named_by_arn_in_another_root_is_the_declared_one(arn: str, linked: str) -> None:
    declared = """
        resource "aws_secretsmanager_secret" "hf_tokens" {
          name = "llm/hf-tokens"
        }
        resource "aws_secretsmanager_secret" "hf" {
          name = "llm/hf"
        }
        """
    model = link(
        merge([_model({"envs/staging/main.tf": declared, "envs/prod/main.tf": _task_reading(arn)})])
    )
    task = model.workloads["envs/prod:aws_ecs_task_definition.llm"]
    assert task.credentials == (f"envs/staging:aws_secretsmanager_secret.{linked}",)
