"""X-Forwarded-For is believed only from UGC_TRUSTED_PROXIES, never from any loopback peer."""

from __future__ import annotations

import httpx
import pytest

from tests.auth.test_lockout import from_address
from tests.live_server import LiveServer
from tests.support import unique_email
from ugc.auth.proxies import forwarded_client, parse_networks
from ugc.config import SettingsError, load_settings

SPRAY = {
    "login_attempts_per_window": 2,
    "login_address_attempts_per_window": 2,
    "login_window_seconds": 60,
}


def test_forwarded_client_reads_from_the_right_past_trusted_hops():
    proxies = parse_networks(["10.0.0.0/8", "192.0.2.1"])
    assert forwarded_client(proxies, "10.1.2.3", "203.0.113.5") == "203.0.113.5"
    # A client can write anything on the left; only the hop our proxy appended counts.
    spoofed = "1.1.1.1, 203.0.113.5, 10.9.9.9"
    assert forwarded_client(proxies, "10.1.2.3", spoofed) == "203.0.113.5"
    assert forwarded_client(proxies, "192.0.2.1", "2001:db8::1") == "2001:db8::1"
    assert forwarded_client(proxies, "10.1.2.3", "not-an-ip") == "10.1.2.3"
    assert forwarded_client(proxies, "127.0.0.1", "203.0.113.5") == "127.0.0.1"
    assert forwarded_client(proxies, "198.51.100.1", "203.0.113.5") == "198.51.100.1"
    assert forwarded_client((), "127.0.0.1", "203.0.113.5") == "127.0.0.1"


def test_trusted_proxies_must_be_addresses_or_networks():
    settings = load_settings(trusted_proxies="10.0.0.0/8, 127.0.0.1 ,::1")
    assert settings.trusted_proxies == ("10.0.0.0/8", "127.0.0.1", "::1")
    with pytest.raises(SettingsError, match="UGC_TRUSTED_PROXIES"):
        load_settings(trusted_proxies="10.0.0.0/8,proxy.internal")


async def _spray(client: httpx.AsyncClient, forwarded: list[str]) -> list[int]:
    """One failed sign-in per forwarded address, each for another account."""
    codes = []
    for address in forwarded:
        response = await client.post(
            "/api/auth/login",
            json={"email": unique_email(), "password": "guess-number-x"},
            headers={"X-Forwarded-For": address},
        )
        codes.append(response.status_code)
    return codes


async def test_forwarded_for_from_an_untrusted_loopback_peer_is_ignored(make_client):
    client = await make_client(**SPRAY)  # no trusted proxies; the test client is 127.0.0.1
    addresses = ["203.0.113.1", "203.0.113.2", "203.0.113.3"]
    assert await _spray(client, addresses) == [401, 401, 429]


async def test_forwarded_for_from_a_trusted_proxy_is_honoured(make_client):
    client = await make_client(**SPRAY, trusted_proxies="10.0.0.0/8")
    async with from_address(client, "10.0.0.5") as proxy:
        assert await _spray(proxy, ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) == [401] * 3
        assert await _spray(proxy, ["203.0.113.9"] * 3) == [401, 401, 429]
        response = await proxy.post(
            "/api/auth/signup",
            json={"email": unique_email(), "password": "lantern orbit pickle"},
            headers={"X-Forwarded-Proto": "https"},
        )
        assert "secure" in response.headers["set-cookie"].lower()
    async with from_address(client, "198.51.100.3") as outsider:  # not a proxy of ours
        assert await _spray(outsider, ["203.0.113.21", "203.0.113.22", "203.0.113.23"]) == [
            401,
            401,
            429,
        ]


@pytest.mark.xdist_group("cli")
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_ugc_serve_ignores_forwarded_for_from_loopback(settings_factory, tmp_path):
    with LiveServer(settings_factory(**SPRAY), tmp_path / "serve.log") as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            codes = await _spray(client, ["203.0.113.1", "203.0.113.2", "203.0.113.3"])
    assert codes == [401, 401, 429]
