"""The client's address and scheme: from X-Forwarded-For/-Proto only when a trusted proxy sent them.

Without UGC_TRUSTED_PROXIES the peer's own address is the client, whatever the headers say,
even for a loopback peer: anyone who can reach the port could otherwise pick the address
that the sign-in and sign-up limits count.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(items: Sequence[str]) -> tuple[Network, ...]:
    """IPs and CIDRs as networks (a bare IP is a network of one)."""
    return tuple(ipaddress.ip_network(item, strict=False) for item in items)


def _is_trusted(networks: tuple[Network, ...], host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)


def forwarded_client(networks: tuple[Network, ...], peer: str, header: str | None) -> str:
    """The nearest address in X-Forwarded-For that is not one of our proxies; else `peer`."""
    if not header or not _is_trusted(networks, peer):
        return peer
    hops = [hop.strip() for hop in header.split(",") if hop.strip()]
    # Read from the right: each trusted proxy appended the address it received from.
    for hop in reversed(hops):
        if not _is_trusted(networks, hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # garbage where an address should be: believe only the peer
    return hops[0] if hops else peer


class TrustedProxyMiddleware:
    """Rewrites the ASGI scope's client (and scheme) for requests relayed by trusted proxies."""

    def __init__(self, app: ASGIApp, trusted_proxies: Sequence[str] = ()) -> None:
        self.app = app
        self.networks = parse_networks(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, with the forwarded client when its peer is trusted."""
        client = scope.get("client")
        relayed = bool(self.networks) and scope["type"] in ("http", "websocket")
        if relayed and client and _is_trusted(self.networks, client[0]):
            headers = Headers(scope=scope)
            host = forwarded_client(self.networks, client[0], headers.get("x-forwarded-for"))
            # In place: the server's access log reads this same scope.
            scope["client"] = (host, client[1] if host == client[0] else 0)
            proto = headers.get("x-forwarded-proto", "").strip().lower()
            if proto in ("http", "https") and scope["type"] == "http":
                scope["scheme"] = proto
        await self.app(scope, receive, send)


def client_address(scope: Scope) -> str:
    """The client's address as the app sees it (after TrustedProxyMiddleware)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"
