"""Shared by the benchmark scripts: one thread per numeric library, timing, and the machine."""

from __future__ import annotations

import os

# One core: numeric libraries must not start thread pools (set before numpy is imported).
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import mesa
import numba
import numpy as np
import scipy

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))


def load() -> str:
    """The machine's load averages (1, 5, 15 minutes), to print beside every figure."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def machine() -> str:
    """CPU model, cores, memory, Python and library versions."""
    cpu = platform.processor() or "unknown CPU"
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        cpu = next(
            line.split(":", 1)[1].strip() for line in lscpu.splitlines() if "Model name" in line
        )
    except (OSError, subprocess.CalledProcessError, StopIteration):
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem_gib:.0f} GiB; Python {platform.python_version()}, "
        f"numpy {np.__version__}, numba {numba.__version__}, scipy {scipy.__version__}, "
        f"mesa {mesa.__version__}"
    )


def timed(fn: Callable[[], object]) -> float:
    """CPU seconds of this process that one call of ``fn`` takes.

    CPU time, not wall time: the machine is shared, and a single-threaded step's CPU time does
    not count the time other processes held the core (it still feels their use of the caches).
    """
    start = time.process_time()
    fn()
    return time.process_time() - start


def header(title: str) -> None:
    """Print what is measured, where and under what load."""
    print(f"# {title}")
    print(f"# {machine()}")
    print(f"# {load()}")
