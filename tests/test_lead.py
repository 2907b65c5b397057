"""Every finding's first sentence fits in 160 characters, the detail follows (issue 20)."""

from __future__ import annotations

from driftgate.analyzer.checkapi import LEAD_LIMIT
from driftgate.analyzer.engine.lead import with_lead


def first(message: str) -> str:
    return message.partition(". ")[0]


def test_a_short_message_is_left_as_written() -> None:
    text = "role llm gains s3:PutObject on arn:aws:s3:::models/*. Via statement 1: writes."
    assert with_lead(text) == text


def test_a_long_sentence_ends_at_its_dash_and_loses_nothing() -> None:
    who = "role batch-scorer-prod [terraform/envs/prod:aws_iam_role.batch_scorer]"
    text = (
        f"{who} (${{aws_iam_role.batch_scorer.arn}}) is shared by 2 workloads in prod — "
        "prod: terraform/envs/prod:aws_ecs_task_definition.a, terraform/envs/prod:"
        "aws_ecs_task_definition.b; a compromise of one is a compromise of both."
    )
    result = with_lead(text)
    assert first(result).endswith("is shared by 2 workloads in prod")
    assert len(first(result)) <= LEAD_LIMIT
    assert result.replace(". Prod: ", " — prod: ") == text


def test_an_address_after_the_cut_keeps_its_case() -> None:
    text = "x" * 100 + " was removed; k8s:ml-prod/Deployment/summarizer ran as it, " + "y" * 80
    assert "; " not in first(with_lead(text))
    assert ". k8s:ml-prod/Deployment/summarizer" in with_lead(text)


def test_without_a_boundary_a_shortened_lead_precedes_the_whole_sentence() -> None:
    text = "word " * 60
    result = with_lead(text.strip())
    assert len(first(result)) <= LEAD_LIMIT
    assert first(result).endswith("…")
    assert result.endswith(text.strip())
