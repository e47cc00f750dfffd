"""Errors meant for the user: each carries one clear sentence naming what and where."""

from __future__ import annotations


class WtdcError(Exception):
    """A problem with the user's input or environment (not a bug).

    The message is one translated sentence that names what went wrong and where.
    ``exit_code`` is what the command line returns for it.
    """

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
