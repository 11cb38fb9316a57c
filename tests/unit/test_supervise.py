"""`make run` starts a service that dies again, and stops everything when one keeps dying. Real
processes (a Python that exits at once stands in for a crashing service)."""

import sys
import threading
from pathlib import Path

import pytest

from devstack.processes import ServiceProcess, supervise

pytestmark = pytest.mark.unit


class Crashing(ServiceProcess):
    def start(self, **extra_env: str) -> "ServiceProcess":
        import subprocess

        self.starts = getattr(self, "starts", 0) + 1
        self.process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
        return self


def test_a_dead_service_is_started_again_and_a_crash_loop_stops_everything(tmp_path: Path):
    service = Crashing("compliance", 0, {}, tmp_path / "compliance.log").start()
    said: list[str] = []
    stop = threading.Event()
    worker = threading.Thread(target=supervise, args=({"compliance": service}, stop, said.append), kwargs={"limit": 2, "window_s": 60})
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive() and stop.is_set()
    assert service.starts == 3  # the first start, then two restarts; the third exit within the minute stops it
    assert said[0].startswith("compliance exited (3); starting it again") and "3 times within 60 s; stopping everything" in said[-1]
