"""Command line: `alsreview validate | build | render | tidy | readme`. Errors are messages and exit codes, never tracebacks."""
from __future__ import annotations

import argparse
import errno
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

from .errors import DataError, UsageError, problem_lines
from .paths import BUILD_DIR, DATA_DIR, PROJ_ROOT, display_path

QUARTO_HELP = """Quarto is needed to render the review (HTML and PDF) and was not found.
Get it in one of these ways, then run `make report` again:
  - conda env create -f environment.yml && conda activate alsreview   (conda-forge ships quarto)
  - the installer from https://quarto.org/docs/get-started/
  - pip install quarto-cli   (needs internet access to download Quarto)
  - or point to a binary: QUARTO=/path/to/quarto make report
Everything before rendering is done: tables and figures are in build/analysis/,
and the executed notebooks as HTML are in build/analysis/notebooks-html/."""
# Exit codes: 0 done, 1 bad data or a failed step, 2 wrong usage, 3 Quarto missing, 70 a bug,
# 73 a folder that cannot be written, 74 disk full, 130/143 interrupted (Ctrl-C / kill).
EXIT_CANNOT_WRITE, EXIT_DISK_FULL, EXIT_INTERRUPTED, EXIT_TERMINATED = 73, 74, 130, 143
# The staged copy of the project Quarto renders: everything but outputs, data, environments and VCS folders.
RENDER_SKIP = ("build", "data", ".venv", ".git", ".quarto", ".pytest_cache", ".hypothesis", "__pycache__",
               "*.egg-info", ".ipynb_checkpoints")


def cmd_validate(args) -> int:
    from .validate import validate

    problems = validate(Path(args.data_dir))
    for line in problem_lines(problems):
        print(line)
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
        if value not in (None, ""):  # make passes empty parameters as empty strings
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
    """Render a staged copy of the project under the build lock, then swap the result into build/report.

    Quarto writes beside its input (report/*.typ, review_files/, .quarto/) and edits .gitignore; rendering a
    copy keeps the source tree and tracked files untouched, and the lock lets two renders run one after the other."""
    from .build import build_lock, replace_dir

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
    with build_lock(build_dir):
        stage = build_dir / f".render-{os.getpid()}"
        try:
            project = stage / "project"
            shutil.copytree(PROJ_ROOT, project, ignore=shutil.ignore_patterns(*RENDER_SKIP))
            shutil.copytree(build_dir / "analysis", project / "build" / "analysis")
            output = stage / "output"
            result = subprocess.run([quarto, "render", "--output-dir", str(output.resolve())], cwd=project)
            if result.returncode != 0:
                print(f"quarto render failed (exit {result.returncode}); the last good report in "
                      f"{display_path(build_dir / 'report')}/ is unchanged", file=sys.stderr)
                return 1
            (output / KEY_FILE).write_text(key)
            replace_dir(output, build_dir / "report")
        finally:
            shutil.rmtree(stage, ignore_errors=True)
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


def cmd_search(args) -> int:
    """Re-run the saved PubMed query and list the records the screening log does not hold yet."""
    import pandas as pd

    from .load import load_tables
    from .search import SearchUnavailable, fetch_pubmed, saved_query, unscreened

    email = args.email or os.environ.get("NCBI_EMAIL", "")
    if not email:
        raise UsageError("give --email (or set NCBI_EMAIL): NCBI asks every E-utilities user for a contact address")
    tables = load_tables(Path(args.data_dir))
    query = args.query or saved_query(tables["searches"])
    try:
        records = fetch_pubmed(query, email, retmax=args.retmax)
    except SearchUnavailable as exc:
        print(f"alsreview search: {exc}. The saved query needs internet access to PubMed; nothing was changed.\n"
              f"  query: {query}", file=sys.stderr)
        return 4
    new = unscreened(records, tables["screening"])
    for row in new.itertuples(index=False):
        year = "" if pd.isna(row.year) else int(row.year)
        print(f"PMID:{row.pmid}\t{year}\t{row.title}")
    print(f"{len(records)} record(s) found, {len(new)} not yet in screening.csv", file=sys.stderr)
    return 0


