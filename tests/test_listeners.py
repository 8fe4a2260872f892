"""The listening sockets of several `ugc serve` processes: one per process, one port."""

from __future__ import annotations

import socket

import pytest

from ugc.listeners import bind_listeners


def test_each_process_gets_a_socket_of_its_own_on_one_port():
    listeners = bind_listeners("127.0.0.1", 0, 3)
    try:
        assert len({sock.fileno() for sock in listeners}) == 3
        assert len({sock.getsockname() for sock in listeners}) == 1
        for sock in listeners:
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
            assert sock.get_inheritable()
    finally:
        for sock in listeners:
            sock.close()


def test_a_second_server_on_a_port_in_use_fails_instead_of_sharing_it():
    first = bind_listeners("127.0.0.1", 0, 2)
    try:
        for sock in first:
            sock.listen()
        port = first[0].getsockname()[1]
        with pytest.raises(OSError):
            bind_listeners("127.0.0.1", port, 2)
    finally:
        for sock in first:
            sock.close()


def test_a_port_taken_by_another_program_fails():
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        with pytest.raises(OSError):
            bind_listeners("127.0.0.1", other.getsockname()[1], 2)
