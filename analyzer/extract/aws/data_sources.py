"""What the Terraform readers learn from the AWS room: the data sources the evaluator can
read, and the provider's default tags.

The evaluator knows no provider; without these, ``data.aws_iam_policy_document.x.json``
would be a reference read at plan time, and every policy written with one would be
unknown.
"""

from __future__ import annotations

from driftgate.analyzer.extract.aws.policy_document import render_policy_document
from driftgate.analyzer.parse import hcl_ast as ast
from driftgate.analyzer.terraform.default_tags import DefaultTags, register_default_tags
from driftgate.analyzer.terraform.evaluate import (
    Evaluator,
    Renderer,
    register_context_source,
    register_rendered,
)
from driftgate.analyzer.terraform.values import UnknownValue, Value

# The partition data source is the AWS partition (issue 20): a refactor from a literal
# `arn:aws:` or `amazonaws.com` to it changes nothing. Other partitions (aws-cn,
# aws-us-gov) are written literally where a configuration targets them.
_PARTITION = {
    "partition": "aws",
    "dns_suffix": "amazonaws.com",
    "reverse_dns_prefix": "com.amazonaws",
}


def _partition(attribute: str) -> Renderer:
    def render(block: ast.Block, evaluator: Evaluator) -> Value:
        return _PARTITION[attribute]

    return render


def _service_principal(block: ast.Block, evaluator: Evaluator) -> Value:
    """``data.aws_service_principal.x.name``: ``<service_name>.amazonaws.com``."""
    service = block.attributes.get("service_name")
    name = evaluator.eval(service.expr) if service is not None else None
    if isinstance(name, str) and name:
        return f"{name}.{_PARTITION['dns_suffix']}"
    return UnknownValue(f"data.aws_service_principal.{block.labels[-1]}.name", "service unknown")


def register() -> None:
    register_context_source("aws_caller_identity", "aws_region")
    for attribute in _PARTITION:
        register_rendered("aws_partition", (attribute,), _partition(attribute), instance_free=True)
    register_rendered(
        "aws_service_principal", ("name", "id"), _service_principal, instance_free=True
    )
    register_rendered("aws_iam_policy_document", ("json", "minified_json"), render_policy_document)
    register_default_tags(DefaultTags("aws", "default_tags", "tags", "tags_all", "tags"))
