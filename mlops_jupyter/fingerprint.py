"""Dataset references: a fingerprint of the data, never the data.

A local file gets a streaming SHA-256, its size, and for tabular text files
(CSV/TSV) its row count and column names. A directory gets a SHA-256 over its
files' relative paths and contents. A URL is stored as given: no network access.
Fingerprints are cached per process by (path, size, mtime), so re-running a cell
on an unchanged multi-GB file costs a ``stat``.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
from pathlib import Path

from .entities import DatasetRef
from .errors import InvalidInput

_CHUNK = 1 << 20
_URL_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_TABULAR = {".csv": ",", ".tsv": "\t"}
_cache: dict[tuple, DatasetRef] = {}


def is_url(uri: str) -> bool:
    return bool(_URL_RE.match(uri)) and not uri.startswith("file://")


def fingerprint(uri: str | os.PathLike, name: str | None = None) -> DatasetRef:
    """Describe the dataset at ``uri`` (a local path or a URL)."""
    text = os.fspath(uri)
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("dataset location is empty", field="uri")
    if is_url(text):
        return DatasetRef(uri=text, name=name or _url_name(text), kind="url")
    if text.startswith("file://"):
        text = text[len("file://"):]
    path = Path(os.path.expanduser(text))
    try:
        st = path.stat()
    except FileNotFoundError as e:
        raise InvalidInput(f"no file or directory at {text!r}",
                           hint="log a URL for remote data, or check the working directory "
                           f"({os.getcwd()})", field="uri") from e
    resolved = str(path.resolve())
    # A directory's own mtime misses edits to nested files: key on every file's stat.
    key = (resolved, *(_tree_stat(path) if path.is_dir() else (st.st_size, st.st_mtime_ns)))
    cached = _cache.get(key)
    if cached is not None:
        return cached if name is None or cached.name == name else _renamed(cached, name)
    if path.is_dir():
        ref = _directory(path, resolved, name)
    else:
        ref = _file(path, resolved, name, st.st_size)
    _cache[key] = ref
    return ref


def _tree_stat(path: Path) -> tuple[int, int]:
    """A cheap summary (count, hash of sizes and mtimes) of every file under ``path``."""
    entries = []
    for root, _dirs, files in os.walk(path):
        for fname in files:
            fst = os.stat(os.path.join(root, fname))
            entries.append((root, fname, fst.st_size, fst.st_mtime_ns))
    entries.sort()
    return len(entries), hash(tuple(entries))


def _renamed(ref: DatasetRef, name: str) -> DatasetRef:
    return DatasetRef(ref.uri, name, ref.digest, ref.size, ref.rows, ref.columns, ref.kind)


def _url_name(url: str) -> str:
    tail = url.rstrip("/").rsplit("/", 1)[-1]
    return tail.split("?", 1)[0] or url


def _hash_file(path: Path, digest: hashlib._Hash) -> None:
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)


def _file(path: Path, resolved: str, name: str | None, size: int) -> DatasetRef:
    digest = hashlib.sha256()
    _hash_file(path, digest)
    rows, columns = _table_shape(path)
    return DatasetRef(uri=resolved, name=name or path.name, digest="sha256:" + digest.hexdigest(),
                      size=size, rows=rows, columns=columns, kind="file")


def _directory(path: Path, resolved: str, name: str | None) -> DatasetRef:
    digest = hashlib.sha256()
    total = 0
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for fname in sorted(files):
            fpath = Path(root) / fname
            rel = fpath.relative_to(path).as_posix()
            digest.update(rel.encode("utf-8") + b"\0")
            _hash_file(fpath, digest)
            digest.update(b"\0")
            total += fpath.stat().st_size
    return DatasetRef(uri=resolved, name=name or path.name, digest="sha256:" + digest.hexdigest(),
                      size=total, kind="directory")


def _table_shape(path: Path) -> tuple[int | None, tuple[str, ...] | None]:
    """Rows (excluding the header) and column names of a CSV/TSV file."""
    delimiter = _TABULAR.get(path.suffix.lower())
    if delimiter is None:
        return None, None
    try:
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.reader(f, delimiter=delimiter)
            header = next(reader, None)
            rows = sum(1 for _ in reader)
    except (UnicodeDecodeError, csv.Error):
        return None, None
    return rows, tuple(header) if header else None