def cmd_snapshot(args) -> int:
    """Record the current data as a release in releases.csv (what the next version's 'What changed' compares with)."""
    import pandas as pd

    from .changes import snapshot
    from .load import load_tables
    from .schema import read_datapackage
    from .tidy import atomic_write
    from .update import our_estimates

    data_dir = Path(args.data_dir)
    version = str(read_datapackage(data_dir).descriptor.get("version", ""))
    tables = load_tables(data_dir)
    releases = tables["releases"]
    if version in set(releases["version"]):
        raise UsageError(f"release {version} is already recorded in releases.csv; raise the version in "
                         "datapackage.json and CITATION.cff first")
    rows = pd.concat([releases, snapshot(tables, version, our_estimates(tables))], ignore_index=True)
    atomic_write(data_dir / "releases.csv", rows.to_csv(index=False, lineterminator="\n", float_format="%.10g"))
    print(f"recorded release {version} in {display_path(data_dir / 'releases.csv')}")
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
    sub.add_parser("snapshot", help="record the current data as a release (for the next version's 'What changed')",
                   description="Appends the current studies, counts, pooled estimates and conclusions to releases.csv "
                               "under the version in datapackage.json. Run it when you release that version.",
                   epilog="example: .venv/bin/alsreview snapshot")
    s = sub.add_parser("search", help="re-run the saved PubMed search (needs internet) and list unscreened records",
                       description="Re-runs the newest PubMed query in searches.csv through NCBI E-utilities and prints "
                                   "the PMIDs that screening.csv does not hold yet. Exit 4 when PubMed cannot be reached.",
                       epilog="example: .venv/bin/alsreview search --email you@example.org")
    s.add_argument("--email", help="contact address sent to NCBI (default: $NCBI_EMAIL)")
    s.add_argument("--query", help="search this instead of the saved query")
    s.add_argument("--retmax", type=int, default=1000, help="most records to fetch (default 1000)")
    return p


def fault_message(exc: OSError) -> tuple[int, str] | None:
    """A full disk or an unwritable folder is the machine's state, not a bug: say which and what to do."""
    where = f" ({display_path(Path(exc.filename))})" if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return EXIT_DISK_FULL, (f"alsreview: the disk is full{where}; free some space and run again. "
                                "The last good outputs are unchanged.")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOTDIR):
        return EXIT_CANNOT_WRITE, (f"alsreview: cannot write{where}: the folder is read-only or not yours "
                                   f"({exc.strerror}). Use a writable folder (--build-dir). "
                                   "The last good outputs are unchanged.")
    return None


def _terminated(signum, frame):
    raise SystemExit(EXIT_TERMINATED)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminated)  # kill: unwind, so staging folders are removed on the way out
    from .build import BuildError

    handlers = {"validate": cmd_validate, "build": cmd_build, "render": cmd_render, "tidy": cmd_tidy,
                "readme": cmd_readme, "search": cmd_search, "snapshot": cmd_snapshot}
    try:
        return handlers[args.command](args)
    except DataError as exc:
        for line in problem_lines(exc.problems):
            print(line)
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
        return EXIT_INTERRUPTED
    except SystemExit as exc:
        if exc.code == EXIT_TERMINATED:
            print("alsreview: terminated; the last good outputs are unchanged and partial files were removed",
                  file=sys.stderr)
        raise
    except OSError as exc:
        fault = fault_message(exc)
        if fault is None:
            return internal_error(exc)
        print(fault[1], file=sys.stderr)
        return fault[0]
    except Exception as exc:  # a bug, not bad input: one line, and the traceback on request
        return internal_error(exc)


def internal_error(exc: Exception) -> int:
    if os.environ.get("ALSREVIEW_DEBUG"):
        raise exc
    print(f"alsreview: internal error ({type(exc).__name__}: {exc}); the last good outputs are unchanged. "
          "Run again with ALSREVIEW_DEBUG=1 for the traceback and please report it.", file=sys.stderr)
    return 70


if __name__ == "__main__":
    sys.exit(main())
