"""The malloc fix for Dask workers acts only where Dask's environment pinned the mmap threshold."""

import os
import subprocess
import sys

import pytest

CALL = (
    "from outlast.experiments.allocator import keep_large_blocks_on_the_heap as k; print(k(), k())"
)


def raised_in_a_process_with(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    result = subprocess.run(
        [sys.executable, "-c", CALL], env={**clean, **env}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_raised_under_dasks_trim_threshold_only():
    assert raised_in_a_process_with(MALLOC_TRIM_THRESHOLD_="65536") == "True True"
    assert raised_in_a_process_with() == "False False"
    both = {"MALLOC_TRIM_THRESHOLD_": "65536", "MALLOC_MMAP_THRESHOLD_": "1048576"}
    assert raised_in_a_process_with(**both) == "False False"
