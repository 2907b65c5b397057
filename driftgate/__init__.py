"""driftgate: a pre-merge gate for the identities AI inference workloads run as.

The engine is installed as :mod:`driftgate.analyzer` and the check catalog as
:mod:`driftgate.checks` (in the repository: ``analyzer/`` and ``checks/``).
"""
