"""Every path the project uses, computed from the project root.

Notebooks executed by papermill run in another working directory, so nothing may rely on the cwd.
"""
from pathlib import Path

PROJ_ROOT = Path(__file__).resolve().parents[3]
DATA_DIR = PROJ_ROOT / "data"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
PACKAGE_DIR = PROJ_ROOT / "src" / "alsreview"
BUILD_DIR = PROJ_ROOT / "build"
ANALYSIS_DIR = BUILD_DIR / "analysis"
REPORT_DIR = BUILD_DIR / "report"
REPORTING_CHECKLIST = PROJ_ROOT / "report" / "reporting-checklist.csv"  # PRISMA items and where each is reported
METHODS_BIB = PROJ_ROOT / "report" / "methods.bib"  # methods papers the report cites (risk-of-bias tools)
DATAPACKAGE = "datapackage.json"


def display_path(path: Path) -> str:
    """Path as users see it in messages: relative to the project root when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(PROJ_ROOT))
    except ValueError:
        return str(path)
