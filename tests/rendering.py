"""Building and rendering a report in a temporary copy of the Quarto project, with the real Quarto, and reading
the HTML and PDF back as text. Shared by the subset and user-path tests."""
from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alsreview.data.paths import DATA_DIR, PROJ_ROOT
from alsreview.pipeline.build import build

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


@dataclass
class Rendered:
    analysis: Path
    html: str  # the HTML source
    text: str  # the HTML's visible text, whitespace collapsed
    pdf_text: str  # the PDF's text, whitespace collapsed and line-end hyphens joined
    stderr: str

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
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    return " ".join(re.sub(r"-\n(?=[a-z])", "", text).split())


def build_and_render(workdir: Path, params: dict, data_dir: Path = DATA_DIR) -> Rendered:
    """Copy the Quarto project, build its analysis from data_dir with params, render HTML and PDF."""
    quarto = quarto_binary()
    project = workdir / "project"
    project.mkdir(parents=True)
    shutil.copy(PROJ_ROOT / "_quarto.yml", project / "_quarto.yml")
    shutil.copytree(PROJ_ROOT / "report", project / "report")
    analysis = build(params, data_dir=data_dir, build_dir=project / "build", progress=False, log=lambda *_: None)
    out = project / "build" / "report"
    result = subprocess.run([quarto, "render", "--output-dir", str(out)], cwd=project, capture_output=True, text=True,
                            timeout=900, env={**os.environ, "QUARTO_PYTHON": str(PROJ_ROOT / ".venv" / "bin" / "python")})
    assert result.returncode == 0, result.stderr[-3000:]
    page = next(out.rglob("review.html")).read_text(encoding="utf-8")
    return Rendered(analysis, page, visible_text(page), pdf_text(next(out.rglob("review.pdf"))), result.stderr)


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.;:])\s+(?=[A-Z0-9(])", text)
