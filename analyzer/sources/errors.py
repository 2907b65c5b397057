"""The one error every tree raises when the input cannot be read as asked."""

from __future__ import annotations


class SourceError(Exception):
    """A tree could not be opened or read: the run cannot be trusted (exit code 2).

    The message is shown to the user as is, so it names the path or revision and
    says what to do about it.
    """
