"""The Jupyter server extension: an authenticated REST API over the tracking store.

Importing this package is cheap and framework free: :mod:`.wire` (the JSON
encoding shared with the remote store) needs only the standard library. The
tornado handlers live in :mod:`.handlers` and the ``ExtensionApp`` in :mod:`.app`.
"""
