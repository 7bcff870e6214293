"""The AWS emulator server: a local moto that tfgen starts, finds again, and stops.

`tfgen emulator start` runs moto's server (moto[server], the
`tfgen-ml[emulator]` extra) from tfgen's own Python on 127.0.0.1, on a free
port, detached, and records it in a state file (0600):

    $TFGEN_STATE_DIR/emulator.json       when TFGEN_STATE_DIR is set
    ~/.cache/tfgen/emulator.json         otherwise ($XDG_CACHE_HOME respected)

The record is enough to prove later that a pid is still that process: its
pid, its start time as the OS reports it (a reused pid has another), its
port, and a random token also put in its environment. `stop` signals only a
process proved that way (through a pidfd on Linux, so the pid cannot be
reused in between), and commands that use it check that the port answers
as moto. A state file that is corrupt is rebuilt from the running emulator
started for it (found by its environment), or removed when there is none;
start, stop and status take a lock so two `start`s cannot start two servers.

moto keeps everything in memory, so the emulated cloud lives as long as the
server: later tfgen commands find it through the state file; `stop` ends it
and its contents. How terraform is pointed at it: emulator_overrides.py.
"""

from __future__ import annotations

import fcntl
import importlib.util
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import DISTRIBUTION
from ..errors import ToolError, WriteError
from .plans import STATE_DIR_ENV, write_private

HOST = "127.0.0.1"
SERVER_MODULE = "generator.runners.moto_serial"  # moto.server, one request at a time (see that module)
START_TIMEOUT = 30.0  # seconds for moto to answer after start
STOP_TIMEOUT = 10.0
INSTALL_HINT = f"pip install '{DISTRIBUTION}[emulator]'"


@dataclass(frozen=True)
class Emulator:
    """The moto server tfgen started, recorded so that it can be proved to be that process later."""

    pid: int
    port: int
    started: str  # the process's start time as the OS reports it (Linux: "<boot id>:<clock ticks>")
    token: str  # random; also in the process's environment (TOKEN_ENV)
    host: str = HOST

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def identity(self) -> str:
        """Changes when the server is restarted (and its contents are gone)."""
        return f"{self.pid}.{self.started}@{self.url}"


# Set in the environment of the moto process tfgen starts: its token, and the
# state file it was started for (how a lost or corrupt state file is recovered).
TOKEN_ENV = "TFGEN_EMULATOR_TOKEN"
STATE_ENV = "TFGEN_EMULATOR_STATE"


# -- lifecycle -----------------------------------------------------------------


