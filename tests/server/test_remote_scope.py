"""What a server tracking URI offers, and a clear error for what it does not."""

from __future__ import annotations

import pytest

import mlops_jupyter as mj


def test_registry_calls_through_a_server_uri_say_how_to_reach_them(remote_tracking_uri):
    client = mj.Client(remote_tracking_uri)
    try:
        it = client.start_iteration("p", "e")
        with pytest.raises(mj.InvalidInput) as err:
            client.promote("m", 1)
        assert "server tracking URI" in str(err.value) and "mlops/api" in str(err.value)
        it.end()  # iteration rules are the server's to evaluate: no error here
    finally:
        client.close()
