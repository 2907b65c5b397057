"""Vault (vault_*) resources → identity-binding model entities."""
