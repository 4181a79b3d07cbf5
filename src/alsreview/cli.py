"""Command line: `alsreview COMMAND` for each command in COMMANDS. Errors are messages and exit codes, never
tracebacks."""
from __future__ import annotations

import argparse
import errno
import os
import signal
import sys
import textwrap
import threading
from pathlib import Path

from .data.errors import DataError, UsageError, problem_lines
from .data.paths import BUILD_DIR, DATA_DIR, PROJ_ROOT, display_path

QUARTO_MISSING = ("Quarto not found, so the review was not rendered (tables and figures are in build/analysis/). "
                  "Fix: `conda env create -f environment.yml` (brings quarto), or install it from "
                  "https://quarto.org/docs/get-started/, or point to one: QUARTO=/path/to/quarto make report")
# Exit codes: EXIT_CODES below, printed under every command's --help.
EXIT_OUTSIDE, EXIT_CANNOT_WRITE, EXIT_DISK_FULL, EXIT_INTERRUPTED, EXIT_TERMINATED = 4, 73, 74, 130, 143


def cmd_validate(args) -> int:
    from .data.validate import validate

    problems = validate(Path(args.data_dir))
    for line in problem_lines(problems):
        print(line)
    if problems:
        print(f"{len(problems)} problem(s) found in {display_path(Path(args.data_dir))}", file=sys.stderr)
        return 1
    print(f"{display_path(Path(args.data_dir))}: all tables valid")
    return 0


def notebook_params(args) -> dict:
    from .pipeline.params import selection_params

    return selection_params(args.species, args.evidence_types, args.year_min, args.year_max)


def cmd_build(args) -> int:
    from .data.schema import read_datapackage
    from .pipeline.build import build
    from .pipeline.params import check_params

    params = notebook_params(args)
    package = read_datapackage(Path(args.data_dir))  # read once, handed down to the build
    check_params(params, package.enum("studies", "evidence_type"))
    if args.verbose:
        import logging

        logging.basicConfig(level=logging.INFO, format="%(message)s")  # papermill logs each cell's output
    analysis = build(params, data_dir=Path(args.data_dir), build_dir=Path(args.build_dir), jobs=args.jobs,
                     force=args.force, progress=not args.quiet, verbose=args.verbose, package=package)
    print(f"analysis outputs: {display_path(analysis)}/")
    return 0


def cmd_render(args) -> int:
    """Render the outputs whose inputs changed (HTML, PDF, explorer), at once, in staged copies of the project
    under the build lock (stale outputs checked again there); swap the report into build/report only when all succeeded.

    Quarto writes beside its input (report/*.typ, review_files/, .quarto/) and edits .gitignore; rendering copies
    keeps the source tree and tracked files untouched, and the lock lets two renders run one after the other."""
    from .pipeline import render as rendering
    from .pipeline.build import build_lock

    build_dir = Path(args.build_dir)
    analysis, report = build_dir / "analysis", build_dir / "report"
    if not (analysis / "manifest.json").is_file():
        raise UsageError("nothing to render yet: run `alsreview build` (or `make notebooks`) first")
    keys = rendering.output_keys(PROJ_ROOT, analysis)
    up_to_date = f"report: {display_path(report)}/ is up to date (nothing it is made from changed)"
    quarto = rendering.find_quarto(args.quarto)
    version = rendering.quarto_version(quarto) if quarto else None  # without Quarto, the inputs alone decide
    if not args.force and not rendering.outputs_to_render(report, keys, version):
        print(up_to_date)
        return 0
    if not quarto:
        install_log = build_dir / "quarto-install.log"
        seen = f" (installing quarto-cli failed: {display_path(install_log)})" if install_log.is_file() else ""
        print(f"alsreview: {QUARTO_MISSING}{seen}", file=sys.stderr)
        return 3
    with build_lock(build_dir):
        stale = list(rendering.OUTPUTS) if args.force else rendering.outputs_to_render(report, keys, version)
        if not stale:
            print(up_to_date)
            return 0
        failed = rendering.render_stale(quarto, PROJ_ROOT, build_dir, keys, stale, verbose=args.verbose, version=version)
    if failed:
        reasons = ", ".join(f"{name} {why}" for name, why in failed.items())
        print(f"quarto render failed ({reasons}); the last good report in {display_path(report)}/ is "
              f"unchanged; full log: {display_path(build_dir / rendering.RENDER_LOG)}", file=sys.stderr)
        return 1
    print(f"report: {display_path(report)}/ (rendered: {', '.join(o.name for o in stale)})")
    return 0


