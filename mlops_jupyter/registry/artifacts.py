"""A content-addressed file store for model files.

A file lives at ``<root>/models/sha256/<aa>/<sha256>``: its path is derived from
its hash alone, so no user-given name ever becomes a path (no traversal), the same
bytes are stored once, and a reader can always check what it got. Writes go to a
temporary file in the same directory and are renamed into place (atomic), after the
size limit and hash are known.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..errors import InvalidInput, NotFound, StorageError

DEFAULT_MAX_BYTES = 1 << 30  # 1 GiB
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1 << 20


class TooLarge(InvalidInput):
    """A file above the configured size limit (HTTP 413)."""

    code = "too_large"
    http_status = 413


class HashMismatch(StorageError):
    """A stored file's bytes no longer match the hash recorded for it."""

    code = "hash_mismatch"
    http_status = 500


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int


class ArtifactStore:
    """Model files under ``root``, addressed by SHA-256."""

    def __init__(self, root: str | os.PathLike, max_bytes: int = DEFAULT_MAX_BYTES):
        self.root = Path(root).expanduser().resolve()
        self.max_bytes = max_bytes

    def path_for(self, sha256: str) -> Path:
        if not _HEX64.match(sha256 or ""):
            raise InvalidInput(f"not a SHA-256 digest: {sha256!r}", field="sha256")
        return self.root / "models" / "sha256" / sha256[:2] / sha256

    def put_bytes(self, data: bytes) -> StoredFile:
        return self.put_chunks([data])

    def put_file(self, stream: BinaryIO) -> StoredFile:
        return self.put_chunks(iter(lambda: stream.read(_CHUNK), b""))

    def put_chunks(self, chunks: Iterable[bytes]) -> StoredFile:
        """Store a stream of bytes; raises :class:`TooLarge` past ``max_bytes``."""
        tmp_dir = self.root / "models" / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise TooLarge(f"model file is larger than the limit of "
                                       f"{self.max_bytes:,} bytes",
                                       hint="raise max_upload_bytes in the configuration",
                                       field="file")
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            final = self.path_for(sha)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp_name, final)
            tmp_name = ""
            return StoredFile(sha, size)
        finally:
            if tmp_name:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp_name)

    def read_verified(self, sha256: str) -> bytes:
        """The file's bytes, after checking they still hash to ``sha256``."""
        path = self.path_for(sha256)
        try:
            data = path.read_bytes()
        except FileNotFoundError as e:
            raise NotFound(f"model file sha256:{sha256} is missing from {self.root}",
                           hint="the artifact root may have moved: check artifact_root") from e
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256:
            raise HashMismatch(f"model file sha256:{sha256} is corrupted or was modified "
                               f"(its bytes hash to {actual}); refusing to load it",
                               hint="restore the file or register the model again")
        return data
