"""Behind a reverse proxy: X-Forwarded-Proto is believed from QMS_TRUSTED_PROXIES only."""

from __future__ import annotations

import httpx
import pytest

from qms.commands.serve import server_options
from qms.settings import Settings, SettingsError
from tests.e2e.serving import qms_env, serving


def test_trusted_proxies_are_addresses_or_networks() -> None:
    settings = Settings.from_env({"QMS_TRUSTED_PROXIES": " 127.0.0.1, 10.1.2.0/24 ,::1"})
    assert settings.trusted_proxies == ("127.0.0.1", "10.1.2.0/24", "::1")
    assert Settings.from_env({}).trusted_proxies == ()
    with pytest.raises(SettingsError, match=r"QMS_TRUSTED_PROXIES.*'nginx'"):
        Settings.from_env({"QMS_TRUSTED_PROXIES": "127.0.0.1,nginx"})


def test_uvicorn_believes_forwarded_headers_only_from_the_trusted_proxies() -> None:
    nobody = server_options(Settings(), "127.0.0.1", 8000, 2)
    assert nobody["proxy_headers"] is False
    # uvicorn's own default would trust 127.0.0.1; with proxy_headers off it is unused.
    assert "forwarded_allow_ips" not in nobody
    two = server_options(Settings(trusted_proxies=("10.0.0.5", "10.0.0.6")), "0.0.0.0", 80, 1)
    assert two["proxy_headers"] is True
    assert two["forwarded_allow_ips"] == "10.0.0.5,10.0.0.6"
    assert (two["host"], two["port"], two["workers"]) == ("0.0.0.0", 80, 1)


def _session_cookie(base: str) -> str:
    """The session cookie the login page sets, as asked through a proxy on https."""
    answer = httpx.get(f"{base}/login", headers={"X-Forwarded-Proto": "https"})
    assert answer.status_code == 200
    cookies = [c for c in answer.headers.get_list("set-cookie") if c.startswith("qms_session=")]
    assert len(cookies) == 1, answer.headers.get_list("set-cookie")
    return cookies[0]


@pytest.mark.parametrize(
    ("trusted", "https"),
    [("127.0.0.1", True), ("", False), ("10.9.9.9", False)],
    ids=["from-a-trusted-proxy", "no-proxy-trusted", "another-proxy-trusted"],
)
def test_the_app_sees_https_only_through_a_trusted_proxy(
    sqlite_url: str, trusted: str, https: bool
) -> None:
    # On 127.0.0.1 the session cookie is Secure exactly when the request's scheme is https.
    with serving(qms_env(sqlite_url, QMS_TRUSTED_PROXIES=trusted)) as base:
        cookie = _session_cookie(base)
    assert ("; Secure" in cookie) is https, cookie
