"""driftgate: identity drift analysis for AI inference workloads."""

__version__ = "0.1.0"
