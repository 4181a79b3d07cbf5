import shutil
import sys
from pathlib import Path

import pytest

from alsreview.load import load_tables
from alsreview.paths import DATA_DIR, PROJ_ROOT

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
