"""What the Terraform evaluator learns from the AWS room: the data sources it can read.

The evaluator knows no provider; without these, ``data.aws_iam_policy_document.x.json``
would be a reference read at plan time, and every policy written with one would be
unknown.
"""

from __future__ import annotations

from driftgate.analyzer.extract.aws.policy_document import render_policy_document
from driftgate.analyzer.terraform.evaluate import register_context_source, register_rendered


def register() -> None:
    register_context_source("aws_partition", "aws_caller_identity", "aws_region")
    register_rendered("aws_iam_policy_document", ("json", "minified_json"), render_policy_document)