def cmd_report(args) -> int:
    """Build, then render, under one hold of the build lock: taken separately, another command's build could
    replace build/analysis between this build and its render, which would then show the other selection."""
    from .pipeline.build import build_lock

    with build_lock(Path(args.build_dir)):
        return cmd_build(args) or cmd_render(args)


def cmd_tidy(args) -> int:
    """Rewrite the CSVs in canonical form (UTF-8, no BOM, LF, trimmed cells), atomically, only if they validate."""
    from .data.tidy import tidy

    changed = tidy(Path(args.data_dir))
    for path in changed:
        print(f"rewrote {display_path(path)}")
    if not changed:
        print("all CSVs already tidy")
    return 0


def cmd_search(args) -> int:
    """Re-run the saved PubMed query and list the records the screening log does not hold yet."""
    import pandas as pd

    from .data.load import load_tables
    from .living.search import SearchUnavailable, UnusableReply, fetch_pubmed, saved_query, unscreened

    email = ncbi_email(args)
    tables = load_tables(Path(args.data_dir))
    query = args.query or saved_query(tables["searches"])
    try:
        records = fetch_pubmed(query, email, retmax=args.retmax, since=args.since)
    except SearchUnavailable as exc:
        print(f"alsreview search: {exc}. The saved query needs internet access to PubMed; nothing was changed.\n"
              f"  query: {query}", file=sys.stderr)
        return EXIT_OUTSIDE
    except UnusableReply as exc:
        print(f"alsreview search: unusable reply from PubMed: {exc}; nothing was changed", file=sys.stderr)
        return EXIT_OUTSIDE
    new = unscreened(records, tables["screening"], tables["studies"])
    for row in new.itertuples(index=False):
        year = "" if pd.isna(row.year) else int(row.year)
        print(f"PMID:{row.pmid}\t{year}\t{row.title}")
    print(f"{len(records)} record(s) found, {len(new)} not yet in screening.csv", file=sys.stderr)
    return 0


def ncbi_email(args) -> str:
    email = args.email or os.environ.get("NCBI_EMAIL", "")
    if not email:
        raise UsageError("give --email (or set NCBI_EMAIL): NCBI asks every E-utilities user for a contact address")
    return email


def cmd_retractions(args) -> int:
    """Ask PubMed for the publication types of every included PMID; print the flagged works, and with --record add
    the new ones to publication_flags.csv, atomically."""
    import datetime as dt

    from .data.flags import FLAG_WORDS
    from .data.load import load_tables
    from .data.schema import read_datapackage
    from .living.releases import append_rows
    from .living.retractions import check_publications, new_flags
    from .living.search import SearchUnavailable, UnusableReply

    email = ncbi_email(args)
    package = read_datapackage(Path(args.data_dir))
    tables = load_tables(package)
    try:
        works, found, missing = check_publications(tables["studies"], email, dt.date.today().isoformat())
    except (SearchUnavailable, UnusableReply) as exc:
        print(f"alsreview retractions: {exc}; nothing was changed", file=sys.stderr)
        return EXIT_OUTSIDE
    for row in found.itertuples(index=False):
        print(f"{row.study_id}\tPMID:{row.pmid}\t{FLAG_WORDS[row.flag]}")
    if missing:
        print(f"PubMed did not describe {len(missing)} PMID(s): {', '.join(missing)}", file=sys.stderr)
    recorded = tables["publication_flags"]
    fresh = new_flags(found, recorded)
    if args.record and len(fresh):
        path = package.path_of("publication_flags")
        append_rows(path, fresh, list(recorded.columns))
        print(f"recorded {len(fresh)} new flag(s) in {display_path(path)} (decision pending)", file=sys.stderr)
    print(f"{len(works)} PMID(s) checked, {len(found)} flagged, {len(fresh)} not yet recorded", file=sys.stderr)
    undecided = set(found["study_id"]) - set(recorded.loc[recorded["decision"] != "pending", "study_id"])
    return 1 if undecided else 0


def cmd_snapshot(args) -> int:
    """Record the current data as a release at the end of releases.csv (what the next version's 'What changed'
    compares with), atomically."""
    from .data.load import load_tables
    from .data.schema import read_datapackage
    from .living.releases import append_rows, release_version, snapshot
    from .living.update import our_estimates

    package = read_datapackage(Path(args.data_dir))
    version = release_version(package)
    tables = load_tables(package)
    releases = tables["releases"]
    if version in set(releases["version"]):
        raise UsageError(f"release {version} is already recorded in releases.csv; raise the version in "
                         "datapackage.json, CITATION.cff and pyproject.toml first")
    path = package.path_of("releases")
    append_rows(path, snapshot(tables, version, our_estimates(tables)), list(releases.columns))
    print(f"recorded release {version} in {display_path(path)}")
    return 0


