"""Literal secret values: which variables hold one, and how to mention one safely.

A variable is taken to hold a secret when its name says so (``HF_TOKEN``,
``DB_PASSWORD``) or its value has the shape of a well-known token, whatever the name.
Entropy alone is not used: model names, digests and base64 config are as random as
tokens, and a gate that cries wolf is switched off.
"""

from __future__ import annotations

import re

from driftgate.analyzer.model import PLAINTEXT, Credential, Location
from driftgate.analyzer.terraform.blocks import BlockView
from driftgate.analyzer.terraform.values import PlanText

# Environment variable names that carry a secret value ...
_SECRET_NAME = re.compile(
    r"(?:^|_)(?:SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?)(?:_|$)"
)
# ... unless they name where the secret is, or describe it (a limit, a switch, the name
# of the Secret that holds it).
_NOT_A_VALUE = re.compile(
    r"_(?:ARN|NAME|ID|FILE|PATH|DIR|URL|URI|ENDPOINT|REGION|HEADER|TTL|EXPIRY|LENGTH|TYPE"
    r"|LIMIT|COUNT|SIZE|MAX|MIN|BUDGET|REF)$"
    r"|(?:TOKEN|KEY|PASSWORD)_SECRET$"
    r"|^(?:USE|ENABLE|DISABLE|REQUIRE)_"
)
# Values that are settings, not secrets: numbers, switches, paths, plain URLs.
_SETTING = re.compile(
    r"^(?:[-+]?\d+(?:\.\d+)?|true|false|yes|no|on|off|none|null"
    r"|[~.]?/[^\s]*|[a-z][a-z0-9+.-]*://[^@\s]*)$",
    re.IGNORECASE,
)
# Published token formats (prefix and alphabet), as secret scanners recognise them.
_KNOWN_TOKENS = re.compile(
    r"^(?:"
    r"hf_[A-Za-z0-9]{30,}"  # Hugging Face
    r"|sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}"  # OpenAI, Anthropic
    r"|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,}"  # GitHub
    r"|glpat-[A-Za-z0-9_-]{20,}"  # GitLab
    r"|xox[abprs]-[A-Za-z0-9-]{10,}"  # Slack
    r"|AIza[0-9A-Za-z_-]{35}"  # Google API key
    r"|npm_[A-Za-z0-9]{36}"  # npm
    r"|pypi-AgE[A-Za-z0-9_-]{50,}"  # PyPI
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----.*"
    r")$",
    re.DOTALL,
)
# ``$(OTHER_VAR)`` in Kubernetes, ``${...}`` left by a template: a reference, not a value.
_REFERENCE = re.compile(r"^\$[({].*[)}]$")
_SHOWN = 4  # characters of a literal shown in a report
_MIN_SHOWN = 16  # shorter literals show none


def secret_name(name: str) -> bool:
    upper = name.upper()
    return bool(_SECRET_NAME.search(upper)) and not _NOT_A_VALUE.search(upper)


def known_token(value: str) -> bool:
    return bool(_KNOWN_TOKENS.match(value.strip()))


def literal_secret(name: str, value: object) -> bool:
    """Whether a variable ``name`` set to the literal ``value`` holds a secret (a value a
    Terraform plan resolved from a variable is not written in the repository)."""
    if not isinstance(value, str) or isinstance(value, PlanText):
        return False
    text = value.strip()
    if not text or _REFERENCE.match(text):
        return False
    if known_token(text):
        return True
    return secret_name(name) and not _SETTING.match(text)


def preview(value: object) -> str | None:
    """A masked mention of a literal: its first characters when it is long, and its
    length; enough to find it and rotate it, never enough to use it."""
    if not isinstance(value, str):
        return None
    shown = value[:_SHOWN] if len(value) >= _MIN_SHOWN else ""
    return f"{shown}…, {len(value)} characters"


def plaintext(
    address: str, value: object, environment: str | None, location: Location
) -> Credential:
    """The credential a literal secret in the repository is: ``address`` + ``#plaintext``,
    located at the value and shown only masked."""
    return Credential(
        address=address + PLAINTEXT,
        kind="static_secret",
        environment=environment,
        location=location,
        preview=preview(value),
    )


def env_literal(env: BlockView) -> tuple[str, object] | None:
    """The name and value of a Terraform ``env { name value }`` block whose value is a
    literal secret; None otherwise."""
    name, value = env.get("name"), env.get("value")
    if not isinstance(name, str) or not name or not literal_secret(name, value):
        return None
    return name, value
