"""What the Terraform readers learn from the AWS room: the data sources the evaluator can
read, and the provider's default tags.

The evaluator knows no provider; without these, ``data.aws_iam_policy_document.x.json``
would be a reference read at plan time, and every policy written with one would be
unknown.
"""

from __future__ import annotations

from driftgate.analyzer.extract.aws.policy_document import render_policy_document
from driftgate.analyzer.terraform.default_tags import DefaultTags, register_default_tags
from driftgate.analyzer.terraform.evaluate import register_context_source, register_rendered


def register() -> None:
    register_context_source("aws_partition", "aws_caller_identity", "aws_region")
    register_rendered("aws_iam_policy_document", ("json", "minified_json"), render_policy_document)
    register_default_tags(DefaultTags("aws", "default_tags", "tags", "tags_all", "tags"))
