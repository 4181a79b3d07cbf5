"""When the review needs rendering again: a key over everything Quarto reads (the report sources, _quarto.yml
and the content of build/analysis), stored beside the last good report. Same key, same report: skip Quarto."""
from __future__ import annotations

import hashlib
from pathlib import Path

KEY_FILE = ".render-key"
SOURCE_SUFFIXES = {".qmd", ".md", ".html", ".typ", ".css", ".scss", ".js", ".lua", ".yml", ".yaml", ".bib", ".csl"}


def render_inputs(project_root: Path, analysis_dir: Path) -> list[Path]:
    root = Path(project_root)
    sources = [p for p in sorted((root / "report").rglob("*")) if p.is_file() and p.suffix in SOURCE_SUFFIXES]
    analysis = [p for p in sorted(Path(analysis_dir).rglob("*")) if p.is_file()]
    return [root / "_quarto.yml", *sources, *analysis]


def render_key(project_root: Path, analysis_dir: Path) -> str:
    """Hash of the names and bytes of every render input."""
    digest = hashlib.sha256()
    for path in render_inputs(project_root, analysis_dir):
        digest.update(str(path.relative_to(path.anchor)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def is_current(report_dir: Path, key: str) -> bool:
    """True when the report in report_dir was rendered from exactly these inputs and is complete."""
    stamp = Path(report_dir) / KEY_FILE
    outputs = [Path(report_dir) / "report" / name for name in ("review.html", "review.pdf")]
    return stamp.is_file() and stamp.read_text() == key and all(p.is_file() for p in outputs)
