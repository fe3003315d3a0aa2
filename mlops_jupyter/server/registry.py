"""Registry routes (``mlops:registry``): models, versions, stages, aliases, history.

Nothing here ever unpickles: an upload is hashed into the content-addressed
artifact store under its SHA-256, listing and inspecting read database rows, and a
promotion only moves a stage. Model names and aliases are checked by the core
(``check_model_name``), an uploaded file's name only picks the format and is kept
for display. Uploads stream in: a ``Content-Length`` above ``max_upload_bytes``
is refused with 413 before any body byte is read, and the body of a request
that is not allowed to write is never buffered.
"""

from __future__ import annotations

import re
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import httputil, web

from .. import wire
from ..errors import InvalidInput, NotFound
from ..registry.artifacts import TooLarge
from ..registry.serialization import format_for_filename
from ..store.sql_registry import check_alias, check_model_name
from .base import INT32_MAX, MlopsHandler, field, path_id

# Room for the multipart boundaries, part headers and a description field.
MULTIPART_OVERHEAD = 64 * 1024
_UNSAFE_FILENAME = re.compile(r"[/\\\x00-\x1f\x7f]")


class RegistryHandler(MlopsHandler):
    auth_resource = "mlops:registry"

    @property
    def core(self) -> Any:
        return self.settings["mlops_core"]


def model_name(text: str) -> str:
    """The ``{name}`` of a URL (already percent-decoded by tornado), checked."""
    return check_model_name(text)


def check_filename(filename: Any) -> str:
    """An uploaded file's name: display only, so no separators or control characters."""
    if not isinstance(filename, str) or not filename.strip():
        raise InvalidInput("the uploaded file needs a name ending in .pkl, .pickle, .joblib "
                           "or .skops", field="file")
    if _UNSAFE_FILENAME.search(filename) or filename.startswith(".") or len(filename) > 255:
        raise InvalidInput(f"file name {filename[:80]!r} may not contain '/', '\\', control "
                           "characters, start with '.' or exceed 255 characters",
                           field="file")
    format_for_filename(filename)
    return filename


