"""Fuzzing surfaces, strategies and atheris harnesses (see README.md)."""
