"""What the evidence explorer costs (`make bench` runs it after bench.py): page weight and render time.

Renders report/explorer.qmd with Quarto into a temporary folder (after `alsreview build`), then prints
  - the page's weight in kB and what it is made of (vendored libraries, the data block, Quarto's own HTML
    and the references), since the page carries everything inside one file;
  - Quarto's render time for the explorer alone, wall and CPU, best of --repeat runs;
  - if Playwright and Chromium are there, the time from opening the page to the first counts, and per
    filter change.
It measures; it does not assert. Usage: python benchmarks/explorer.py [--repeat N]
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from alsreview.data.paths import ANALYSIS_DIR, PROJ_ROOT

VENDOR = PROJ_ROOT / "report" / "vendor"


def kb(n_bytes: float) -> str:
    return f"{n_bytes / 1024:,.0f} kB"


def render(quarto: str, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds (children) of one `quarto render report/explorer.qmd`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([quarto, "render", "report/explorer.qmd", "--output-dir", str(out)], cwd=PROJ_ROOT, check=True,
                   capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter() - started, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def browser_timings(page_path: Path) -> dict[str, float] | None:
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not chromium:
        return None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        started = time.perf_counter()
        page.goto(page_path.resolve().as_uri())
        page.wait_for_selector(".explorer-n-outcomes")
        opened = time.perf_counter() - started
        changes = []
        for label in ("Mouse", "Rat", "Mouse", "Rat"):
            started = time.perf_counter()
            page.locator("fieldset[data-filter=species] label", has_text=label).click()
            page.evaluate("window.alsExplorer.shownIds().length")
            changes.append(time.perf_counter() - started)
        browser.close()
    return {"open": opened, "change": min(changes)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    quarto = os.environ.get("QUARTO") or shutil.which("quarto")
    if not quarto:
        print("explorer benchmark skipped: quarto is not on PATH and QUARTO is unset")
        return 0
    subprocess.run([str(Path(sys.executable).parent / "alsreview"), "build", "--quiet"], cwd=PROJ_ROOT, check=True,
                   capture_output=True)
    with tempfile.TemporaryDirectory() as folder:
        timings = [render(quarto, Path(folder) / f"run{i}") for i in range(args.repeat)]
        page = Path(folder) / "run0" / "report" / "explorer.html"
        total = page.stat().st_size
        libraries = sum(p.stat().st_size for p in VENDOR.glob("*.js")) + (PROJ_ROOT / "report" / "explorer.js").stat().st_size
        data = (ANALYSIS_DIR / "explorer" / "explorer-data.md").stat().st_size
        print("Evidence explorer (report/explorer.qmd, one self-contained HTML file)")
        print(f"  page weight         {kb(total)}")
        print(f"    vendored libraries and explorer.js  {kb(libraries)}")
        print(f"    data block ({ANALYSIS_DIR.name}/explorer/explorer-data.md)  {kb(data)}")
        print(f"    Quarto's HTML, styles, fonts and references  {kb(total - libraries - data)}")
        wall, cpu = min(timings)
        print(f"  quarto render       {wall:.1f} s wall, {cpu:.1f} s CPU (best of {args.repeat})")
        in_browser = browser_timings(page)
        if in_browser:
            print(f"  in Chromium         {in_browser['open'] * 1000:.0f} ms to first counts, "
                  f"{in_browser['change'] * 1000:.0f} ms per filter change")
        else:
            print("  in Chromium         skipped (Playwright or Chromium missing)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
