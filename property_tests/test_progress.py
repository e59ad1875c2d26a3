"""Progress on a terminal only: rate and ETA under a pseudo-terminal, nothing when piped or with --json."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys

from conftest import ROOT, run_cli


def _on_a_terminal(*args: str, cwd) -> tuple[int, str, str]:
    """``boundcheck ARGS`` with stderr on a pseudo-terminal (stdout piped): (exit code, stdout, stderr)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "boundcheck", *args], stdout=subprocess.PIPE, stderr=slave,
                            cwd=cwd, env={**os.environ, "COLUMNS": "100"})
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    out = proc.stdout.read().decode()
    proc.wait(timeout=300)
    os.close(master)
    return proc.returncode, out, b"".join(chunks).decode(errors="replace")


def test_verify_shows_rate_and_eta_on_a_terminal_only(tmp_path):
    store = str(tmp_path / "s.sqlite")
    args = ("verify", "classical.pl.linear_rate", "--budget", "30", "--store", store)
    code, out, err = _on_a_terminal(*args, cwd=ROOT)
    assert code == 0 and "HOLDS" in out, out + err
    assert "examples/s" in err and "ETA" in err, err
    # the bar runs to its end: the 30 examples of the search, then the Monte Carlo sweep's batches
    assert re.search(r"(?<!\d)(\d+)/\1(?!\d)", err), err
    assert "examples/s" not in out  # the verdict lines stay clean on stdout
    assert any(line in err for line in ("compiling the numba kernels of smooth.pl", "loading the cached kernels",
                                        "drawing the first instances")), err
    code, out, err = _on_a_terminal(*args, "--json", cwd=ROOT)
    assert code == 0 and err == "", err  # --json: no progress even on a terminal
    code, out, err = run_cli(*args)
    assert code == 0 and err == "", err  # piped: none


def test_warm_up_reports_each_model_on_a_terminal(tmp_path):
    code, out, err = _on_a_terminal("warm-up", "smooth.pl", "smooth.convex", cwd=ROOT)
    assert code == 0, out + err
    assert "smooth.pl" in out and "every kernel ready" in out
    assert "models/s" in err and "2/2" in err, err
