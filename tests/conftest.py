import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from alsreview.data.load import load_tables
from alsreview.data.paths import DATA_DIR, PROJ_ROOT

sys.path.insert(0, str(Path(__file__).parent))
from rendering import quarto_binary  # noqa: E402 (found through the line above)
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


@pytest.fixture(scope="session")
def built_analysis() -> Path:
    """build/analysis brought up to date with the shipped data (a no-op when it already is)."""
    from rendering import ALSREVIEW, checkout_env

    subprocess.run([*ALSREVIEW, "build", "--quiet"], check=True, cwd=PROJ_ROOT, capture_output=True, env=checkout_env())
    return PROJ_ROOT / "build" / "analysis"


@pytest.fixture(scope="session")
def rendered_report(built_analysis) -> Path:
    """build/report brought up to date by `alsreview render`, as `make report` does: rendered at most once per
    session, and not at all when the report of the last `make report` is still current (its render keys match)."""
    quarto = quarto_binary()
    if quarto is None:
        pytest.skip("no Quarto: neither QUARTO nor quarto on PATH (CI installs it with ../shared/tools/quarto/install)")
    from rendering import ALSREVIEW, checkout_env

    result = subprocess.run([*ALSREVIEW, "render", "--quarto", quarto], cwd=PROJ_ROOT, capture_output=True, text=True,
                            env=checkout_env())
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return PROJ_ROOT / "build" / "report"


@pytest.fixture(scope="module")
def explorer_rendered(rendered_report) -> Path:
    """The explorer as `make report` renders it with the real Quarto (the session's render of the review), for
    tests that drive it in Chromium: skips, saying why, without Playwright or Chromium."""
    from rendering import chromium_path

    pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: pip install -e '.[dev]'")
    if chromium_path() is None:
        pytest.skip("no Chromium to drive: install Debian's chromium (apt-get install chromium; .ci/run does this)")
    return rendered_report


@pytest.fixture(scope="module")
def explorer_browser(explorer_rendered):
    """Debian's Chromium, driven by Playwright, for one test module."""
    from playwright.sync_api import sync_playwright
    from rendering import chromium_path

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        yield browser
        browser.close()


def subset_build(name: str) -> Path:
    """The build folder of one selection (rendering.SUBSETS), brought up to date once per session in its kept
    folder (rendering.kept_folder): the build tests read it, and the subset's render starts from it."""
    from rendering import SUBSETS, build_selection, kept_folder

    return build_selection(kept_folder(name), SUBSETS[name])


def subset_report(build_dir: Path):
    from rendering import render_build

    if quarto_binary() is None:
        pytest.skip("Quarto not found (set QUARTO or see README)")
    return render_build(build_dir)


@pytest.fixture(scope="session")
def human_build():
    return subset_build("human_report")


@pytest.fixture(scope="session")
def animal_build():
    return subset_build("animal_report")


@pytest.fixture(scope="session")
def from_2005_build():
    return subset_build("from_2005_report")


@pytest.fixture(scope="session")
def human_report(human_build):
    return subset_report(human_build)


@pytest.fixture(scope="session")
def animal_report(animal_build):
    return subset_report(animal_build)


@pytest.fixture(scope="session")
def from_2005_report(from_2005_build):
    return subset_report(from_2005_build)


@pytest.fixture(scope="session")
def contributed_build():
    """The contributed dataset (tests/contributed.py: hostile strings in every free-text cell, then one fictional
    trial), written afresh, validated and brought up to date once per session in its kept folder, with a canary
    in the environment that no output may show."""
    from contributed import CANARY_ENV, contributed_data
    from rendering import build_selection, kept_folder

    from alsreview import cli

    root = kept_folder("contributed")
    data, touched = contributed_data(root)
    assert cli.main(["--data-dir", str(data), "--build-dir", str(root / "build"), "validate"]) == 0
    build_dir = build_selection(root, {}, data_dir=data, env=CANARY_ENV)
    return data, touched, build_dir


@pytest.fixture(scope="session")
def contributed_report(contributed_build):
    """The contributed dataset rendered once with the real Quarto (HTML, PDF, explorer)."""
    from contributed import CANARY_ENV
    from rendering import render_build

    if quarto_binary() is None:
        pytest.skip("Quarto not found: set QUARTO or put quarto on PATH")
    data, _, build_dir = contributed_build
    return render_build(build_dir, data_dir=data, env=CANARY_ENV)


# Fixtures that build or render: under pytest-xdist (`make test` runs two workers with --dist loadgroup) every
# test that uses one runs on the same worker, so each is made once per run. The longest come first.
EXPENSIVE = {"rendered_report": "review", "contributed_report": "contributed", "contributed_build": "contributed",
             "human_report": "subset-human", "animal_report": "subset-animal", "from_2005_report": "subset-2005",
             "human_build": "subset-human", "animal_build": "subset-animal", "from_2005_build": "subset-2005",
             "full_build": "full-build"}


def expensive_group(item) -> str | None:
    from rendering import SUBSETS

    for fixture, group in EXPENSIVE.items():
        if fixture in item.fixturenames:
            return group
    example = getattr(item, "callspec", None) and item.callspec.params.get("example")
    shared = [name for name, make_vars in SUBSETS.items() if make_vars == example]
    return EXPENSIVE[shared[0]] if shared else None


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    order = list(EXPENSIVE.values())
    groups = {item: expensive_group(item) for item in items}
    for item, group in groups.items():
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
    items.sort(key=lambda item: order.index(groups[item]) if groups[item] else len(order))
