"""HTTP side of `make bench`: start gunicorn (the platform, 2 workers) and the physical-ceiling
server, drive them with wrk on loopback, read the workers' memory."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "bench" / "var"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answers on 127.0.0.1:{port}")


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                return
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def _env(db_url: str, list_sql: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": db_url,
            "BENCH_DATABASE_URL": db_url,
            "BENCH_LIST_SQL": str(list_sql),
            "DJANGO_SETTINGS_MODULE": "bench.peers.settings",
            "PYTHONPATH": f"{ROOT}:{ROOT / 'src'}",
            "INFOGOV_LOG_LEVEL": "ERROR",
        }
    )
    return env


def start_gunicorn(db_url: str, list_sql: Path, workers: int = 2) -> Server:
    """The platform as deploy/gunicorn.conf.py runs it (sync workers, persistent connections), with
    2 workers, no access log and no worker recycling (so that the memory read after the run is
    what the workers grew to)."""
    port = free_port()
    VAR.mkdir(parents=True, exist_ok=True)
    log = open(VAR / "gunicorn.log", "w")  # noqa: SIM115
    cmd = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "-c",
        str(ROOT / "deploy" / "gunicorn.conf.py"),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--access-logfile",
        "/dev/null",
        "--max-requests",
        "0",
        "--log-level",
        "warning",
        "infogov.wsgi:application",
    ]
    if not Path(cmd[0]).exists():
        cmd[0] = str(Path(sys.executable).parent / "gunicorn")
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=_env(db_url, list_sql),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_port(port)
    return Server("gunicorn", port, proc)


def start_physical(db_url: str, list_sql: Path, procs: int = 2) -> Server:
    port = free_port()
    log = open(VAR / "physical.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "peers" / "physical.py"), str(port), str(procs)],
        cwd=ROOT,
        env=_env(db_url, list_sql),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_port(port)
    return Server("physical", port, proc)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError(text)
    return float(m.group(1)) * _UNITS[m.group(2)]


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    requests: int
    errors: int
    non_2xx: int
    connections: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {k: round(v, 2) if isinstance(v, float) else v for k, v in self.__dict__.items()}


def wrk(
    url: str,
    *,
    connections: int = 16,
    seconds: float = 10.0,
    threads: int = 2,
    headers: dict[str, str] | None = None,
    script: Path | None = None,
    warmup: float = 2.0,
) -> WrkResult:
    """wrk on loopback; a short warm-up run first (connections, caches, lazy imports)."""
    base = ["wrk", f"-t{min(threads, connections)}", f"-c{connections}", "--latency", "--timeout", "10s"]
    for k, v in (headers or {}).items():
        base += ["-H", f"{k}: {v}"]
    if script is not None:
        base += ["-s", str(script)]
    if warmup:
        subprocess.run(
            [*base, f"-d{max(1, round(warmup))}s", url], capture_output=True, text=True, check=True
        )
    out = subprocess.run(
        [*base, f"-d{max(1, round(seconds))}s", url], capture_output=True, text=True, check=True
    ).stdout
    (VAR / "wrk-last.txt").write_text(out)
    lat = dict(re.findall(r"^\s*(50|75|90|99)%\s+([\d.]+(?:us|ms|s|m))\s*$", out, re.M))
    if "50" not in lat:
        raise RuntimeError(f"wrk gave no latency figures for {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return WrkResult(
        rps=rps,
        p50_ms=_ms(lat["50"]),
        p90_ms=_ms(lat["90"]),
        p99_ms=_ms(lat["99"]),
        requests=total,
        errors=errors,
        non_2xx=int(non2xx.group(1)) if non2xx else 0,
        connections=connections,
        seconds=seconds,
    )


def paths_script(name: str, paths: list[str], headers: dict[str, str]) -> Path:
    """A wrk Lua script that requests the paths in turn (each connection from its own offset)."""
    VAR.mkdir(parents=True, exist_ok=True)
    items = ",".join(f'"{p}"' for p in paths)
    hdrs = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items())
    script = VAR / f"{name}.lua"
    script.write_text(
        f"local paths = {{{items}}}\n{hdrs}\nlocal i = 0\n"
        "function setup(thread) i = i + 7 thread:set('offset', i) end\n"
        "function init(args) n = tonumber(wrk.thread:get('offset')) or 0 end\n"
        "function request() n = n + 1 return wrk.format('GET', paths[(n % #paths) + 1]) end\n",
        encoding="utf-8",
    )
    return script


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def client_times(client: Any, path: str, runs: int, *, warm: int = 0) -> list[float]:
    """In-process timing (Django's test client, no HTTP server): `warm` requests of `path` untimed
    (content types, the scope cache, the menu count, compiled SQL), then `runs` timed, each one's
    milliseconds; every answer must be a 200."""
    for _ in range(warm):
        assert client.get(path).status_code == 200
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    return times
