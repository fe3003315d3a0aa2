"""XSRF stays on for cookie-authenticated requests (token requests are exempt)."""

from __future__ import annotations

import json


async def test_xsrf_protects_cookie_authenticated_writes(jp_fetch):
    # Given a login cookie, obtained the way a browser gets it (a token-authenticated visit)
    first = await jp_fetch("mlops", "api", "projects")
    login = [c.split(";", 1)[0] for c in first.headers.get_list("Set-Cookie")
             if c.startswith("username-")]
    assert login, "the token-authenticated visit sets the login cookie"
    cookie_only = {"Authorization": "", "Cookie": login[0]}
    body = json.dumps({"name": "via cookie"})
    # When a write carries the cookie but no XSRF token (what a cross-site form would send)
    refused = await jp_fetch("mlops", "api", "projects", method="POST", body=body,
                             headers=cookie_only, raise_error=False)
    # Then it is refused, and nothing is written
    assert refused.code == 403
    # While the same write with the XSRF cookie echoed in the header goes through
    with_xsrf = {**cookie_only, "Cookie": f"{login[0]}; _xsrf=k3y", "X-XSRFToken": "k3y"}
    accepted = await jp_fetch("mlops", "api", "projects", method="POST", body=body,
                              headers=with_xsrf, raise_error=False)
    assert accepted.code == 201, accepted.body
    names = [p["name"] for p in json.loads((await jp_fetch("mlops", "api", "projects")).body)[
        "projects"]]
    assert names == ["via cookie"]
