"""Command line: `alsreview validate | build | render | tidy | readme`. Errors are messages and exit codes, never tracebacks."""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from . import __version__
from .errors import DataError, UsageError
from .paths import BUILD_DIR, DATA_DIR, PROJ_ROOT, display_path

QUARTO_MISSING = ("Quarto not found, so the review was not rendered (tables and figures are in build/analysis/). "
                  "Fix: `conda env create -f environment.yml` (brings quarto), or install it from "
                  "https://quarto.org/docs/get-started/, or point to one: QUARTO=/path/to/quarto make report")


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
    if args.verbose:
        import logging

        logging.basicConfig(level=logging.INFO, format="%(message)s")  # papermill logs each cell's output
    analysis = build(params, data_dir=Path(args.data_dir), build_dir=Path(args.build_dir), jobs=args.jobs,
                     force=args.force, progress=not args.quiet, verbose=args.verbose)
    print(f"analysis outputs: {display_path(analysis)}/")
    return 0


def run_quietly(command: list[str], log: Path, verbose: bool, tail: int = 15) -> int:
    """Run a chatty tool with its output in a log file; on failure show the log's last lines. verbose streams it."""
    if verbose:
        return subprocess.run(command, cwd=PROJ_ROOT).returncode
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w", encoding="utf-8") as handle:
        returncode = subprocess.run(command, cwd=PROJ_ROOT, stdout=handle, stderr=subprocess.STDOUT).returncode
    if returncode != 0:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()[-tail:]
        print("\n".join(f"  | {line}" for line in lines), file=sys.stderr)
    return returncode


def cmd_render(args) -> int:
    from .build import replace_dir

    build_dir = Path(args.build_dir)
    if not (build_dir / "analysis" / "manifest.json").is_file():
        raise UsageError("nothing to render yet: run `alsreview build` (or `make notebooks`) first")
    beside_python = Path(sys.executable).parent / "quarto"  # where `pip install quarto-cli` puts it
    quarto = args.quarto or shutil.which("quarto") or (str(beside_python) if beside_python.is_file() else "")
    if not quarto or not shutil.which(quarto):
        install_log = build_dir / "quarto-install.log"
        seen = f" (installing quarto-cli failed: {display_path(install_log)})" if install_log.is_file() else ""
        print(f"alsreview: {QUARTO_MISSING}{seen}", file=sys.stderr)
        return 3
    staging = build_dir / f".report-staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    log = build_dir / "render.log"
    returncode = run_quietly([quarto, "render", "--output-dir", str(staging.resolve())], log, args.verbose)
    if returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        print(f"quarto render failed (exit {returncode}); the last good report in "
              f"{display_path(build_dir / 'report')}/ is unchanged; full log: {display_path(log)}", file=sys.stderr)
        return 1
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


EXIT_CODES = """exit status:
  0   done
  1   the data break a rule (each problem printed as file:line: column: 'value': rule), or a step failed
  2   wrong command line or parameter
  3   Quarto not found (render only; everything before rendering is done)
  70  internal error (a bug: run again with ALSREVIEW_DEBUG=1 and report the traceback)
  130 interrupted
`make` exits 2 whenever a step fails; its last line names the step's own status (`Error 3`)."""

COMMANDS = {
    "validate": ("check every table against the data dictionary and the cross-table rules",
                 "Reads data/datapackage.json (the data dictionary) and every CSV it lists, and prints each "
                 "problem found, not just the first. Writes nothing.",
                 ["alsreview validate", "alsreview validate --data-dir path/to/data"]),
    "build": ("validate, run the notebooks that need it, assemble build/analysis",
              "Validates the data, executes the notebooks with papermill (in parallel, and only those whose "
              "notebook, data, package source or parameters changed) and swaps the finished tables, figures "
              "and values.yml into build/analysis/ only when every step succeeded.",
              ["alsreview build", "alsreview build --species human", "alsreview build --species mouse,rat --year-min 2000",
               "alsreview build --evidence-types animal_experiment --jobs 1 --force"]),
    "render": ("render the review with Quarto into build/report (HTML and PDF)",
               "Renders report/index.qmd from the stored outputs of `alsreview build`; Quarto executes nothing. "
               "The last good report stays in place if rendering fails.",
               ["alsreview render", "alsreview render --quarto /opt/quarto/bin/quarto"]),
    "tidy": ("rewrite the CSVs in canonical form, atomically, only if they validate",
             "Canonical form: UTF-8 without BOM, LF line endings, cells trimmed. Files already tidy are left "
             "untouched; nothing is written when the data break a rule.",
             ["alsreview tidy", "alsreview tidy --data-dir path/to/data"]),
    "readme": ("regenerate the README's data dictionary section from datapackage.json",
               "Rewrites only the part of README.md between the data-dictionary markers; a test fails when "
               "the two disagree.",
               ["alsreview readme"]),
}


def common_options(suppress: bool) -> argparse.ArgumentParser:
    """Options accepted before or after the subcommand (`alsreview validate --data-dir data` works).
    On subcommands their defaults are suppressed, so a value given before the subcommand is kept."""
    default = (lambda value: argparse.SUPPRESS) if suppress else (lambda value: value)
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("common options")
    g.add_argument("--data-dir", default=default(str(DATA_DIR)), metavar="DIR",
                   help="folder holding datapackage.json and the CSVs (default: data/)")
    g.add_argument("--build-dir", default=default(str(BUILD_DIR)), metavar="DIR",
                   help="where generated outputs go (default: build/)")
    loud = g.add_mutually_exclusive_group()
    loud.add_argument("-v", "--verbose", action="store_true", default=default(False),
                      help="show details: every cell's output, Quarto's full log")
    loud.add_argument("-q", "--quiet", action="store_true", default=default(False),
                      help="no progress bar; only results and problems")
    return p


def examples(lines: list[str]) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines) + "\n\n" + EXIT_CODES


def parser() -> argparse.ArgumentParser:
    formatter = argparse.RawDescriptionHelpFormatter
    p = argparse.ArgumentParser(
        prog="alsreview", parents=[common_options(suppress=False)], formatter_class=formatter,
        description=textwrap.fill("Data, analyses and report of the living review of exercise therapy in ALS. "
                                  "`make report` runs build and render; `make help` lists the make targets.", 88),
        epilog=examples(["alsreview validate", "alsreview build --species human", "alsreview render",
                         "alsreview build --help"]))
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands = {}
    for name, (summary, description, lines) in COMMANDS.items():
        commands[name] = sub.add_parser(name, help=summary, description=f"{summary[0].upper()}{summary[1:]}.\n\n{textwrap.fill(description, 88)}",
                                        epilog=examples(lines), formatter_class=formatter,
                                        parents=[common_options(suppress=True)])
    b = commands["build"]
    b.add_argument("--species", metavar="LIST", help="comma-separated, any of: mouse, rat, human, none (default: all)")
    b.add_argument("--year-min", metavar="YEAR", help="keep studies published in or after YEAR")
    b.add_argument("--year-max", metavar="YEAR", help="keep studies published in or before YEAR")
    b.add_argument("--evidence-types", metavar="LIST",
                   help="comma-separated evidence types as in the data dictionary, e.g. human_rct,animal_experiment "
                        "(default: all)")
    b.add_argument("--jobs", type=int, default=2, metavar="N", help="notebooks run at once (default: 2)")
    b.add_argument("--force", action="store_true", help="re-run every notebook even if its cached result is current")
    commands["render"].add_argument("--quarto", default="", metavar="PATH",
                                    help="the quarto binary (default: quarto on PATH, then .venv/bin/quarto)")
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
