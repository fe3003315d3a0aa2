"""The Jupyter server extension: an authenticated REST API over the tracking store.

The ``ExtensionApp`` is in :mod:`.app`; each group of routes has its module
(:mod:`.tracking`, :mod:`.registry`, :mod:`.monitoring`, :mod:`.predict`,
:mod:`.alerts`, :mod:`.metrics`). The JSON encoding they share with the remote
store is :mod:`mlops_jupyter.wire`.
"""
