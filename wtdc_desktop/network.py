"""Every network request of the application, under one set of rules.

- Only ``https://`` addresses, except plain ``http://`` on a loopback address
  (127.0.0.0/8, ::1, localhost), so that a publisher can test on one computer.
- Redirects are followed only to ``https://`` (or, from a loopback address, to
  another loopback one); a redirect to plain http elsewhere or to ``file:`` is
  refused before anything is sent there.
- Proxies are taken from the environment (``https_proxy``, ``no_proxy``…),
  except for loopback addresses, whose traffic never goes to a proxy.
- Every read has a timeout; a body is never read past its limit, and a
  download that trickles (under :data:`MIN_DOWNLOAD_RATE`) is given up.
- Conditional requests (ETag, Last-Modified) for what is checked periodically.

Errors are one translated sentence naming the address: :class:`Refused` when
the address or the answer breaks a rule (trying again will not help),
:class:`Unreachable` when the network or the server fails now. Callers wrap
them in their own error types where they need to.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _

#: Seconds a connection or a single read may take.
TIMEOUT_SECONDS = 30.0
#: Bytes a second below which a download is given up (on top of the timeout).
MIN_DOWNLOAD_RATE = 4096
USER_AGENT = "wtdc-desktop"
_CHUNK = 256 * 1024


class Refused(WtdcError):
    """The address or the answer breaks a rule (scheme, redirect, size); nothing was used from it."""

    exit_code = 3


class TooLarge(Refused):
    """The answer is larger than the limit its caller set."""

    def __init__(self, message: str, *, url: str, limit: int) -> None:
        super().__init__(message)
        self.url = url
        self.limit = limit


class Unreachable(WtdcError):
    """The address cannot be reached now (network, server); try again later."""

    exit_code = 7


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> None:
    """Refuse what is not https (plain http only for a loopback address)."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "https":
        return
    if scheme == "http" and is_loopback(parts.hostname):
        return
    if scheme == "http":
        raise Refused(
            _("{url}: plain http is accepted only for loopback addresses; use an https address.").format(url=url)
        )
    raise Refused(
        _("{url}: only https addresses (or http on a loopback address) can be synced.").format(url=url)
    )


