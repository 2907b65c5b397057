"""Suggested fixes: the narrowest statement that removes a finding's growth."""

from driftgate.analyzer.fixes.narrow import NoFix, Proposal, apply, propose

__all__ = ["NoFix", "Proposal", "apply", "propose"]
