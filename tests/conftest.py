import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from alsreview.data.load import load_tables
from alsreview.data.paths import DATA_DIR, PROJ_ROOT

sys.path.insert(0, str(Path(__file__).parent))
SEED = PROJ_ROOT.parent / "shared" / "seed" / "kinesitherapy-in-als-2017.txt"


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A writable copy of the shipped data folder."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


@pytest.fixture(scope="session")
def tables():
    return load_tables(DATA_DIR)


def quarto_binary() -> str | None:
    """The Quarto CI installed (QUARTO) or the one on PATH; None when neither exists."""
    candidate = os.environ.get("QUARTO") or shutil.which("quarto")
    return candidate if candidate and shutil.which(candidate) else None


@pytest.fixture(scope="session")
def built_analysis() -> Path:
    """build/analysis brought up to date with the shipped data (a no-op when it already is)."""
    subprocess.run([str(PROJ_ROOT / ".venv" / "bin" / "alsreview"), "build", "--quiet"], check=True, cwd=PROJ_ROOT,
                   capture_output=True)
    return PROJ_ROOT / "build" / "analysis"


@pytest.fixture(scope="session")
def rendered_report(tmp_path_factory, built_analysis) -> Path:
    """The review rendered once per test session (HTML and PDF) from a fresh build of the shipped data."""
    quarto = quarto_binary()
    if quarto is None:
        pytest.skip("no Quarto: neither QUARTO nor quarto on PATH (CI installs it with ../shared/tools/quarto/install)")
    out = tmp_path_factory.mktemp("report")
    env = {**os.environ, "QUARTO_PYTHON": str(PROJ_ROOT / ".venv" / "bin" / "python")}
    result = subprocess.run([quarto, "render", "--output-dir", str(out)], cwd=PROJ_ROOT, capture_output=True,
                            text=True, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return out
