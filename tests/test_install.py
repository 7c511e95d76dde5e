"""newskit as a researcher installs it: a wheel in a fresh virtual environment, used from another
folder. Slow (it builds a wheel and installs pandas, pyarrow, matplotlib and Jupyter's packages),
so it runs under CI and when ``NEWSKIT_TEST_INSTALL=1``; elsewhere it skips, saying so.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from conftest import ROOT, require_shared

pytestmark = pytest.mark.install

NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))


def _wanted() -> None:
    if os.environ.get("CI") != "true" and os.environ.get("NEWSKIT_TEST_INSTALL") != "1":
        pytest.skip("installs newskit into a fresh environment: CI=true or NEWSKIT_TEST_INSTALL=1")


def _run(command: list[str], *, cwd: Path, env: dict, timeout: int = 900):
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def _ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, f"{result.args}\n{result.stdout}\n{result.stderr}"
    return result


def test_the_installed_wheel_reports_from_another_folder(tmp_path):
    _wanted()
    corpus = require_shared()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("VIRTUAL_ENV", "PYTHONPATH", "JUPYTER_PATH")
    }
    env |= {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "NEWSKIT_CACHE_DIR": str(tmp_path / "cache")}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    wheels = tmp_path / "wheels"
    _ok(
        _run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
            cwd=elsewhere,
            env=env,
        )
    )
    (wheel,) = wheels.glob("newskit-*.whl")
    venv.create(tmp_path / "venv", with_pip=True)
    bin_dir = tmp_path / "venv" / "bin"
    pip = [str(bin_dir / "python"), "-m", "pip", "install", "-q"]
    newskit = str(bin_dir / "newskit")

    # The core install: helpers and every command but report, which names its extra.
    _ok(_run([*pip, str(wheel)], cwd=elsewhere, env=env))
    where = _ok(
        _run(
            [str(bin_dir / "python"), "-c", "import newskit; print(newskit.__file__)"],
            cwd=elsewhere,
            env=env,
        )
    )
    assert Path(where.stdout.strip()).is_relative_to(tmp_path / "venv")
    summary = json.loads(
        _ok(_run([newskit, "summary", str(corpus), "--json"], cwd=elsewhere, env=env)).stdout
    )
    assert summary["n_articles"] > 0
    missing = _run([newskit, "report", str(corpus), "--out", "OUT"], cwd=elsewhere, env=env)
    assert missing.returncode == 1
    assert re.fullmatch(
        r"Error: newskit report needs \w+, which is not installed: "
        r"pip install 'newskit\[report\]'\n",
        missing.stderr,
    ), missing.stderr

    # With the report extra, and a python3 kernel spec that points nowhere first on the path.
    _ok(_run([*pip, f"{wheel}[report]"], cwd=elsewhere, env=env))
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [
        str(tmp_path / "gone" / "python3"),
        "-m",
        "ipykernel_launcher",
        "-f",
        "{connection_file}",
    ]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Python 3"}))
    env["JUPYTER_PATH"] = str(tmp_path / "jupyter")
    report = _run([newskit, "report", str(corpus), "--out", "OUT"], cwd=elsewhere, env=env)
    _ok(report)
    out = elsewhere / "OUT"
    assert sorted(p.stem for p in out.glob("*.html")) == sorted([*NOTEBOOKS, "index"])
    assert sorted(p.stem for p in out.glob("*.ipynb")) == NOTEBOOKS
    assert report.stdout == f"wrote {len(NOTEBOOKS)} reports and OUT/index.html\n"
