"""WebDAV passwords of a team's shared location: in the operating system's keyring, never in the store.

The ``keyring`` package reaches the system's store of secrets (Windows Credential Manager, macOS
Keychain, the Secret Service of GNOME or KDE). When none is available the user is told, and the
password is asked each time (the command line prompts; scripts set ``WTDC_TEAM_PASSWORD``).
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Callable

from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _

SERVICE = "wtdc-desktop team"
#: The environment variable a script sets to give the password when there is no keyring.
PASSWORD_ENV = "WTDC_TEAM_PASSWORD"


class NoPassword(WtdcError):
    exit_code = 2


def _account(url: str, user: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{user}@{parts.hostname}:{parts.port or ''}{parts.path}"


def _backend():
    """The keyring backend, or None when the system offers none that keeps secrets."""
    try:
        import keyring
        from keyring.backends import fail, null
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - a broken keyring configuration is no keyring
        return None
    if isinstance(backend, (fail.Keyring, null.Keyring)):
        return None
    chain = getattr(backend, "backends", None)
    if chain is not None and not chain:
        return None
    return backend


def keyring_available() -> bool:
    return _backend() is not None


def stored_password(url: str, user: str) -> str | None:
    backend = _backend()
    if backend is None:
        return None
    try:
        return backend.get_password(SERVICE, _account(url, user))
    except Exception:  # noqa: BLE001 - a locked or failing keyring: ask instead
        return None


def store_password(url: str, user: str, password: str) -> bool:
    """Keep the password in the keyring; False when there is none (the user must be told)."""
    backend = _backend()
    if backend is None:
        return False
    try:
        backend.set_password(SERVICE, _account(url, user), password)
    except Exception:  # noqa: BLE001
        return False
    return True


def forget_password(url: str, user: str) -> None:
    backend = _backend()
    if backend is None:
        return
    try:
        backend.delete_password(SERVICE, _account(url, user))
    except Exception:  # noqa: BLE001 - nothing stored
        pass


def password_for(url: str, user: str, prompt: Callable[[str], str | None] | None = None) -> str:
    """The password: from the keyring, else ``WTDC_TEAM_PASSWORD``, else asked with ``prompt``."""
    password = stored_password(url, user)
    if password is None:
        password = os.environ.get(PASSWORD_ENV)
    if password is None and prompt is not None:
        password = prompt(_("Password of {user} on {url}: ").format(user=user, url=url))
    if password is None:
        raise NoPassword(_("The password of {user} on {url} is needed: this computer has no keyring to keep it, so "
                           "give it each time (the command asks for it; scripts set {env}).").format(
                               user=user, url=url, env=PASSWORD_ENV))
    return password
