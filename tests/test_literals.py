"""Which literal environment values count as secrets, and how they are mentioned."""

from __future__ import annotations

import pytest

from driftgate.analyzer.extract.literals import literal_secret, preview

HF = "hf_" + "qWeRtYuIoPaSdFgHjKlZxCvBnMqWeRtYuIo"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HF_TOKEN", "anything-at-all"),  # the name says it is a secret
        ("DB_PASSWORD", "hunter2"),
        ("OPENAI_API_KEY", "sk-proj-" + "a1" * 20),
        ("MODEL_AUTH", HF),  # an innocuous name, a Hugging Face token
        ("UPSTREAM", "ghp_" + "A" * 36),
        ("SIGNING", "-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----"),
    ],
)
def test_secret_literals(name: str, value: str) -> None:
    assert literal_secret(name, value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("VLLM_LOGGING_LEVEL", "INFO"),
        ("MODEL_ID", "meta-llama/Llama-3.1-8B-Instruct"),
        ("HF_TOKEN_PATH", "/var/run/secrets/hf/token"),  # where the secret is, not it
        ("API_KEY_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:1:secret:x"),
        ("HF_TOKEN", "$(HF_TOKEN_FROM_SECRET)"),  # Kubernetes variable expansion
        ("HF_TOKEN", ""),
        ("HF_TOKEN", None),
        ("DIGEST", "sha256:" + "ab" * 32),  # random-looking, but no secret format
        ("PROMPT", "sk-"),  # a prefix alone is no token
    ],
)
def test_not_secret_literals(name: str, value: str | None) -> None:
    assert not literal_secret(name, value)


def test_preview_shows_a_prefix_and_length_never_the_value() -> None:
    shown = preview(HF)
    assert shown == "hf_q…, 38 characters"
    assert HF[4:8] not in shown


def test_short_literals_show_no_characters() -> None:
    assert preview("hunter2") == "…, 7 characters"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GOOGLE_APPLICATION_CREDENTIALS", "/var/secrets/google/key.json"),  # a path
        ("TOKEN_LIMIT", "4096"),
        ("MAX_TOKENS", "8192"),
        ("USE_API_KEY", "false"),
        ("HF_TOKEN_SECRET", "hf-token"),  # the name of the Secret that holds it
        ("OPENAI_API_KEY_REF", "openai/prod"),
        ("AUTH_TOKEN_URL", "https://login.example.com/oauth2/token"),
        ("VAULT_TOKEN_DIR", "~/.vault"),
    ],
)
def test_settings_about_secrets_are_not_secrets(name: str, value: str) -> None:
    assert not literal_secret(name, value)


def test_a_url_with_credentials_in_it_is_a_secret() -> None:
    assert literal_secret("DATABASE_PASSWORD", "postgres://app:s3cr3t@db:5432/app")
