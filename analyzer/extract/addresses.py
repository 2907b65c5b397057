"""How entities are addressed, so that every extractor names the same thing the same way."""

from __future__ import annotations


def k8s_address(namespace: str | None, kind: str, name: str) -> str:
    """``k8s:ml-prod/ServiceAccount/llm``; cluster-scoped objects use ``_cluster``."""
    return f"k8s:{namespace or '_cluster'}/{kind}/{name}"


def external_address(provider: str, principal: str) -> str:
    """An identity named only by its principal (an ARN, an e-mail) that no file declares.

    The linking step replaces it with the declaring resource's address when one
    in the repository resolves to the same principal.
    """
    return f"{provider}:{principal}"
