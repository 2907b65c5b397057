"""Runs checks over models; applies baselines, fingerprints, severity and suppressions."""
