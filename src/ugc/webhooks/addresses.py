"""Where a webhook may be sent: public addresses only, checked when it is sent (SSRF).

A URL is checked at registration for a clear error, and again at every delivery: a name
may resolve elsewhere later (DNS rebinding), so the delivery connects to the very address
that was checked.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from ugc.errors import InvalidInput

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_URL = 2000


class UnsafeDestination(InvalidInput):
    """The URL is not one a webhook may be sent to."""

    code = "webhook_url_refused"


@dataclass(frozen=True, slots=True)
class Destination:
    """A checked URL and the address to connect to."""

    url: str
    scheme: str
    host: str
    port: int
    address: IPAddress


def is_public(address: IPAddress) -> bool:
    """False for loopback, private, link-local (cloud metadata), multicast and reserved."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_public(address.ipv4_mapped)
    return not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def check_url_form(url: str, *, allow_http: bool) -> tuple[str, str, int]:
    """(scheme, host, port) of an acceptable webhook URL, or UnsafeDestination."""
    if len(url) > MAX_URL:
        raise UnsafeDestination(f"The URL can be at most {MAX_URL} characters.")
    parts = urlsplit(url.strip())
    allowed = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in allowed:
        raise UnsafeDestination("Webhook URLs must start with https://.")
    if not parts.hostname:
        raise UnsafeDestination("The webhook URL needs a host name.")
    if parts.username or parts.password:
        raise UnsafeDestination("Put no user name or password in the webhook URL.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeDestination("The webhook URL's port is not a number from 1 to 65535.") from exc
    return parts.scheme, parts.hostname, port


async def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise UnsafeDestination(f"The webhook host {host!r} could not be found.") from exc
    return [ipaddress.ip_address(info[4][0]) for info in infos]


async def resolve_destination(url: str, *, allow_private: bool, allow_http: bool) -> Destination:
    """Resolve and check a webhook URL; every address the name has must be public."""
    scheme, host, port = check_url_form(url, allow_http=allow_http)
    addresses = await _resolve(host, port)
    if not addresses:
        raise UnsafeDestination(f"The webhook host {host!r} has no address.")
    if not allow_private:
        refused = [a for a in addresses if not is_public(a)]
        if refused:
            raise UnsafeDestination(
                f"The webhook host {host!r} resolves to {refused[0]}, a private or local "
                "address; webhooks go to public addresses only."
            )
    return Destination(url=url.strip(), scheme=scheme, host=host, port=port, address=addresses[0])