def cmd_readme(args) -> int:
    """Write docs/data-dictionary.md from datapackage.json (the name is older than the page: the dictionary was
    once a section of README.md)."""
    from .data.dictionary import PAGE, write_dictionary
    from .data.schema import read_datapackage

    changed = write_dictionary(PAGE, read_datapackage(Path(args.data_dir)))
    print(f"{display_path(PAGE)} " + ("updated" if changed else "already up to date"))
    return 0


EXIT_CODES = """exit status:
  0   done
  1   the data break a rule (each problem printed as file:line: column: 'value': rule), or a step failed
  2   wrong command line or parameter
  3   Quarto not found (render only; everything before rendering is done)
  4   PubMed could not be reached, or sent a reply that cannot be used (search and retractions only)
  70  internal error (a bug: run again with ALSREVIEW_DEBUG=1 and report the traceback)
  73  a folder cannot be written (read-only or no permission)
  74  the disk is full
  130 interrupted (Ctrl-C); 143 stopped (SIGTERM)
`make` exits 2 whenever a step fails; its last line names the step's own status (`Error 3`)."""

COMMANDS = {
    "validate": ("check every table against the data dictionary and the cross-table rules",
                 "Reads data/datapackage.json (the data dictionary) and every CSV it lists, and prints each "
                 "problem found, not just the first. Writes nothing.",
                 ["alsreview validate", "alsreview validate --data-dir path/to/data"]),
    "build": ("validate, run the notebooks that need it, assemble build/analysis",
              "Validates the data, executes the notebooks with papermill (in parallel, and only those whose "
              "notebook, parameters, or the data tables or package modules it used changed) and swaps the finished tables, figures "
              "and values.yml into build/analysis/ only when every step succeeded.",
              ["alsreview build", "alsreview build --species human", "alsreview build --species mouse,rat --year-min 2000",
               "alsreview build --evidence-types animal_experiment --jobs 1 --force"]),
    "render": ("render the review with Quarto into build/report (HTML and PDF)",
               "Renders report/index.qmd from the stored outputs of `alsreview build`; Quarto executes nothing. "
               "The last good report stays in place if rendering fails.",
               ["alsreview render", "alsreview render --quarto /opt/quarto/bin/quarto"]),
    "report": ("build, then render, as one command (what `make report` runs)",
               "Runs `alsreview build` and then `alsreview render`, holding the build lock from the start of the "
               "build to the end of the render, so a report is always rendered from its own build even when "
               "another command builds in the same folder at the same time. Takes the options of both.",
               ["alsreview report", "alsreview report --species human --quarto /opt/quarto/bin/quarto",
                "alsreview report --year-min 2005 --jobs 1"]),
    "tidy": ("rewrite the CSVs in canonical form, atomically, only if they validate",
             "Canonical form: UTF-8 without BOM, LF line endings, cells trimmed. Files already tidy are left "
             "untouched; nothing is written when the data break a rule.",
             ["alsreview tidy", "alsreview tidy --data-dir path/to/data"]),
    "search": ("re-run the saved PubMed search and list the records not yet screened (needs internet)",
               "Runs the newest PubMed query of data/searches.csv through NCBI's E-utilities (Biopython's Entrez) and "
               "prints the PMIDs that data/screening.csv does not hold yet, newest first. Writes nothing. Exit 4 "
               "when PubMed cannot be reached or its reply cannot be used (not XML, too large, of another shape).",
               ["alsreview search --email you@example.org", "alsreview search --retmax 200 --email you@example.org",
                "alsreview search --email you@example.org --query 'ALS AND exercise'",
                "alsreview search --email you@example.org --since 2026-11-26"]),
    "retractions": ("ask PubMed whether an included work was retracted or has an expression of concern (needs internet)",
                    "Sends the PMID of every work in data/studies.csv to NCBI's ESummary and prints each work whose "
                    "publication types include 'Retracted Publication' or 'Expression of Concern'. With --record, "
                    "adds the new flags to data/publication_flags.csv with the decision 'pending' (a flagged work "
                    "leaves the pooling until a curator sets keep or exclude) and never changes a decision already "
                    "made. Exit 4 when PubMed cannot be reached; exit 1 when a work is flagged and not yet decided.",
                    ["alsreview retractions --email you@example.org",
                     "alsreview retractions --email you@example.org --record"]),
    "snapshot": ("record the current data as a release in data/releases.csv",
                 "Appends the current works, counts, pooled estimates and conclusions under the version in "
                 "datapackage.json; the next version's 'What changed' section compares with it. Raise the version in "
                 "datapackage.json and CITATION.cff first.",
                 ["alsreview snapshot"]),
    "readme": ("write the data dictionary page, docs/data-dictionary.md, from datapackage.json",
               "Regenerates docs/data-dictionary.md (every table, field, type and rule) from data/datapackage.json "
               "and writes nothing else; run it after editing the descriptor, since a test fails when the two "
               "disagree. The command keeps its old name from when the dictionary was a section of README.md.",
               ["alsreview readme"]),
}


