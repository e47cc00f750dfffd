"""Errors of bundle reading and applying."""

from __future__ import annotations

from wtdc_desktop.errors import WtdcError


class BundleError(WtdcError):
    """The bundle is invalid or may not be applied; nothing was changed.

    ``where`` names the bundle and, when known, the member, line and field.
    """

    exit_code = 2

    def __init__(self, message: str, *, where: str | None = None) -> None:
        super().__init__(message)
        self.where = where


class BundleRefused(BundleError):
    """A valid bundle that may not be applied now (rollback, broken delta chain…)."""

    exit_code = 3


class AlreadyApplied(BundleError):
    """The same bundle was applied before: nothing to do (not a failure)."""

    exit_code = 0


class ApplyCancelled(BundleError):
    exit_code = 130
