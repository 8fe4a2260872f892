"""Where webhooks may go: public https URLs only, unless the operator allows more."""

from __future__ import annotations

import pytest

from ugc.webhooks.addresses import UnsafeDestination, resolve_destination


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://localhost/hook",  # a name that resolves to loopback
        "https://192.168.1.20:8443/hook",
        "https://[fd00:ec2::254]/hook",
        "https://0.0.0.0/hook",
    ],
)
async def test_private_and_local_destinations_are_refused(url: str) -> None:
    with pytest.raises(UnsafeDestination) as refused:
        await resolve_destination(url, allow_private=False, allow_http=False)
    assert refused.value.code == "webhook_url_refused"
    assert "private or local" in refused.value.detail


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://93.184.215.14/hook", "https://"),
        ("ftp://93.184.215.14/hook", "https://"),
        ("https:///nohost", "host name"),
        ("https://user:pw@93.184.215.14/", "user name"),
        ("https://93.184.215.14:99999/", "port"),
        ("https://no-such-host.invalid/hook", "could not be found"),
    ],
)
async def test_malformed_urls_get_a_sentence(url: str, reason: str) -> None:
    with pytest.raises(UnsafeDestination) as refused:
        await resolve_destination(url, allow_private=False, allow_http=False)
    assert reason in refused.value.detail


async def test_a_public_address_is_accepted_and_pinned() -> None:
    destination = await resolve_destination(
        "https://93.184.215.14:8443/hooks?x=1", allow_private=False, allow_http=False
    )
    assert str(destination.address) == "93.184.215.14"
    assert (destination.scheme, destination.port) == ("https", 8443)


async def test_the_operator_switches_allow_local_http() -> None:
    destination = await resolve_destination(
        "http://localhost:9/hook", allow_private=True, allow_http=True
    )
    assert destination.address.is_loopback
