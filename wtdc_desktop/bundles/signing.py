"""Signatures (spec §6): Ed25519 keys, signing the exact bytes of ``manifest.json``, checking them.

A signed bundle holds ``manifest.json.sig``, the base64 Ed25519 signature of
the manifest's bytes; since the manifest lists the SHA-256 of every other
member, the signature covers the whole bundle. The manifest of a bundle that
we sign also names its key (``publisher.public_key``, base64 of the 32 raw
bytes; an extra field that other readers ignore), so that a reader that has
not pinned the publisher's key yet can still check the signature and show the
key's fingerprint for the user to trust (trust on first use).

A publisher's key is pinned by the user (trust on first use, ``trust add``,
``sync --trust``) or by configuration: a file ``trusted-keys/<publisher>.pub``
in the data folder.

Key files: the private key is PKCS#8 PEM (OpenSSH Ed25519 keys are read too);
a public key file holds the base64 of the 32 raw bytes on one line (PEM and
``ssh-ed25519`` lines are read too).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from wtdc_desktop.bundles.errors import BundleError, BundleRefused
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _
from wtdc_desktop.userfiles import read_user_file

SIGNATURE_MEMBER = "manifest.json.sig"
PUBLIC_KEY_FIELD = "public_key"  # inside the manifest's "publisher" object


class KeyFileError(WtdcError):
    """A key file that cannot be read or is not an Ed25519 key."""

    exit_code = 2


@dataclass(frozen=True)
class Signer:
    """Who signed a bundle, as far as it could be checked."""

    public_key: bytes | None  # raw 32 bytes; None when the key is unknown
    fingerprint: str | None
    pinned: bool  # the key is the one pinned (or given) for the publisher
    verified: bool  # the signature was checked against that key

    @property
    def public_key_b64(self) -> str | None:
        return encode_public_key(self.public_key) if self.public_key else None


# -- keys ------------------------------------------------------------------------------------------


def fingerprint(public_key: bytes) -> str:
    """A short readable form of a public key: the first 128 bits of its SHA-256, in groups of four."""
    digest = hashlib.sha256(public_key).hexdigest()[:32].upper()
    return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def encode_public_key(public_key: bytes) -> str:
    return base64.b64encode(public_key).decode("ascii")


def raw_public_key(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    if isinstance(key, Ed25519PrivateKey):
        key = key.public_key()
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def decode_public_key(text: str) -> bytes | None:
    """The 32 raw bytes of a base64 public key, or None when ``text`` is not one."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == 32 else None


def generate_key(out: Path | str) -> tuple[Path, Path, str]:
    """Write a new private key to ``out`` (mode 0600) and its public key to ``out.pub``.

    Refuses to overwrite an existing file. Returns (private path, public path, fingerprint).
    """
    out = Path(out)
    pub = out.with_name(out.name + ".pub")
    for path in (out, pub):
        if path.exists():
            raise KeyFileError(_("{path} already exists; choose another file name (a key is never overwritten).").format(
                path=path))
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    raw = raw_public_key(key)
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        with os.fdopen(fd, "wb") as fp:
            fp.write(pem)
        os.chmod(out, 0o600)  # whatever the umask
        pub.write_text(encode_public_key(raw) + "\n", "ascii")
    except OSError as exc:
        raise KeyFileError(_("The key cannot be written to {path}: {reason}.").format(
            path=out, reason=exc.strerror or exc)) from None
    return out, pub, fingerprint(raw)


def load_private_key(path: Path | str) -> Ed25519PrivateKey:
    path = Path(path)
    try:
        data = read_user_file(path, "key")
    except OSError as exc:
        raise KeyFileError(_("The key file {path} cannot be read: {reason}.").format(
            path=path, reason=exc.strerror or exc)) from None
    key = None
    for loader in (serialization.load_pem_private_key, serialization.load_ssh_private_key):
        try:
            key = loader(data, password=None)
            break
        except (ValueError, TypeError, UnsupportedAlgorithm):
            continue
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(_("{path} is not an unencrypted Ed25519 private key (make one with “bundle keygen”).").format(
            path=path))
    return key


