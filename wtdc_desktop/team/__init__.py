"""Team sync: a delegation's members share their delegation bundles (spec §8) through a folder or WebDAV.

See :mod:`wtdc_desktop.team.core` for the layout of the shared location and what a sync does,
:mod:`wtdc_desktop.team.storage` for the folder and WebDAV access, and
:mod:`wtdc_desktop.team.credentials` for WebDAV passwords (the operating system's keyring).
"""

from wtdc_desktop.team.core import (  # noqa: F401
    TeamError, TeamSyncResult, is_joined, join, leave, members, refresh, sync, trust,
)
