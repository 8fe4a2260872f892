"""Which process holds which TCP socket of a port, read from /proc (Linux)."""

from __future__ import annotations

from pathlib import Path

LISTEN, ESTABLISHED = "0A", "01"


def _inodes(port: int, state: str) -> set[str]:
    """Inodes of the IPv4 sockets on local `port` in `state`."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rpartition(":")[2], 16) == port and fields[3] == state:
            found.add(fields[9])
    return found


def sockets_of(pid: int, port: int, state: str) -> set[str]:
    """Inodes of process `pid`'s sockets on local `port` in `state` (LISTEN, ESTABLISHED)."""
    wanted = _inodes(port, state)
    held = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().name
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:[") and target[8:-1] in wanted:
            held.add(target[8:-1])
    return held
