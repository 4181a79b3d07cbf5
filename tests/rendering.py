"""Building and rendering a report as `make report` does (`alsreview build`, then `alsreview render`) into a
build folder of its own, with the real Quarto, and reading the HTML and PDF back as text. Shared by the subset,
contributed-data and documented-example tests; conftest.py builds and renders each distinct document once per
session."""
from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alsreview.data.paths import DATA_DIR, PROJ_ROOT

INSTALLER = PROJ_ROOT.parent / "shared" / "tools" / "quarto" / "install"


@lru_cache(maxsize=1)
def quarto_binary() -> str | None:
    """QUARTO, else quarto on PATH or beside the venv's Python, else the workplace's installer script."""
    for candidate in (os.environ.get("QUARTO"), shutil.which("quarto"), str(PROJ_ROOT / ".venv" / "bin" / "quarto")):
        if candidate and shutil.which(candidate):
            return candidate
    if INSTALLER.is_file():
        result = subprocess.run(["bash", str(INSTALLER)], capture_output=True, text=True, timeout=600)
        path = result.stdout.strip().splitlines()[-1] if result.returncode == 0 and result.stdout.strip() else ""
        if path and shutil.which(path):
            return path
    return None


def chromium_path() -> str | None:
    """The Chromium the browser tests drive: CHROMIUM, else Debian's chromium on PATH."""
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@dataclass
class Rendered:
    analysis: Path
    html: str  # the HTML source
    text: str  # the HTML's visible text, whitespace collapsed
    pdf_text: str  # the PDF's text, whitespace collapsed and line-end hyphens joined
    log: str  # what the build and Quarto printed

    def section(self, section_id: str) -> str:
        """The HTML of one section (by its id), up to the next section of the same or a higher level."""
        start = self.html.index(f'id="{section_id}"')
        end = self.html.find("<section", start + 1)
        return self.html[start: end if end > 0 else len(self.html)]

    def reference_keys(self) -> set[str]:
        refs = self.html[self.html.index('id="refs"'):]
        return set(re.findall(r'id="ref-([a-z][a-z0-9]*[0-9]{4}[a-z]?)"', refs))


def visible_text(markup: str) -> str:
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S)
    markup = re.sub(r"</?(a|span|em|strong|code|sup|sub|i|b)\b[^>]*>", "", markup)  # inline: no word break
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def pdf_text(path: Path) -> str:
    """The PDF's text, read by poppler's pdftotext where it is installed (0.4 s for the review) and by pypdf
    otherwise (6 s)."""
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
    else:
        from pypdf import PdfReader

        text = "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    return " ".join(re.sub(r"-\n(?=[a-z])", "", text).split())


# Where the session fixtures keep the documents they build and render (conftest.py), one folder each. Kept between
# runs, like build/report for the full review: `alsreview build` and `alsreview render` redo only what their keys
# say changed, so a run after an edit to a test, or to code that changes no output, renders nothing again.
# `make clean` removes them.
KEPT = PROJ_ROOT / "build" / "tests"


def kept_folder(name: str) -> Path:
    folder = KEPT / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# The selections the subset tests and the docs' `make report` examples render, each once per session, by the
# name of its session fixture (conftest.py).
SUBSETS = {"human_report": {"SPECIES": "human"}, "animal_report": {"SPECIES": "mouse,rat"},
           "from_2005_report": {"YEAR_MIN": "2005"}}
# The command line of this checkout's own code: the venv's console script imports whatever its editable install
# points at, which is another checkout when a git worktree shares the venv.
ALSREVIEW = [sys.executable, "-m", "alsreview.cli"]


def checkout_env(extra: dict | None = None) -> dict:
    """The environment with this checkout's src first on PYTHONPATH (papermill's kernels inherit it)."""
    env = {**os.environ, **(extra or {})}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJ_ROOT / "src"), env.get("PYTHONPATH", "")) if p)
    return env


def cli_options(make_vars: dict[str, str]) -> list[str]:
    """`make report SPECIES=human` as the options `alsreview build` takes: ["--species=human"]."""
    return [f"--{name.lower().replace('_', '-')}={value}" for name, value in make_vars.items()]


def run_step(build_dir: Path, step: list[str], data_dir: Path = DATA_DIR, env: dict | None = None) -> str:
    """One `alsreview` step on a build folder of its own; returns what it printed."""
    command = [*ALSREVIEW, "--data-dir", str(data_dir), "--build-dir", str(build_dir), *step]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, env=checkout_env(env))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout + result.stderr


def build_selection(workdir: Path, make_vars: dict[str, str], data_dir: Path = DATA_DIR, env: dict | None = None) -> Path:
    """`alsreview build` of data_dir with the make parameters into workdir/build; returns that build folder."""
    build_dir = Path(workdir) / "build"
    log = run_step(build_dir, ["build", "--quiet", *cli_options(make_vars)], data_dir, env)
    (build_dir.parent / "build.log").write_text(log, encoding="utf-8")  # beside the build folder, not in it
    return build_dir


def render_build(build_dir: Path, data_dir: Path = DATA_DIR, env: dict | None = None) -> Rendered:
    """`alsreview render` of a built folder with the real Quarto (HTML, PDF and explorer), read back as text."""
    printed = run_step(build_dir, ["render", "--quarto", quarto_binary()], data_dir, env)
    report = build_dir / "report"
    page = next(report.rglob("review.html")).read_text(encoding="utf-8")
    log = "\n".join([(build_dir.parent / "build.log").read_text(encoding="utf-8"), printed,
                     (build_dir / "render.log").read_text(encoding="utf-8", errors="replace")])
    return Rendered(build_dir / "analysis", page, visible_text(page), pdf_text(next(report.rglob("review.pdf"))), log)


def build_and_render(workdir: Path, make_vars: dict[str, str], data_dir: Path = DATA_DIR, env: dict | None = None) -> Rendered:
    """Build the analysis from data_dir with the make parameters, then render HTML, PDF and explorer."""
    return render_build(build_selection(workdir, make_vars, data_dir, env), data_dir, env)


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.;:])\s+(?=[A-Z0-9(])", text)