def load_public_key(path: Path | str) -> bytes:
    """The 32 raw bytes of the public key in ``path`` (base64, PEM or an ssh-ed25519 line)."""
    path = Path(path)
    try:
        data = read_user_file(path, "key")
    except OSError as exc:
        raise KeyFileError(_("The public key file {path} cannot be read: {reason}.").format(
            path=path, reason=exc.strerror or exc)) from None
    text = data.decode("ascii", errors="replace").strip()
    key = None
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(data)
        elif text.startswith("ssh-ed25519"):
            key = serialization.load_ssh_public_key(data)
        else:
            lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
            raw = decode_public_key(lines[0]) if len(lines) == 1 else None
            if raw is not None:
                return raw
    except (ValueError, UnsupportedAlgorithm):
        key = None
    if isinstance(key, Ed25519PublicKey):
        return raw_public_key(key)
    raise KeyFileError(_("{path} is not an Ed25519 public key (expected the “.pub” file written by “bundle keygen”).").format(
        path=path))


#: Folder of the data folder where an administrator can pin publisher keys by configuration:
#: ``trusted-keys/<publisher id>.pub`` (the public key file of that publisher).
CONFIG_KEYS_DIR = "trusted-keys"
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def configured_key(data_dir: Path | str, publisher: str) -> bytes | None:
    """The key pinned for ``publisher`` by configuration (a file in the data folder), if any."""
    if not _SAFE_ID.match(publisher):
        return None
    path = Path(data_dir) / CONFIG_KEYS_DIR / f"{publisher}.pub"
    if not path.is_file():
        return None
    return load_public_key(path)


# -- signatures ------------------------------------------------------------------------------------


def sign_manifest(manifest: bytes, key: Ed25519PrivateKey) -> bytes:
    """The content of ``manifest.json.sig`` for these exact manifest bytes."""
    return base64.b64encode(key.sign(manifest)) + b"\n"


def signature_valid(manifest: bytes, signature: bytes, public_key: bytes) -> bool:
    try:
        sig = base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    if len(sig) != 64:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(sig, manifest)
    except (InvalidSignature, ValueError):
        return False
    return True


def embedded_key(bundle) -> bytes | None:
    """The signing key a manifest names for itself, if any (not trusted: only used for TOFU)."""
    publisher = bundle.manifest.raw.get("publisher") or {}
    value = publisher.get(PUBLIC_KEY_FIELD)
    if value is None:
        return None
    raw = decode_public_key(value) if isinstance(value, str) else None
    if raw is None:
        where = f"{bundle.where}: manifest.json"
        raise BundleError(
            _("{where}: “publisher.public_key” must be the base64 of a 32-byte Ed25519 public key.").format(where=where),
            where=where,
        )
    return raw


def check_bundle_signature(bundle, pinned: bytes | None) -> Signer | None:
    """Check an opened bundle's signature; ``pinned`` is the key required for its publisher, if any.

    Returns None for an unsigned bundle that may be applied, a :class:`Signer`
    otherwise. Raises :class:`BundleRefused` for an unsigned or wrongly signed
    bundle when a key is pinned, :class:`BundleError` for a signature that
    does not match the key the manifest names.
    """
    manifest = bundle.manifest
    publisher = manifest.publisher_id
    where = f"{bundle.where}: {SIGNATURE_MEMBER}"
    signature = bundle.signature
    own = embedded_key(bundle) if signature is not None else None  # an unsigned bundle's key means nothing
    if signature is None:
        if pinned is not None:
            raise BundleRefused(
                _("{where} is missing, but bundles of publisher “{publisher}” must be signed with the trusted key {fingerprint}; the unsigned bundle is refused.").format(
                    where=where, publisher=publisher, fingerprint=fingerprint(pinned)),
                where=where,
            )
        return None
    if pinned is not None:
        if signature_valid(bundle.manifest_bytes, signature, pinned):
            return Signer(pinned, fingerprint(pinned), pinned=True, verified=True)
        if own is not None and own != pinned and signature_valid(bundle.manifest_bytes, signature, own):
            raise BundleRefused(
                _("{where}: the bundle is signed with the key {other}, not with the key {fingerprint} trusted for publisher “{publisher}”; refused.").format(
                    where=where, other=fingerprint(own), fingerprint=fingerprint(pinned), publisher=publisher),
                where=where,
            )
        raise BundleRefused(
            _("{where}: the signature does not match the key {fingerprint} trusted for publisher “{publisher}”, so the manifest may have been altered; refused.").format(
                where=where, fingerprint=fingerprint(pinned), publisher=publisher),
            where=where,
        )
    if own is None:  # signed, but nothing to check it with until the user pins a key
        return Signer(None, None, pinned=False, verified=False)
    if not signature_valid(bundle.manifest_bytes, signature, own):
        raise BundleError(
            _("{where}: the signature does not match the manifest and the key {fingerprint} it names, so the manifest may have been altered; refused.").format(
                where=where, fingerprint=fingerprint(own)),
            where=where,
        )
    return Signer(own, fingerprint(own), pinned=False, verified=True)
