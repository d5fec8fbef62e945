"""Checking returned files in a child process with a memory and a time limit.

:mod:`.package_check` refuses every way of making a reader allocate too much that is known;
this is the backstop for the ones that are not. A reader written in Rust that cannot get
memory aborts the whole process, which no ``try`` can catch; in a child process that ends
the child only. One child checks the files one after another (it starts once per
collection, so a file costs one round trip, not one process), under a limit on its
address space (where the system has ``resource``: Linux, macOS) and a limit on the time
one file may take. A child that dies or overruns is replaced, and the file that did it is
rejected with the reason; the collection goes on with the next file.
"""
from __future__ import annotations

import multiprocessing
from pathlib import Path

from dealerxl.book import Problem

from .package_check import DEFAULT_LIMITS, Limits

MEMORY_BYTES = 2 << 30  # address space the child may take beyond what it holds once started
SECONDS_PER_FILE = 300


def _context():
    # forkserver: children fork from a clean server process (no threads, no open store);
    # spawn where there is no forkserver (Windows)
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _limit_memory(extra: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: the time limit still holds
        return
    current = _address_space()
    if current is None:
        return
    limit = current + extra
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _address_space() -> int | None:
    """This process's virtual memory size in bytes (Linux), or None where it cannot be read."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _serve(connection, key: bytes | None, limits: Limits, memory: int) -> None:
    """The child: check each (path, name) received and send the result back, until None."""
    from .returned import Checked, check_file

    _limit_memory(memory)
    while True:
        request = connection.recv()
        if request is None:
            return
        path, name = request
        try:
            result = check_file(path, key, name=name, limits=limits)
        except Exception as error:  # a damaged file no check foresaw: rejected, the child lives on
            result = Checked(problems=[Problem("exchange.unexpected", file=name,
                                               fields={"error": f"{type(error).__name__}: {error}"})])
        connection.send(result)


class Checker:
    """Checks files in a child process; use as a context manager, or call :meth:`close`."""

    def __init__(self, key: bytes | None, limits: Limits = DEFAULT_LIMITS, *, memory: int = MEMORY_BYTES,
                 seconds: float = SECONDS_PER_FILE):
        self.key, self.limits, self.memory, self.seconds = key, limits, memory, seconds
        self.process = self.connection = None

    def __enter__(self) -> "Checker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self) -> None:
        context = _context()
        ours, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs, self.key, self.limits, self.memory),
                                       name="dealerxl-check", daemon=True)
        self.process.start()
        theirs.close()
        self.connection = ours

    def check(self, path: Path, name: str):
        """:func:`~dealerxl.exchange.returned.check_file` of ``path`` in the child; a child
        that dies or takes too long makes the file rejected with the reason."""
        from .returned import Checked

        if self.process is None or not self.process.is_alive():
            self._start()
        try:
            self.connection.send((str(path), name))
            if self.connection.poll(self.seconds):
                return self.connection.recv()
            problem = Problem("exchange.check_timeout", file=name, fields={"file": name, "seconds": f"{self.seconds:g}"})
        except (EOFError, OSError):
            self.process.join(5)
            problem = Problem("exchange.check_died", file=name,
                              fields={"file": name, "memory": f"{self.memory / (1 << 20):,.0f}",
                                      "code": str(self.process.exitcode)})
        self._stop()
        return Checked(problems=[problem])

    def _stop(self) -> None:
        if self.process is not None:
            if self.process.is_alive():
                self.process.kill()
            self.process.join(5)
            self.process.close()
        if self.connection is not None:
            self.connection.close()
        self.process = self.connection = None

    def close(self) -> None:
        if self.process is not None and self.process.is_alive():
            try:
                self.connection.send(None)
                self.process.join(5)
            except (OSError, EOFError):
                pass
        self._stop()
