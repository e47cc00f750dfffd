"""The shared location of a team: a folder (synced by any client, or a network share) or a WebDAV server.

Both offer the same few operations on paths relative to the location (``member/name``):
list a folder, read a file (never past a limit), write a file so that a reader never sees half of
it (a temporary name, then a rename; on WebDAV a PUT to a temporary name, then a MOVE), delete,
make a folder. A WebDAV answer 423 Locked, 507 Insufficient Storage, a 5xx, a timeout or a
dropped connection is retried with back-off and, when it persists, raised as
:class:`StorageUnavailable` (nothing was half-written).
"""

from __future__ import annotations

import os
import secrets
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from wtdc_desktop import network
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _

#: Statuses of a WebDAV server worth trying again after a pause.
RETRY_STATUSES = {408, 423, 425, 429, 500, 502, 503, 504, 507}


class StorageError(WtdcError):
    """The shared location refused an operation (a permission, a missing folder): trying again will not help."""

    exit_code = 3


class StorageUnavailable(WtdcError):
    """The shared location cannot be used now (server busy, locked, full, unreachable); try again later."""

    exit_code = 7


@dataclass
class Entry:
    name: str
    size: int | None
    is_dir: bool


def is_url(location: str) -> bool:
    return "://" in location


class FolderStorage:
    """A folder on this computer (a synced folder, a mounted share)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.where = str(self.root)

    def _path(self, rel: str) -> Path:
        return self.root / rel if rel else self.root

    def exists(self) -> bool:
        return self.root.is_dir()

    def list(self, rel: str = "") -> list[Entry]:
        try:
            with os.scandir(self._path(rel)) as it:
                out = []
                for e in it:
                    try:
                        is_dir = e.is_dir(follow_symlinks=False)
                        out.append(Entry(e.name, None if is_dir else e.stat(follow_symlinks=False).st_size, is_dir))
                    except OSError:
                        continue  # vanished while listing (a sync client renaming it)
                return out
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StorageUnavailable(_("{path} cannot be read now ({reason}).").format(
                path=self._path(rel), reason=exc.strerror or exc)) from None

    def read(self, rel: str, limit: int) -> bytes | None:
        """The file's bytes (None when it is not there); raises past ``limit``."""
        path = self._path(rel)
        try:
            with open(path, "rb") as fp:
                data = fp.read(limit + 1)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StorageUnavailable(_("{path} cannot be read now ({reason}).").format(
                path=path, reason=exc.strerror or exc)) from None
        if len(data) > limit:
            raise StorageError(_("{path} is larger than {limit} bytes; it is not read.").format(path=path, limit=limit))
        return data

    def mkdir(self, rel: str) -> None:
        try:
            self._path(rel).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(_("The folder {path} cannot be created: {reason}.").format(
                path=self._path(rel), reason=exc.strerror or exc)) from None

    def write(self, rel: str, data: bytes) -> None:
        """Write under a temporary name in the same folder, then rename: a reader sees all of it or nothing."""
        path = self._path(rel)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
        try:
            with open(tmp, "wb") as fp:
                fp.write(data)
                fp.flush()
                os.fsync(fp.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            try:
                tmp.unlink()
            except OSError:
                pass
            raise StorageUnavailable(_("{path} cannot be written now ({reason}); it is written at the next sync.").format(
                path=path, reason=exc.strerror or exc)) from None

    def delete(self, rel: str) -> None:
        try:
            self._path(rel).unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise StorageUnavailable(_("{path} cannot be removed now ({reason}).").format(
                path=self._path(rel), reason=exc.strerror or exc)) from None


_PROPFIND = (b'<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop>'
             b'<d:resourcetype/><d:getcontentlength/></d:prop></d:propfind>')


class DavStorage:
    """A folder on a WebDAV server (https; plain http only on a loopback address)."""

    #: Pauses between attempts (seconds): 4 attempts in all.
    backoff: tuple[float, ...] = (0.5, 2.0, 5.0)

    def __init__(self, url: str, auth: tuple[str, str] | None = None, *, timeout: float = 30.0,
                 ssl_context=None, sleep: Callable[[float], None] = time.sleep) -> None:
        network.check_url(url)
        self.base = url if url.endswith("/") else url + "/"
        self.where = url
        self.auth = auth
        self.timeout = timeout
        self.ssl_context = ssl_context
        self.sleep = sleep
        self.retries: list[str] = []  # what was retried, for the report

    def _url(self, rel: str) -> str:
        return urllib.parse.urljoin(self.base, urllib.parse.quote(rel))

    def _request(self, method: str, rel: str, *, ok: tuple[int, ...], limit: int = 1 << 20, **kw) -> network.DavAnswer:
        url = self._url(rel)
        delays = list(self.backoff)
        while True:
            try:
                answer = network.dav_request(method, url, auth=self.auth, limit=limit, timeout=self.timeout,
                                             ssl_context=self.ssl_context, **kw)
            except network.TooLarge as exc:
                raise StorageError(exc.message) from None
            except network.Refused as exc:
                raise StorageError(exc.message) from None
            except network.Unreachable as exc:
                problem = exc.message
            else:
                if answer.status in ok:
                    return answer
                if answer.status in (401, 403):
                    raise StorageError(_("{url} refused the user name or password (HTTP {status}).").format(
                        url=url, status=answer.status))
                if answer.status not in RETRY_STATUSES:
                    raise StorageError(_("{url} answered {method} with HTTP {status}.").format(
                        url=url, method=method, status=answer.status))
                problem = _("{url} answered {method} with HTTP {status}.").format(
                    url=url, method=method, status=answer.status)
            if not delays:
                raise StorageUnavailable(_("{problem} Tried several times; it is tried again at the next sync.").format(
                    problem=problem))
            self.retries.append(problem)
            self.sleep(delays.pop(0))

    def exists(self) -> bool:
        return self._request("PROPFIND", "", ok=(207, 404), body=_PROPFIND,
                             headers={"Depth": "0", "Content-Type": "application/xml"}).status == 207

    def list(self, rel: str = "") -> list[Entry]:
        import defusedxml.ElementTree as ET  # noqa: N817

        path = rel.rstrip("/") + "/" if rel else ""
        answer = self._request("PROPFIND", path, ok=(207, 404), body=_PROPFIND, limit=32 << 20,
                               headers={"Depth": "1", "Content-Type": "application/xml"})
        if answer.status == 404:
            return []
        try:
            root = ET.fromstring(answer.body)
        except Exception as exc:  # noqa: BLE001 - any XML problem is the server's
            raise StorageUnavailable(_("{url} sent a folder listing that cannot be read ({reason}).").format(
                url=self._url(path), reason=exc)) from None
        own = urllib.parse.urlsplit(self._url(path)).path.rstrip("/")
        out = []
        for resp in root.iter("{DAV:}response"):
            href = resp.findtext("{DAV:}href") or ""
            href_path = urllib.parse.unquote(urllib.parse.urlsplit(href).path).rstrip("/")
            if href_path == urllib.parse.unquote(own) or not href_path:
                continue
            is_dir = resp.find(".//{DAV:}resourcetype/{DAV:}collection") is not None
            length = resp.findtext(".//{DAV:}getcontentlength")
            out.append(Entry(href_path.rsplit("/", 1)[-1], int(length) if length and length.isdigit() else None,
                             is_dir))
        return out

    def read(self, rel: str, limit: int) -> bytes | None:
        answer = self._request("GET", rel, ok=(200, 404), limit=limit)
        return None if answer.status == 404 else answer.body

    def mkdir(self, rel: str) -> None:
        self._request("MKCOL", rel.rstrip("/") + "/", ok=(201, 405))  # 405: it exists

    def write(self, rel: str, data: bytes) -> None:
        folder, _sep, name = rel.rpartition("/")
        tmp = f"{folder}/.{name}.{secrets.token_hex(4)}.part" if folder else f".{name}.{secrets.token_hex(4)}.part"
        self._request("PUT", tmp, ok=(200, 201, 204), body=data,
                      headers={"Content-Type": "application/octet-stream", "Content-Length": str(len(data))})
        try:
            self._request("MOVE", tmp, ok=(201, 204),
                          headers={"Destination": self._url(rel), "Overwrite": "T"})
        except WtdcError:
            try:
                self._request("DELETE", tmp, ok=(200, 204, 404))
            except WtdcError:
                pass
            raise

    def delete(self, rel: str) -> None:
        self._request("DELETE", rel, ok=(200, 204, 404))
