"""The four services as real processes: started, waited for, stopped (leaving nothing behind)."""

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

SERVICES = {"registry": 8101, "talks": 8102, "compliance": 8103, "notify": 8104}


@dataclass
class ServiceProcess:
    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, **extra_env: str) -> "ServiceProcess":
        env = {**os.environ, **self.env, f"{self.name.upper()}_PORT": str(self.port), **extra_env}
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.name],
            env=env,
            stdout=open(self.log_path, "a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the supervisor, which stops services in order
        )
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{self.name} not ready after {timeout:.0f}s; see {self.log_path}")

    def stop(self, timeout: float = 20.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def service_processes(env: dict[str, str], log_dir: Path, ports: dict[str, int] | None = None) -> dict[str, ServiceProcess]:
    ports = ports or SERVICES
    # Each service's pages call the others: every one is told where the others are.
    env = {f"{name.upper()}_PUBLIC_URL": f"http://127.0.0.1:{ports[name]}" for name in SERVICES} | env
    return {
        name: ServiceProcess(name, ports[name], env, log_dir / f"{name}.log") for name in SERVICES
    }


def supervise(services: dict[str, "ServiceProcess"], stop: threading.Event, say=print, limit: int = 5, window_s: float = 60.0) -> None:
    """Until `stop` is set: a service that exits is started again, and the operator told so; one that
    exits more than `limit` times within `window_s` is crash-looping, so everything stops with the
    reason (its log names the cause)."""
    exits: dict[str, list[float]] = {}
    while not stop.is_set():
        for service in services.values():
            if service.process is None or service.process.poll() is None:
                continue
            now = time.monotonic()
            recent = [t for t in exits.get(service.name, []) if now - t < window_s] + [now]
            exits[service.name] = recent
            code = service.process.returncode
            if len(recent) > limit:
                say(f"{service.name} exited ({code}) {len(recent)} times within {window_s:.0f} s; stopping everything (see {service.log_path})")
                stop.set()
                return
            say(f"{service.name} exited ({code}); starting it again (see {service.log_path})")
            service.start()
        stop.wait(0.5)
