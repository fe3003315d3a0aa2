"""A real IPython shell with the extension loaded; errors re-raise in tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import CapturedIO, capture_output

from mlops_jupyter.magics import load_ipython_extension, unload_ipython_extension


class Shell:
    """Drives an ``InteractiveShell`` like a notebook would, one cell at a time."""

    def __init__(self, ip: InteractiveShell):
        self.ip = ip

    @property
    def ns(self) -> dict:
        return self.ip.user_ns

    def run(self, cell: str, *, raises: bool = True):
        """Run a cell (stored in history, like a notebook); re-raise its error."""
        result = self.ip.run_cell(cell, store_history=True)
        if raises:
            result.raise_error()
        return result

    def capture(self, cell: str, *, raises: bool = True) -> tuple[object, CapturedIO]:
        with capture_output() as io:
            result = self.run(cell, raises=raises)
        return result, io


@pytest.fixture
def shell(mlops_home) -> Iterator[Shell]:
    ip = InteractiveShell.instance()
    ip.reset(new_session=True)
    ip.run_line_magic("load_ext", "mlops_jupyter")
    load_ipython_extension(ip)  # fresh settings per test (the same as a new kernel)
    yield Shell(ip)
    ip.reset(new_session=True)
    unload_ipython_extension(ip)


@pytest.fixture
def client():
    from mlops_jupyter.tracking import fluent

    return fluent.get_client()


def last_iteration(client, **scope):
    """The newest iteration (flushed) with its params and latest metrics."""
    client.flush()
    result = client.search(sort="-number", limit=1, **scope)
    assert result.iterations, "no iteration recorded"
    it = result.iterations[0]
    return it, result.params.get(it.id, {}), result.metrics.get(it.id, {})
