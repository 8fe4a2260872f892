"""Several `ugc serve` processes, each accepting on a listening socket of its own.

uvicorn's supervisor hands one listening socket to every process. Each process that wakes up
for it accepts every connection waiting, so a burst of keep-alive connections (a load
balancer's pool, a benchmark's 50 clients) can land mostly on one process while the other
idles: 39 of 50, 40 of 50 and 50 of 50 were seen under wrk, and that process's requests wait
twice as long. Here each process listens on its own socket bound with SO_REUSEPORT, and the
kernel spreads the connections over the sockets by their addresses' hash.
"""

from __future__ import annotations

import logging
import socket
import sys

from uvicorn.config import STARTUP_FAILURE, Config
from uvicorn.supervisors.multiprocess import Multiprocess, Process

log = logging.getLogger(__name__)


def bind_listeners(host: str, port: int, count: int) -> list[socket.socket]:
    """`count` sockets bound to host:port with SO_REUSEPORT (listened on by the processes)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # SO_REUSEPORT would let a second `ugc serve` of the same user join this one on its port
    # without a word: a first bind without it fails, as uvicorn's does, when the port is taken.
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        port = probe.getsockname()[1]  # port 0: the one the kernel chose, for every socket
    listeners = []
    for _ in range(count):
        sock = socket.socket(family)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.set_inheritable(True)
        listeners.append(sock)
    return listeners


class SocketPerProcess(Multiprocess):
    """uvicorn's supervisor (restarts, health checks, SIGHUP), one socket per process.

    A process that dies keeps its socket open here: connections the kernel gives that socket
    wait in its backlog until the replacement starts accepting, and none is refused.
    """

    def __init__(self, config: Config, listeners: list[socket.socket]) -> None:
        super().__init__(config, listeners)
        self.processes_num = len(listeners)

    def _start(self, slot: int) -> Process:
        process = Process(self.config, [self.sockets[slot]])
        process.start()
        return process

    def init_processes(self) -> None:
        """One process per socket."""
        self.processes = [self._start(slot) for slot in range(len(self.sockets))]

    def keep_subprocess_alive(self) -> None:
        """Replace a dead or hung process by a new one on the same socket."""
        for slot, process in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            process.kill()
            process.join()
            if process.exitcode == STARTUP_FAILURE:
                # Broken before it served (the app, the database URL...): every restart
                # would fail the same way.
                log.error("server process %s failed to start; stopping", process.pid)
                self.should_exit.set()
                return
            log.info("server process %s died; starting another", process.pid)
            self.processes[slot] = self._start(slot)

    def restart_all(self) -> None:
        """SIGHUP: replace each process, its successor accepting on its socket first."""
        for slot, old in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            new = self._start(slot)
            if not new.wait_until_ready(self.config.timeout_worker_healthcheck, self.should_exit):
                new.kill()
                new.join()
                log.error("new server process %s not ready in time; restart aborted", new.pid)
                return
            old.terminate()
            old.join()
            self.processes[slot] = new

    def handle_ttin(self) -> None:
        """The number of processes is UGC_WEB_PROCESSES, one per socket."""
        log.info("SIGTTIN ignored: set UGC_WEB_PROCESSES and restart to change the processes")

    def handle_ttou(self) -> None:
        """A socket without its process would hold its connections unanswered."""
        log.info("SIGTTOU ignored: set UGC_WEB_PROCESSES and restart to change the processes")


def serve_processes(config: Config) -> None:
    """Run `config.workers` server processes on config.host:config.port until stopped."""
    try:
        listeners = bind_listeners(config.host, config.port, config.workers)
    except OSError as exc:
        log.error("cannot listen on %s:%s: %s", config.host, config.port, exc)
        sys.exit(STARTUP_FAILURE)
    try:
        SocketPerProcess(config, listeners).run()
    finally:
        for sock in listeners:
            sock.close()
