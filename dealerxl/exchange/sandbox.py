"""Checking returned files in a child process with a memory and a time limit.

:mod:`.package_check` refuses every way of making a reader allocate too much that is known;
this is the backstop for the ones that are not. A reader written in Rust that cannot get
memory aborts the whole process, which no ``try`` can catch; in a child process that ends
the child only. A child (``python -m dealerxl.exchange.sandbox``) checks files one after
another (it starts once per collection, so a file costs one round trip, not one
process; two children share the files where there are two processors), under a limit on
its address space (where the system has ``resource``: Linux,
macOS) and a limit on the time one file may take. A child that dies or overruns is
replaced, and the file that did it is rejected with the reason; the collection goes on
with the next file. Where no child can be started at all (an embedded Python), files are
checked in the collecting process, behind the package checks alone.

Requests and answers are pickled, each preceded by its length (8 bytes), over the child's
standard input and output; the child sends ``READY`` once it has started.
"""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path

from dealerxl.book import Problem

from .package_check import DEFAULT_LIMITS, Limits

MEMORY_BYTES = 2 << 30  # address space the child may take beyond what it holds once started
SECONDS_PER_FILE = 300
START_SECONDS = 120
READY = b"dealerxl-check-ready"


def _send(stream, value) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(data).to_bytes(8, "little") + data)
    stream.flush()


def _receive(stream):
    size = stream.read(8)
    if len(size) < 8:
        raise EOFError
    data = stream.read(int.from_bytes(size, "little"))
    if len(data) < int.from_bytes(size, "little"):
        raise EOFError
    return pickle.loads(data)


def _limit_memory(extra: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: the time limit still holds
        return
    current = _address_space()
    if current is None:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = current + extra if hard == resource.RLIM_INFINITY else min(current + extra, hard)
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


def serve(requests, answers) -> None:
    """The child: the key, limits and memory first, then each (path, name) checked and
    answered, until None."""
    key, limits, memory = _receive(requests)
    from . import returned  # noqa: F401  (everything a check imports is loaded before the limit is measured)

    _limit_memory(memory)
    answers.write(READY)
    answers.flush()
    while (request := _receive(requests)) is not None:
        path, name = request
        _send(answers, check_safely(path, key, name, limits))


def check_safely(path, key: bytes | None, name: str, limits: Limits):
    """:func:`~dealerxl.exchange.returned.check_file`, with a failure no check foresaw turned
    into the file's problem: a damaged file is a rejected file, never the end of a collection."""
    from .returned import Checked, check_file

    try:
        return check_file(path, key, name=name, limits=limits)
    except Exception as error:
        return Checked(problems=[Problem("exchange.unexpected", file=name,
                                         fields={"error": f"{type(error).__name__}: {error}"})])


class Checker:
    """Checks files in child processes (up to ``workers`` at once, each file in one child);
    use as a context manager, or call :meth:`close`."""

    def __init__(self, key: bytes | None, limits: Limits = DEFAULT_LIMITS, *, memory: int = MEMORY_BYTES,
                 seconds: float = SECONDS_PER_FILE, workers: int = 1):
        self.key, self.limits, self.memory, self.seconds = key, limits, memory, seconds
        self.workers = max(1, workers)
        self.unavailable = False  # no child could be started: files are checked here
        self._idle: list[subprocess.Popen] = []
        self._lock = threading.Lock()

    def __enter__(self) -> "Checker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self) -> subprocess.Popen | None:
        package_root = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
        process = None
        try:
            process = subprocess.Popen([sys.executable, "-m", "dealerxl.exchange.sandbox"],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                       env=env, creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
            _send(process.stdin, (self.key, self.limits, self.memory))
            timer = threading.Timer(START_SECONDS, process.kill)
            timer.start()
            try:
                ready = process.stdout.read(len(READY))
            finally:
                timer.cancel()
        except (OSError, ValueError):
            ready = None
        if ready != READY:
            if process is not None:
                _stop(process)
            self.unavailable = True
            return None
        return process

    def check(self, path: Path, name: str):
        """:func:`~dealerxl.exchange.returned.check_file` of ``path`` in a child; a child that
        dies or takes too long makes the file rejected with the reason (and is replaced)."""
        from .returned import Checked

        with self._lock:
            process = self._idle.pop() if self._idle else None
        if process is None and not self.unavailable:
            process = self._start()
        if process is None:
            return check_safely(path, self.key, name, self.limits)
        late = threading.Event()

        def overrun():
            late.set()
            process.kill()

        timer = threading.Timer(self.seconds, overrun)
        timer.start()
        try:
            _send(process.stdin, (str(path), name))
            answer = _receive(process.stdout)
        except (EOFError, OSError, pickle.UnpicklingError):
            answer = None
        finally:
            timer.cancel()
        if answer is not None:
            with self._lock:
                self._idle.append(process)
            return answer
        code = _stop(process)
        if late.is_set():
            problem = Problem("exchange.check_timeout", file=name, fields={"file": name, "seconds": f"{self.seconds:g}"})
        else:
            problem = Problem("exchange.check_died", file=name,
                              fields={"file": name, "memory": f"{self.memory / (1 << 20):,.0f}", "code": str(code)})
        return Checked(problems=[problem])

    def check_all(self, items: list[tuple[Path, str]]):
        """The check of every (path, name) of ``items``, in their order, ``workers`` files at a time."""
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(self.workers, thread_name_prefix="dealerxl-check") as pool:
            for future in [pool.submit(self.check, path, name) for path, name in items]:
                yield future.result()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for process in idle:
            try:
                _send(process.stdin, None)
                process.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                pass
            _stop(process)


def _stop(process: subprocess.Popen) -> int | None:
    """End the child (killed if it still runs); its exit code."""
    if process.poll() is None:
        process.kill()
    code = process.wait()
    for stream in (process.stdin, process.stdout):
        try:
            stream.close()
        except OSError:
            pass
    return code


def main() -> None:
    # Answers go to the real standard output; anything a library prints goes to stderr, so it
    # can never be taken for an answer.
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    serve(sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()