class _RedirectPolicy(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to https, or between loopback addresses when the first was one."""

    def __init__(self, origin: str) -> None:
        super().__init__()
        self.origin_loopback = is_loopback(urllib.parse.urlsplit(origin).hostname)

    def _check(self, req, fp, newurl: str) -> str:
        newurl = urllib.parse.urljoin(req.full_url, newurl)
        parts = urllib.parse.urlsplit(newurl)
        scheme = parts.scheme.lower()
        if not (scheme == "https" or (scheme == "http" and self.origin_loopback and is_loopback(parts.hostname))):
            fp.close()
            raise Refused(
                _("{url} redirects to {target}, which is not https; the redirect was refused.").format(
                    url=req.full_url, target=newurl))
        return newurl

    def http_error_302(self, req, fp, code, msg, headers):
        # checked before urllib's own scheme check, so that a redirect to file: is refused, not retried later
        target = headers.get("location") or headers.get("uri")
        if target:
            self._check(req, fp, target)
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        newurl = self._check(req, fp, newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(url: str, ssl_context: ssl.SSLContext | None) -> urllib.request.OpenerDirector:
    handlers: list = [_RedirectPolicy(url), urllib.request.HTTPSHandler(context=ssl_context)]
    if is_loopback(urllib.parse.urlsplit(url).hostname):
        handlers.append(urllib.request.ProxyHandler({}))  # never send loopback traffic to a proxy
    return urllib.request.build_opener(*handlers)  # otherwise the environment's proxies


def unreachable(url: str, exc: BaseException) -> Unreachable:
    """The sentence for a network failure while talking to ``url``."""
    if isinstance(exc, urllib.error.HTTPError):
        reason = f"HTTP {exc.code} {exc.reason}"
    elif isinstance(exc, urllib.error.URLError):
        reason = str(exc.reason)
    elif isinstance(exc, (TimeoutError, socket.timeout)):
        reason = _("timed out")
    else:
        reason = str(exc) or type(exc).__name__
    reason = " ".join(str(reason).split())  # one line (urllib's redirect-loop message has several)
    return Unreachable(_("{url} cannot be reached now ({reason}); it will be tried again later.").format(
        url=url, reason=reason))


def open_url(url: str, *, timeout: float = TIMEOUT_SECONDS, ssl_context: ssl.SSLContext | None = None,
             headers: dict | None = None):
    """The response to a GET of ``url`` (a context manager); a 304 answer is returned, not raised.

    Raises :class:`Refused` or :class:`Unreachable`.
    """
    check_url(url)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
    try:
        return _opener(url, ssl_context).open(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return exc
        exc.close()
        raise unreachable(url, exc) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, WtdcError):
            raise exc.reason from None
        raise unreachable(url, exc) from None


def status(response) -> int:
    return getattr(response, "status", None) or getattr(response, "code", None) or 200


@dataclass
class Fetched:
    """A fetched body and the validators to send next time (body None: not modified)."""

    url: str  # where the body was found, after redirects
    body: bytes | None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.body is None


def fetch(url: str, *, limit: int, timeout: float = TIMEOUT_SECONDS, ssl_context: ssl.SSLContext | None = None,
          etag: str | None = None, last_modified: str | None = None) -> Fetched:
    """GET ``url`` whole (at most ``limit`` bytes), with a conditional request when validators are given.

    A 304 answer gives a :class:`Fetched` whose body is None and whose validators are the ones sent.
    Raises :class:`TooLarge` past the limit, :class:`Refused` or :class:`Unreachable`.
    """
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    resp = open_url(url, timeout=timeout, ssl_context=ssl_context, headers=headers)
    with resp:
        if status(resp) == 304:
            return Fetched(url, None, resp.headers.get("ETag") or etag,
                           resp.headers.get("Last-Modified") or last_modified)
        try:
            data = resp.read(limit + 1)
        except (OSError, http.client.HTTPException) as exc:
            raise unreachable(url, exc) from None
        if len(data) > limit:
            raise TooLarge(_("{url}: the answer is over the limit of {limit} bytes; refused.").format(
                url=url, limit=limit), url=url, limit=limit)
        return Fetched(resp.geturl() or url, data, resp.headers.get("ETag"), resp.headers.get("Last-Modified"))


def read_body(resp, url: str, size: int, *, timeout: float = TIMEOUT_SECONDS,
              min_rate: int | None = None) -> Iterator[bytes]:
    """The chunks of a response body, never past ``size`` bytes; ends early when the server stops.

    A server that trickles bytes would keep every read under the timeout for ever: past the timeout
    plus ``size`` at ``min_rate`` bytes a second, the download is given up (:class:`Unreachable`).
    """
    rate = min_rate or MIN_DOWNLOAD_RATE
    deadline = time.monotonic() + timeout + size / rate
    got = 0
    while got < size:
        if time.monotonic() > deadline:
            raise Unreachable(
                _("{url} sends too slowly (less than {rate} bytes a second); it will be tried again later.").format(
                    url=url, rate=rate))
        try:
            # read1: what has arrived (up to the rest of the size), so the deadline is checked
            chunk = resp.read1(min(_CHUNK, size - got))
        except http.client.IncompleteRead as exc:
            chunk = exc.partial
            if not chunk:
                return
        except (OSError, http.client.HTTPException) as exc:
            raise unreachable(url, exc) from None
        if not chunk:
            return
        got += len(chunk)
        yield chunk


# -- WebDAV (a delegation's shared storage, RFC 4918): the same rules as every other request ---------

@dataclass
class DavAnswer:
    """A WebDAV server's answer: its status, headers and body (read up to the caller's limit)."""

    status: int
    headers: dict
    body: bytes = b""


def dav_request(method: str, url: str, *, body: bytes | None = None, headers: dict | None = None,
                auth: tuple[str, str] | None = None, limit: int = 1 << 20, timeout: float = TIMEOUT_SECONDS,
                ssl_context: ssl.SSLContext | None = None) -> DavAnswer:
    """One WebDAV request (GET, PUT, MOVE, PROPFIND, MKCOL, DELETE) under the rules of this module.

    Every HTTP status is returned as a :class:`DavAnswer` (the caller decides what 423, 507 or a
    5xx mean for it); a body over ``limit`` raises :class:`TooLarge`; a network failure, a timeout
    or a connection dropped mid-answer raises :class:`Unreachable`. Credentials (``auth``, sent as
    HTTP Basic) only ever go to https or to a loopback address, which :func:`check_url` enforces.
    """
    import base64

    check_url(url)
    sent = {"User-Agent": USER_AGENT, **(headers or {})}
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode("utf-8")).decode("ascii")
        sent["Authorization"] = f"Basic {token}"
    request = urllib.request.Request(url, data=body, headers=sent, method=method)
    try:
        resp = _opener(url, ssl_context).open(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        resp = exc
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, WtdcError):
            raise exc.reason from None
        raise unreachable(url, exc) from None
    with resp:
        code = status(resp)
        length = resp.headers.get("Content-Length")
        try:
            data = resp.read(limit + 1) or b""
        except (OSError, http.client.HTTPException) as exc:
            raise unreachable(url, exc) from None
        if len(data) > limit:
            raise TooLarge(_("{url}: the answer is over the limit of {limit} bytes; refused.").format(
                url=url, limit=limit), url=url, limit=limit)
        if code < 300 and length is not None and length.isdigit() and int(length) != len(data):
            raise Unreachable(_("{url}: the connection was dropped in the middle of the answer; it will be tried "
                                "again later.").format(url=url))
        return DavAnswer(code, dict(resp.headers.items()), data)
