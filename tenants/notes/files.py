"""What an uploaded file really is, from its first bytes (and, for office documents, the
archive inside), never from its name or the Content-Type the browser sent.

Only the kinds a case file needs are accepted: PDF, PNG, JPEG, WebP, and office documents
(Word, Excel, PowerPoint in the OOXML or the old binary format; OpenDocument). Anything else
(HTML, SVG, scripts, executables, archives) is refused, and so is a macro-enabled document.
"""
import io
import zipfile

from flask_babel import lazy_gettext as _l

# kind: (content type served back, file name endings accepted for it)
KINDS = {
    "pdf": ("application/pdf", (".pdf",)),
    "png": ("image/png", (".png",)),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg")),
    "webp": ("image/webp", (".webp",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",)),
    "odf": ("application/vnd.oasis.opendocument", (".odt", ".ods", ".odp")),
    "ole": ("application/octet-stream", (".doc", ".xls", ".ppt")),
}
ACCEPTED_ENDINGS = sorted(ending for _, endings in KINDS.values() for ending in endings)
_OOXML_PARTS = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}

NOT_ACCEPTED = _l("This file is not a PDF, an image (PNG, JPEG, WebP) or an office document, whatever its name "
                  "says: it was not kept.")
NAME_MISMATCH = _l("The file's name does not match its content (it is really a %(kind)s file): rename it and "
                   "upload it again.")
MACROS = _l("Documents with macros are not accepted: save it without macros and upload it again.")
TOO_LARGE = _l("The file is larger than %(megabytes)s MB: it was not kept.")
EMPTY = _l("The file is empty.")


class FileRefused(ValueError):
    """The file cannot be kept; `message` says why, in the user's language (lazy)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def recognise(data):
    """The kind of `data` (a key of KINDS), or None."""
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        return _office_archive(data)
    return None


def _office_archive(data):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                declared = archive.read("mimetype")[:100]
                return "odf" if declared.startswith(b"application/vnd.oasis.opendocument.") else None
            if "[Content_Types].xml" not in names:
                return None
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise FileRefused(MACROS)
    except (zipfile.BadZipFile, KeyError, RuntimeError):
        return None
    return next((kind for prefix, kind in _OOXML_PARTS.items() if any(n.startswith(prefix) for n in names)), None)


def check_upload(filename, data, max_bytes):
    """(content type, clean file name) of an acceptable file; raises FileRefused."""
    if not data:
        raise FileRefused(EMPTY)
    if len(data) > max_bytes:
        raise FileRefused(TOO_LARGE % {"megabytes": max_bytes // (1024 * 1024)})
    kind = recognise(data)
    if kind is None:
        raise FileRefused(NOT_ACCEPTED)
    content_type, endings = KINDS[kind]
    name = clean_filename(filename)
    if not name.lower().endswith(endings):
        raise FileRefused(NAME_MISMATCH % {"kind": endings[0].lstrip(".").upper()})
    return content_type, name


def clean_filename(filename):
    """The last part of the name the browser sent, without control or path characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(character for character in name if character.isprintable() and character not in '"<>|:*?')
    return name.strip(" .")[-150:] or "file"
