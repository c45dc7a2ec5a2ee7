"""Uploaded files, kept outside the web root behind one small interface.

A backend stores bytes under an opaque key it chooses (`put`), hands them back (`get`) and
forgets them (`delete`); nothing else about where or how they live leaks out. The database
row that names a key is what scopes it to a partner (Row-Level Security), so a key is never
shown in a URL and never derived from a file's name.

Backends: `filesystem` (`STORAGE_DIR`, outside `static/`; in tests a temporary folder). An
S3-compatible backend is the same three methods over one bucket (`put_object` with the key,
`get_object`, `delete_object`; server-side encryption on, the bucket private, no public
URLs), registered in `BACKENDS` and chosen with `STORAGE_BACKEND`; nothing else changes.

Files follow the database transaction that names them: a file put in a transaction that
rolls back is removed, and a file deleted in a transaction goes only once it commits.
"""
import logging
import os
import secrets
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from network.core.extensions import db

log = logging.getLogger(__name__)

_PUT_KEY = "storage_put"
_DELETE_KEY = "storage_delete"


class StoredFileMissing(LookupError):
    """The key names no stored file."""


class FilesystemStorage:
    """One file per key under `root`, in a sub-folder per key prefix, readable by the app alone."""

    def __init__(self, root):
        self.root = Path(root)

    def _path(self, key):
        if not key.isalnum():
            raise StoredFileMissing(key)
        return self.root / key[:2] / key

    def put(self, data: bytes) -> str:
        key = secrets.token_hex(20)
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False) as draft:
            draft.write(data)
        os.chmod(draft.name, 0o600)
        os.replace(draft.name, path)
        return key

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise StoredFileMissing(key) from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


BACKENDS = {"filesystem": lambda config: FilesystemStorage(config["STORAGE_DIR"])}


def storage():
    """The configured backend."""
    config = current_app.config
    try:
        return BACKENDS[config["STORAGE_BACKEND"]](config)
    except KeyError:
        raise RuntimeError(f"unknown STORAGE_BACKEND {config['STORAGE_BACKEND']!r}") from None


def put_file(data):
    """Store `data` as part of the current transaction: removed again if it rolls back."""
    backend = storage()
    key = backend.put(data)
    db.session.info.setdefault(_PUT_KEY, []).append((backend, key))
    return key


def delete_file_after_commit(key):
    """Delete the file once the current transaction commits (a rollback keeps it)."""
    db.session.info.setdefault(_DELETE_KEY, []).append((storage(), key))


@event.listens_for(Session, "after_commit")
def _delete_committed(session):
    session.info.pop(_PUT_KEY, None)
    for backend, key in session.info.pop(_DELETE_KEY, ()):
        try:
            backend.delete(key)
        except OSError as error:
            log.warning("stored file %s could not be deleted: %s", key, error)


@event.listens_for(Session, "after_rollback")
def _remove_uncommitted(session):
    session.info.pop(_DELETE_KEY, None)
    for backend, key in session.info.pop(_PUT_KEY, ()):
        backend.delete(key)
