"""Which of a bundle's files the window hands to the system opener: documents only, never programs.

A bundle may carry any file. Only document types (PDF, Word, Excel, PowerPoint, OpenDocument,
RTF, plain text, CSV and images) are opened, and only when the media type the manifest lists and
the file name's extension are both allowed and agree: ``application/pdf`` on ``report.exe`` is not
a PDF. Everything else (programs, scripts, shortcuts, installers, HTML) is offered for saving only.
Pure: no I/O, names are plain text.
"""

from __future__ import annotations

#: media type -> the extensions (lower case, with the dot) a file of that type may carry
OPENABLE: dict[str, frozenset[str]] = {
    "application/pdf": frozenset({".pdf"}),
    "application/msword": frozenset({".doc"}),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": frozenset({".docx"}),
    "application/vnd.ms-excel": frozenset({".xls"}),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": frozenset({".xlsx"}),
    "application/vnd.ms-powerpoint": frozenset({".ppt"}),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": frozenset({".pptx"}),
    "application/vnd.oasis.opendocument.text": frozenset({".odt"}),
    "application/vnd.oasis.opendocument.spreadsheet": frozenset({".ods"}),
    "application/vnd.oasis.opendocument.presentation": frozenset({".odp"}),
    "application/rtf": frozenset({".rtf"}),
    "text/rtf": frozenset({".rtf"}),
    "text/plain": frozenset({".txt"}),
    "text/csv": frozenset({".csv"}),
    "image/png": frozenset({".png"}),
    "image/jpeg": frozenset({".jpg", ".jpeg"}),
    "image/gif": frozenset({".gif"}),
}

#: extension -> the media types a file with that extension may be listed with
_BY_EXTENSION: dict[str, frozenset[str]] = {}
for _media, _extensions in OPENABLE.items():
    for _ext in _extensions:
        _BY_EXTENSION[_ext] = _BY_EXTENSION.get(_ext, frozenset()) | {_media}
del _media, _extensions, _ext


def extension(name: str) -> str:
    """The lower-case extension of a file name or ``/``-separated path, with its dot ('' if none)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, ext = base.rpartition(".")
    return "." + ext.lower() if dot and stem and ext else ""


def normal_media_type(media_type: str | None) -> str:
    """A media type in lower case without parameters (``Text/Plain; charset=utf-8`` -> ``text/plain``)."""
    return (media_type or "").split(";", 1)[0].strip().lower()


def is_openable(name: str, media_type: str | None) -> bool:
    """True when a file of this name, listed with this media type, may be handed to the opener:
    both are document types and they agree. Anything else is offered for saving only."""
    allowed = OPENABLE.get(normal_media_type(media_type))
    return allowed is not None and extension(name) in allowed


def media_type_disagrees(name: str, media_type: str | None) -> bool:
    """True when the listed media type and the extension contradict each other: the media type is
    a document type the extension does not carry, or the extension is a document extension the
    media type is not (``application/pdf`` on ``setup.exe``, ``text/html`` on ``notes.txt``). No
    media type listed, or two types outside the allowlist (``text/html`` on ``page.html``), do not
    disagree: such a file is simply never opened."""
    media = normal_media_type(media_type)
    if not media:
        return False
    ext = extension(name)
    if media in OPENABLE and ext not in OPENABLE[media]:
        return True
    return ext in _BY_EXTENSION and media not in _BY_EXTENSION[ext]