class ModelsHandler(RegistryHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        models = await self.call(self.store.list_registered_models)
        self.reply({"models": [wire.registered_model(m) for m in models]})


class ModelHandler(RegistryHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        name = model_name(name)
        model = await self.call(self.store.get_registered_model, name)
        versions = await self.call(self.store.list_model_versions, name)
        self.reply({**wire.registered_model(model),
                    "versions": [wire.model_version(v) for v in versions]})


@web.stream_request_body
class VersionsHandler(RegistryHandler):
    """``POST models/{name}/versions``: a multipart upload, streamed into memory."""

    _body: bytearray | None = None

    async def prepare(self) -> None:
        await super().prepare()
        if self.request.method != "POST":
            return
        model_name(self.path_kwargs.get("name", ""))  # a traversal name: 400, nothing read
        # Refuse before reading the body: unauthenticated, not allowed, or too large.
        if self.current_user is None:
            raise web.HTTPError(403)
        if not self.authorizer.is_authorized(self, self.current_user, "write",
                                             self.auth_resource):
            raise web.HTTPError(403)
        limit = self.settings["mlops_settings"].max_upload_bytes
        length = self.request.headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) > limit + MULTIPART_OVERHEAD:
            raise TooLarge(f"the upload is {int(length):,} bytes; the limit for a model file "
                           f"is {limit:,} bytes", hint="raise MlopsExtensionApp."
                           "max_upload_bytes", field="file")
        self.request.connection.set_max_body_size(limit + MULTIPART_OVERHEAD)
        self._body = bytearray()

    def data_received(self, chunk: bytes) -> None:
        if self._body is not None:
            self._body += chunk

    def _parts(self) -> tuple[bytes, str, str | None]:
        content_type = self.request.headers.get("Content-Type", "")
        if not content_type.startswith("multipart/form-data"):
            raise InvalidInput("upload the model file as multipart/form-data with a 'file' "
                               "part", field="file")
        args: dict[str, list[bytes]] = {}
        files: dict[str, list[httputil.HTTPFile]] = {}
        try:
            httputil.parse_body_arguments(content_type, bytes(self._body or b""), args, files,
                                          self.request.headers)
        except httputil.HTTPInputError as e:
            raise InvalidInput(f"the multipart body cannot be read: {str(e)[:200]}",
                               field="file") from e
        uploads = files.get("file") or []
        if len(uploads) != 1:
            raise InvalidInput("the request needs exactly one 'file' part", field="file")
        upload = uploads[0]
        description = None
        if args.get("description"):
            try:
                description = args["description"][0].decode("utf-8")
            except UnicodeDecodeError as e:
                raise InvalidInput("description is not valid UTF-8", field="description") from e
            if "\x00" in description:
                raise InvalidInput("description contains a NUL character",
                                   field="description")
        return upload.body, check_filename(upload.filename), description

    @web.authenticated
    @authorized
    async def post(self, name: str) -> None:
        name = model_name(name)
        data, filename, description = self._parts()
        self._body = None
        version = await self.call(self._register, name, data, filename, description,
                                  self.actor())
        self.reply(wire.model_version(version), 201)

    def _register(self, name: str, data: bytes, filename: str, description: str | None,
                  actor: str) -> Any:
        stored = self.core.artifacts.put_bytes(data)  # hashed and stored, never unpickled
        return self.store.create_model_version(
            name, sha256=stored.sha256, size=stored.size, format=format_for_filename(filename),
            source="upload", filename=filename, description=description, actor=actor)


class VersionHandler(RegistryHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str, version: str) -> None:
        mv = await self.call(self.store.get_model_version, model_name(name),
                             path_id(version, "version"))
        self.reply(wire.model_version(mv))


class ModelFileHandler(RegistryHandler):
    """The stored bytes of a version, for a client that loads it itself (never
    unpickled here); ``X-Model-Sha256`` says what the client must find."""

    @web.authenticated
    @authorized
    async def get(self, name: str, version: str) -> None:
        mv = await self.call(self.store.get_model_version, model_name(name),
                             path_id(version, "version"))
        file = self.core.artifacts.path_for(mv.sha256)
        if not file.exists():
            raise NotFound(f"the file of model {mv.model_name!r} version {mv.version} is "
                           "missing from the server's artifact store", field="version")
        self.set_header("Content-Type", "application/octet-stream")
        self.set_header("X-Model-Sha256", mv.sha256)
        self.set_header("Content-Disposition",
                        f'attachment; filename="model-v{mv.version}.{mv.format}"')
        with open(file, "rb") as f:  # noqa: ASYNC230 - chunks are read in the pool
            while chunk := await self.call(f.read, 1 << 20):
                self.write(chunk)
                await self.flush()
        self.finish()


class StageHandler(RegistryHandler):
    @web.authenticated
    @authorized
    async def post(self, name: str, version: str) -> None:
        name = model_name(name)
        number = path_id(version, "version")
        body = self.json_body()
        stage = field(body, "stage", str, required=True)
        comment = field(body, "comment", str, max_length=10_000)
        mv = await self.call(self.store.transition_stage, name, number, stage,
                             actor=self.actor(), comment=comment)
        self.reply(wire.model_version(mv))


class RollbackHandler(RegistryHandler):
    @web.authenticated
    @authorized
    async def post(self, name: str) -> None:
        name = model_name(name)
        comment = None
        if self.request.body:
            comment = field(self.json_body(), "comment", str, max_length=10_000)
        mv = await self.call(self.store.rollback_production, name, actor=self.actor(),
                             comment=comment)
        self.reply(wire.model_version(mv))


class HistoryHandler(RegistryHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        transitions = await self.call(self.store.stage_history, model_name(name))
        self.reply({"transitions": [wire.stage_transition(t) for t in transitions]})


class AliasHandler(RegistryHandler):
    @web.authenticated
    @authorized
    async def put(self, name: str, alias: str) -> None:
        name, alias = model_name(name), check_alias(alias)
        version = field(self.json_body(), "version", int, required=True, lo=1, hi=INT32_MAX)
        mv = await self.call(self.store.set_alias, name, alias, version)
        self.reply(wire.model_version(mv))

    @web.authenticated
    @authorized
    async def delete(self, name: str, alias: str) -> None:
        name, alias = model_name(name), check_alias(alias)
        await self.call(self.store.delete_alias, name, alias)
        self.no_content()
