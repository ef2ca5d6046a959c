"""Children die with their parent (issue 21 §10): after a SIGKILL of `build -j 2`,
no pool worker or render child is left running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BODY = "Le gouvernement a présenté mardi un projet de loi sur la sécurité des données.\n"


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The fields after the command name (which may hold spaces): state, ppid.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_pool_workers_die_with_a_killed_build(tmp_path: Path) -> None:
    sources = []
    for index in range(8):
        path = tmp_path / f"a{index}.txt"
        path.write_text(f"Titre {index}\n\n" + BODY * 40, encoding="utf-8")
        sources.append(str(path))
    (tmp_path / "config.yaml").write_text("language: fr\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "pipeline", "build", *sources, "-j", "2", "-f", "pdf"]
    argv += ["-o", str(tmp_path / "out"), "-c", str(tmp_path / "config.yaml")]
    build = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        workers: set[int] = set()
        deadline = time.monotonic() + 120
        while len(workers) < 2 and build.poll() is None and time.monotonic() < deadline:
            workers |= children_of(build.pid)
            time.sleep(0.05)
        if len(workers) < 2:
            pytest.skip("the build ended before its pool started")
        build.send_signal(signal.SIGKILL)
        build.wait()
        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in workers if alive(pid)]
    finally:
        if build.poll() is None:
            build.kill()
            build.wait()