class VersionAction(argparse.Action):
    """--version, with the version looked up only when asked for (reading the package metadata is slow)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help="show the version (pyproject.toml's) and exit"):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from . import package_version

        print(f"{parser.prog} {package_version()}")
        parser.exit()


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


def build_options(command: argparse.ArgumentParser) -> None:
    """The selection and the parallelism, for `build` and `report`."""
    command.add_argument("--species", metavar="LIST", help="comma-separated, any of: mouse, rat, human, none (default: all)")
    command.add_argument("--year-min", metavar="YEAR", help="keep studies published in or after YEAR")
    command.add_argument("--year-max", metavar="YEAR", help="keep studies published in or before YEAR")
    command.add_argument("--evidence-types", metavar="LIST",
                         help="comma-separated evidence types as in the data dictionary, e.g. human_rct,"
                              "animal_experiment (default: all)")
    command.add_argument("--jobs", type=int, default=2, metavar="N", help="notebooks run at once (default: 2)")


def render_options(command: argparse.ArgumentParser) -> None:
    """Which Quarto, for `render` and `report`."""
    command.add_argument("--quarto", default="", metavar="PATH",
                         help="the quarto binary (default: quarto on PATH, then .venv/bin/quarto)")


def parser() -> argparse.ArgumentParser:
    formatter = argparse.RawDescriptionHelpFormatter
    p = argparse.ArgumentParser(
        prog="alsreview", parents=[common_options(suppress=False)], formatter_class=formatter,
        description=textwrap.fill("Data, analyses and report of the living review of exercise therapy in ALS. "
                                  "`make report` runs `alsreview report` (build, then render); `make help` lists the make "
                                  "targets.", 88),
        epilog=examples(["alsreview validate", "alsreview build --species human", "alsreview render",
                         "alsreview build --help"]))
    p.add_argument("--version", action=VersionAction)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands = {}
    for name, (summary, description, lines) in COMMANDS.items():
        commands[name] = sub.add_parser(name, help=summary, description=f"{summary[0].upper()}{summary[1:]}.\n\n{textwrap.fill(description, 88)}",
                                        epilog=examples(lines), formatter_class=formatter,
                                        parents=[common_options(suppress=True)])
    build_options(commands["build"])
    build_options(commands["report"])
    render_options(commands["render"])
    render_options(commands["report"])
    for name, forced in (("build", "re-run every notebook even if its cached result is current"),
                         ("render", "render even if nothing the report is made from changed since the last one"),
                         ("report", "re-run every notebook and render, even if nothing changed")):
        commands[name].add_argument("--force", action="store_true", help=forced)
    s = commands["search"]
    s.add_argument("--email", metavar="ADDRESS", help="contact address sent to NCBI (default: $NCBI_EMAIL)")
    s.add_argument("--query", metavar="QUERY", help="search this instead of the saved query")
    s.add_argument("--retmax", type=int, default=1000, metavar="N", help="most records to fetch (default: 1000)")
    s.add_argument("--since", metavar="DATE", type=iso_date,
                   help="only records that entered PubMed on or after DATE (YYYY-MM-DD), e.g. the last search's date")
    r = commands["retractions"]
    r.add_argument("--email", metavar="ADDRESS", help="contact address sent to NCBI (default: $NCBI_EMAIL)")
    r.add_argument("--record", action="store_true", help="add new flags to data/publication_flags.csv (decision pending)")
    return p


def iso_date(text: str) -> str:
    """A YYYY-MM-DD date that exists, as argparse's type: a wrong one is a usage error naming the value."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date of the form YYYY-MM-DD") from None


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
    from .pipeline.build import BuildError

    try:
        return globals()[f"cmd_{args.command}"](args)  # every name in COMMANDS has its cmd_ function
    except DataError as exc:
        for line in problem_lines(exc.problems):
            print(line)
        print(f"{len(exc.problems)} problem(s) found; nothing was built or written", file=sys.stderr)
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