def state_dir() -> Path:
    configured = os.environ.get(STATE_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "tfgen"


def state_file() -> Path:
    return state_dir() / "emulator.json"


def log_file() -> Path:
    return state_dir() / "emulator.log"


def status() -> Emulator | None:
    """The emulator this state dir started, if it still runs (proved, not assumed); else None.

    A state file naming a process that is gone, or a pid now used by another
    process, is removed. A corrupt state file is rebuilt from the running
    emulator started for it, when there is one, else removed.
    """
    with _state_lock():
        return _current()


def answers(emulator: Emulator, attempts: int = 3) -> bool:
    """True when the server answers HTTP as moto (a busy moto can be slow: a few tries)."""
    for attempt in range(attempts):
        if attempt:
            time.sleep(0.5)
        if _answers(emulator.url):
            return True
    return False


def start(timeout: float = START_TIMEOUT) -> tuple[Emulator, bool]:
    """Start the emulator unless it runs; (emulator, True when it was already running)."""
    with _state_lock():
        running = _current()
        if running is not None:
            return running, True
        _require_moto_server()
        folder = state_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            log = open(log_file(), "wb")  # noqa: SIM115 - handed to the child
        except OSError as exc:
            raise WriteError(f"cannot write the emulator's files in {folder}: {exc.strerror or exc}") from None
        with log:
            for _attempt in range(3):  # another program may take the free port before moto binds it
                port = _free_port()
                token = secrets.token_hex(16)
                env = dict(os.environ, MOTO_PORT=str(port), **{TOKEN_ENV: token, STATE_ENV: _state_mark()})
                try:
                    proc = subprocess.Popen(
                        [sys.executable, "-m", SERVER_MODULE, "-H", HOST, "-p", str(port)],
                        stdin=subprocess.DEVNULL,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        env=env,
                        start_new_session=True,  # outlives this command; Ctrl-C here does not stop it
                    )
                except OSError as exc:
                    raise ToolError(f"cannot start the emulator: {exc.strerror or exc}") from None
                started = _process_start(proc.pid)
                if started is not None and _wait_until_answering(proc, f"http://{HOST}:{port}", timeout):
                    emulator = Emulator(proc.pid, port, started, token)
                    _write_state(emulator)
                    return emulator, False
                if proc.poll() is None:
                    proc.kill()
                proc.wait()
        raise ToolError(f"the emulator did not start within {timeout:.0f} s; see {log_file()}")


def stop() -> Emulator | None:
    """Stop the emulator; the one stopped, or None when none was running.

    Only a process proved to be the one tfgen started (same pid, same start
    time, and our token in its environment where the OS shows it) is
    signalled; anything else is left alone and the state file is removed.
    """
    with _state_lock():
        running = _current()
        if running is not None:
            _terminate(running)
        state_file().unlink(missing_ok=True)
        return running


def require_running() -> Emulator:
    running = status()
    if running is None:
        raise ToolError("the AWS emulator is not running: start it with `tfgen emulator start`")  # exit 3
    if not answers(running):
        raise ToolError(
            f"the AWS emulator (pid {running.pid}) does not answer on {running.url}: "
            "restart it with `tfgen emulator stop` then `tfgen emulator start`"
        )
    return running


def _current() -> Emulator | None:
    """`status()` without the lock."""
    recorded, corrupt = _read_state()
    if corrupt:
        recorded = _recover()
        if recorded is not None:
            _write_state(recorded)
            return recorded
    if recorded is not None and _is_ours(recorded):
        return recorded
    state_file().unlink(missing_ok=True)
    return None


def _terminate(emulator: Emulator) -> None:
    """SIGTERM, then SIGKILL after STOP_TIMEOUT; through a pidfd where there is one (no pid-reuse race)."""
    pidfd = None
    if hasattr(os, "pidfd_open"):
        try:
            pidfd = os.pidfd_open(emulator.pid)
        except OSError:
            return  # gone already
    try:
        if not _is_ours(emulator):  # checked after the pidfd pins the process
            return
        _signal(emulator.pid, pidfd, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while _alive(emulator.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(emulator.pid) and (pidfd is not None or _is_ours(emulator)):
            _signal(emulator.pid, pidfd, signal.SIGKILL)
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _signal(pid: int, pidfd: int | None, signum: int) -> None:
    try:
        if pidfd is not None:
            signal.pidfd_send_signal(pidfd, signum)
        else:
            os.kill(pid, signum)
    except ProcessLookupError:
        pass


# -- helpers -------------------------------------------------------------------


def _require_moto_server() -> None:
    if importlib.util.find_spec("moto") is None or importlib.util.find_spec("flask") is None:
        raise ToolError(f"the AWS emulator needs moto's server, which is not installed: {INSTALL_HINT}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/moto-api/", timeout=2) as response:  # noqa: S310 - tfgen's own http://127.0.0.1 URL
            return response.status == 200
    except (OSError, urllib.error.URLError, ValueError):
        return False


def _wait_until_answering(proc: subprocess.Popen, url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if _answers(url):
            return True
        time.sleep(0.2)
    return False


def _alive(pid: int) -> bool:
    try:
        # Reap it first if it is our own child (tests start it in-process): a zombie still "exists".
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _process_start(pid: int) -> str | None:
    """When the process started, as the OS says (None when it cannot say: then nothing is proved)."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        boot = Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
        # fields after "(comm)": state is field 3, starttime field 22 (man 5 proc)
        return f"{boot}:{stat_line.rsplit(')', 1)[1].split()[19]}"
    except (OSError, IndexError):
        pass
    if Path("/proc/self/stat").exists():
        return None  # Linux, and the process is gone
    try:  # other Unixes
        done = subprocess.run(
            ["ps", "-o", "lstart=", "-p", str(pid)], check=False, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def _environment_of(pid: int) -> dict[str, str] | None:
    """The process's environment, where the OS shows it (Linux, same user); else None."""
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return None
    pairs = (item.split(b"=", 1) for item in raw.split(b"\0") if b"=" in item)
    return {key.decode(errors="replace"): value.decode(errors="replace") for key, value in pairs}


def _is_ours(emulator: Emulator) -> bool:
    """Proof that `emulator.pid` is the process tfgen started: alive, same start time, our token."""
    if not _alive(emulator.pid):
        return False
    started = _process_start(emulator.pid)
    if started is None or started != emulator.started:
        return False
    environment = _environment_of(emulator.pid)
    return environment is None or environment.get(TOKEN_ENV) == emulator.token


def _state_mark() -> str:
    return str(state_file().resolve())


def _recover() -> Emulator | None:
    """The emulator started for this state file, found by its environment (Linux), when the file is corrupt."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        environment = _environment_of(pid)
        if not environment or environment.get(STATE_ENV) != _state_mark() or TOKEN_ENV not in environment:
            continue
        try:
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
            port = int(argv[argv.index("-p") + 1])
        except (OSError, ValueError, IndexError):
            continue
        started = _process_start(pid)
        if SERVER_MODULE in argv and started is not None:
            found.append(Emulator(pid, port, started, environment[TOKEN_ENV]))
    return found[0] if len(found) == 1 else None


def _read_state() -> tuple[Emulator | None, bool]:
    """(the recorded emulator or None, whether a state file exists but cannot be used)."""
    try:
        text = state_file().read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, False
    except OSError:
        return None, True
    try:
        data = json.loads(text)
        return Emulator(
            pid=int(data["pid"]),
            port=int(data["port"]),
            started=str(data["started"]),
            token=str(data["token"]),
            host=str(data.get("host", HOST)),
        ), False
    except (ValueError, KeyError, TypeError, AttributeError):
        return None, True


def _write_state(emulator: Emulator) -> None:
    write_private(state_file(), json.dumps(asdict(emulator), indent=2) + "\n")


@contextmanager
def _state_lock():
    """One start/stop/status at a time per state dir (two `start`s at once would start two servers)."""
    folder = state_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / "emulator.lock", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise WriteError(f"cannot write the emulator's files in {folder}: {exc.strerror or exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
