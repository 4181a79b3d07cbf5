"""Command line: `alsreview validate | build | render | tidy | readme`. Errors are messages and exit codes, never tracebacks."""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .errors import DataError, UsageError
from .paths import BUILD_DIR, DATA_DIR, PROJ_ROOT, display_path

QUARTO_HELP = """Quarto is needed to render the review (HTML and PDF) and was not found.
Get it in one of these ways, then run `make report` again:
  - conda env create -f environment.yml && conda activate alsreview   (conda-forge ships quarto)
  - the installer from https://quarto.org/docs/get-started/
  - pip install quarto-cli   (needs internet access to download Quarto)
  - or point to a binary: QUARTO=/path/to/quarto make report
Everything before rendering is done: tables and figures are in build/analysis/,
and the executed notebooks as HTML are in build/analysis/notebooks-html/."""


def cmd_validate(args) -> int:
    from .validate import validate

    problems = validate(Path(args.data_dir))
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found in {display_path(Path(args.data_dir))}", file=sys.stderr)
        return 1
    print(f"{display_path(Path(args.data_dir))}: all tables valid")
    return 0


def notebook_params(args) -> dict:
    params = {}
    if args.species:
        params["species"] = [s.strip() for s in args.species.split(",") if s.strip()]
    if args.evidence_types:
        params["evidence_types"] = [s.strip() for s in args.evidence_types.split(",") if s.strip()]
    for name in ("year_min", "year_max"):
        value = getattr(args, name)
        if value is not None:
            try:
                params[name] = int(value)
            except ValueError:
                raise UsageError(f"--{name.replace('_', '-')} must be a whole year, got {value!r}") from None
    return params


def cmd_build(args) -> int:
    from .build import build
    from .params import check_params
    from .schema import read_datapackage

    params = notebook_params(args)
    check_params(params, read_datapackage(Path(args.data_dir)).enum("studies", "evidence_type"))
    analysis = build(params, data_dir=Path(args.data_dir), build_dir=Path(args.build_dir), jobs=args.jobs,
                     force=args.force, progress=not args.quiet)
    print(f"analysis outputs: {display_path(analysis)}/")
    return 0


def cmd_render(args) -> int:
    from .build import replace_dir

    build_dir = Path(args.build_dir)
    if not (build_dir / "analysis" / "manifest.json").is_file():
        raise UsageError("nothing to render yet: run `alsreview build` (or `make notebooks`) first")
    from .render_cache import KEY_FILE, is_current, render_key

    key = render_key(PROJ_ROOT, build_dir / "analysis")
    if not args.force and is_current(build_dir / "report", key):
        print(f"report: {display_path(build_dir / 'report')}/ is up to date (nothing it is made from changed)")
        return 0
    beside_python = Path(sys.executable).parent / "quarto"  # where `pip install quarto-cli` puts it
    quarto = args.quarto or shutil.which("quarto") or (str(beside_python) if beside_python.is_file() else "")
    if not quarto or not shutil.which(quarto):
        print(QUARTO_HELP, file=sys.stderr)
        return 3
    staging = build_dir / f".report-staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    result = subprocess.run([quarto, "render", "--output-dir", str(staging.resolve())], cwd=PROJ_ROOT)
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        print(f"quarto render failed (exit {result.returncode}); the last good report in "
              f"{display_path(build_dir / 'report')}/ is unchanged", file=sys.stderr)
        return 1
    (staging / KEY_FILE).write_text(key)
    replace_dir(staging, build_dir / "report")
    print(f"report: {display_path(build_dir / 'report')}/ (HTML and PDF)")
    return 0


def cmd_tidy(args) -> int:
    """Rewrite the CSVs in canonical form (UTF-8, no BOM, LF, trimmed cells), atomically, only if they validate."""
    from .tidy import tidy

    changed = tidy(Path(args.data_dir))
    for path in changed:
        print(f"rewrote {display_path(path)}")
    if not changed:
        print("all CSVs already tidy")
    return 0


def cmd_readme(args) -> int:
    from .docs import update_readme
    from .schema import read_datapackage

    changed = update_readme(PROJ_ROOT / "README.md", read_datapackage(Path(args.data_dir)))
    print("README.md data section " + ("updated" if changed else "already up to date"))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="alsreview", description=__doc__)
    p.add_argument("--data-dir", default=str(DATA_DIR), help="folder holding datapackage.json and the CSVs")
    p.add_argument("--build-dir", default=str(BUILD_DIR), help="where generated outputs go")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("validate", help="check every table against the data dictionary and the cross-table rules")
    b = sub.add_parser("build", help="validate, run the notebooks that need it, assemble build/analysis")
    b.add_argument("--species", help="comma-separated: mouse, rat, human, none")
    b.add_argument("--year-min")
    b.add_argument("--year-max")
    b.add_argument("--evidence-types", help="comma-separated evidence types")
    b.add_argument("--jobs", type=int, default=2, help="notebooks run at once (default 2)")
    b.add_argument("--force", action="store_true", help="re-run every notebook")
    b.add_argument("--quiet", action="store_true", help="no progress bars")
    r = sub.add_parser("render", help="render the review with Quarto into build/report")
    r.add_argument("--quarto", default="", help="path to the quarto binary (default: quarto on PATH)")
    r.add_argument("--force", action="store_true", help="render even if no input changed since the last report")
    sub.add_parser("tidy", help="rewrite the CSVs in canonical form, atomically")
    sub.add_parser("readme", help="regenerate the README's data dictionary from datapackage.json")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from .build import BuildError

    handlers = {"validate": cmd_validate, "build": cmd_build, "render": cmd_render, "tidy": cmd_tidy,
                "readme": cmd_readme}
    try:
        return handlers[args.command](args)
    except DataError as exc:
        for problem in exc.problems:
            print(problem)
        print(f"{len(exc.problems)} problem(s) found; nothing was built", file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"alsreview: {exc}", file=sys.stderr)
        return 2
    except BuildError as exc:
        print(f"alsreview: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("alsreview: interrupted; the last good outputs are unchanged", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: one line, and the traceback on request
        if os.environ.get("ALSREVIEW_DEBUG"):
            raise
        print(f"alsreview: internal error ({type(exc).__name__}: {exc}); the last good outputs are unchanged. "
              "Run again with ALSREVIEW_DEBUG=1 for the traceback and please report it.", file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
