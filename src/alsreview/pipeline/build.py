"""The build: validate, execute the notebooks (only those whose inputs changed), assemble build/analysis.

Each notebook's executed copy and artifacts are cached under build/cache/<notebook>/ with a key over
everything it depends on (its source, the parameters, and the data tables and package modules it used last
time). The assembled analysis is written to a staging folder and swapped in only when every step succeeded,
so a failing notebook leaves the last good build/analysis untouched (the failing notebook is kept in
build/failed/).
A lock keeps two builds (and renders) from writing at once; whoever holds it first removes the staging folders
an interrupted build left behind. Only the files the data package lists are read or hashed. Heavy imports wait
until they are needed, so a no-op build stays well under a second.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from ..data.paths import BUILD_DIR, DATA_DIR, NOTEBOOKS_DIR, PACKAGE_DIR, PROJ_ROOT, REPORTING_CHECKLIST
from ..data.protocol import PROTOCOL_FILE
from ..data.schema import DataPackage, read_datapackage
from .progress import BuildProgress, code_cells

# Beside inputs.json in each notebook's output folder: the package modules it imported (pipeline.notebook.ModuleRecord).
MODULES_FILE = "modules.json"

KEY_PACKAGES = ("pandas", "numpy", "matplotlib", "statsmodels", "papermill", "nbconvert", "frictionless", "bibtexparser")


class BuildError(Exception):
    """A step failed; the message says which and where to look."""


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


DEBRIS = (".staging-*", ".work-*", ".render-*", ".report-staging-*", "analysis.old", "report.old")
WRITTEN = ("analysis", "report", "cache", "failed", ".lock", "render.log")  # what build and render write in build/


def input_files(data_dir: Path, package) -> dict[str, Path]:
    """The descriptor, the files it lists, the protocol and the package source the notebooks may depend on.
    Nothing else in data/ is read: an unlisted FIFO or a link to a device there cannot hang or flood the build."""
    files = {"data/datapackage.json": Path(data_dir) / "datapackage.json"}
    files.update({f"data/{res.path}": package.path_of(name) for name, res in package.resources.items()})
    files.update({f"src/alsreview/{p.relative_to(PACKAGE_DIR)}": p for p in sorted(PACKAGE_DIR.rglob("*.py"))})
    files["protocol.yaml"] = PROTOCOL_FILE  # the analysis plan every notebook applies
    files["report/reporting-checklist.csv"] = REPORTING_CHECKLIST
    return files


def notebook_key(notebook: Path, input_hashes: dict[str, str], params: dict, tables_read: list[str] | None,
                 csv_of: dict[str, str], modules: set[str] | None = None) -> str:
    """Hash of what a notebook depends on: its source, the parameters, the protocol, the descriptor, the CSVs of
    the tables it read last time and the package modules it imported last time (all CSVs and all modules when
    it has not run yet or did not record them)."""
    data = {k: v for k, v in input_hashes.items() if k.startswith("data/")}
    if tables_read is not None:
        wanted = {"data/datapackage.json"} | {csv_of.get(t, f"data/{t}.csv") for t in tables_read}
        data = {k: v for k, v in data.items() if k in wanted}
    shared = {k: v for k, v in input_hashes.items() if not k.startswith("data/")
              and (modules is None or not k.startswith("src/") or k in modules)}
    digest = hashlib.sha256()
    digest.update(sha256(notebook).encode())
    digest.update(json.dumps({"package": shared, "data": data, "params": params}, sort_keys=True).encode())
    return digest.hexdigest()


def input_hash(name: str, path: Path) -> str:
    """A data file's hash, read the safe way; a file that cannot be read safely hashes as 'refused' (the validator,
    run next under the lock, says why)."""
    if not name.startswith("data/"):
        return sha256(path)
    from ..data.errors import DataError
    from ..data.files import read_bytes_safely

    try:
        return hashlib.sha256(read_bytes_safely(path, name, "listed in datapackage.json")).hexdigest()
    except DataError:
        return "refused"


def clean_debris(build_dir: Path) -> None:
    """Remove what an interrupted build or render left (kill -9 runs no clean-up); only called under the lock."""
    for pattern in DEBRIS:
        for path in build_dir.glob(pattern):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def link_out(link: Path, within: Path) -> Path | None:
    """Where a symbolic link leads when that is outside `within`; None for anything else."""
    if not link.is_symlink():
        return None
    target = link.resolve()
    return None if target.is_relative_to(within.resolve()) else target


def check_no_link_out(build_dir: Path) -> None:
    """The build writes only inside the project: a build folder that is a link to elsewhere, or a link in it to
    outside it where the build writes, is refused before anything is written (swapping, cleaning and `make clean`
    would act on the target)."""
    from ..data.paths import display_path

    build_dir = Path(build_dir)
    places = [(build_dir, build_dir.parent)] + [(build_dir / name, build_dir) for name in WRITTEN]
    for link, within in places:
        target = link_out(link, within)
        if target is not None:
            shown = Path(display_path(link.parent)) / link.name
            where = "the project" if within.resolve() == PROJ_ROOT else f"{display_path(within)}/"
            raise BuildError(f"{shown} is a symbolic link to {target}, outside {where}; the build "
                             "writes only inside its own folder, so nothing was written. Remove the link (to build "
                             "elsewhere, name that folder with --build-dir)")


@contextmanager
def build_lock(build_dir: Path):
    """Exclusive lock on build/.lock; a second build waits and says so. Refuses a build folder linked elsewhere.

    Re-entrant within a thread: `alsreview report` holds it from its build through its render, and the build and
    the render inside take it again without waiting for themselves."""
    held = _held_locks()
    key = os.path.abspath(build_dir)
    if key in held:
        yield
        return
    check_no_link_out(build_dir)
    build_dir.mkdir(parents=True, exist_ok=True)
    with open(build_dir / ".lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("another build is running in this folder; waiting for it to finish ...", file=sys.stderr, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        held.add(key)
        try:
            clean_debris(build_dir)
            yield
        finally:
            held.discard(key)
            fcntl.flock(handle, fcntl.LOCK_UN)


_THREAD = threading.local()


def _held_locks() -> set[str]:
    """The build folders whose lock this thread holds (each thread its own: flock alone does not tell)."""
    if not hasattr(_THREAD, "held"):
        _THREAD.held = set()
    return _THREAD.held


def replace_dir(staging: Path, target: Path) -> None:
    """Swap a finished folder into place; the old one is removed only after the new one is there."""
    old = target.with_name(target.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    if old.exists():
        shutil.rmtree(old)


def kernel_settings(socket_dir: Path, on_cell_executed=None, verbose: bool = False) -> dict:
    """How papermill talks to the kernel. Over IPC, through Unix sockets in a private folder (mode 0700) of
    this kernel's own, rather than TCP on localhost, so ipykernel has nothing to warn about and parallel
    kernels cannot meet; stopped at once when the notebook is done, since a finished batch kernel has
    nothing to save (the graceful shutdown only waits)."""
    from traitlets.config import Config

    config = Config({"KernelManager": {"transport": "ipc", "ip": str(Path(socket_dir) / "kernel")}})
    settings = {"config": config, "shutdown_kernel": "immediate", "progress_bar": False, "log_output": verbose}
    if on_cell_executed is not None:
        settings["on_cell_executed"] = on_cell_executed
    return settings


def execute_notebook(notebook: Path, params: dict, work_dir: Path, failed_dir: Path, on_cell_executed=None,
                     verbose: bool = False) -> None:
    """Run one notebook with papermill into work_dir; on failure keep it in failed_dir and raise BuildError."""
    import papermill

    executed = work_dir / "notebook.ipynb"
    try:
        with tempfile.TemporaryDirectory(prefix="alsreview-kernel-") as socket_dir:  # short: socket paths are capped
            papermill.execute_notebook(str(notebook), str(executed),
                                       parameters={**params, "output_dir": str(work_dir / "out")},
                                       kernel_name="python3", cwd=str(PROJ_ROOT),
                                       **kernel_settings(Path(socket_dir), on_cell_executed, verbose))
    except Exception as exc:  # papermill raises PapermillExecutionError and kernel errors alike
        failed_dir.mkdir(parents=True, exist_ok=True)
        kept = failed_dir / notebook.name
        if executed.exists():
            shutil.copyfile(executed, kept)
        reason = str(exc).strip().splitlines()
        detail = next((line for line in reversed(reason) if line.strip()), type(exc).__name__)
        raise BuildError(f"notebook {notebook.name} failed: {detail}\n  the executed notebook is kept at {kept}") from None
    make_reproducible(executed)


def make_reproducible(path: Path) -> None:
    """Make rebuilds identical: papermill gives its injected-parameters cell a random id (made fixed here), the
    kernel may send one print as several stream messages when the machine is busy (merged into one output), and
    papermill and the kernel write the clock into the notebook (dropped: see without_timing)."""
    import nbformat
    from nbconvert.preprocessors.coalescestreams import CoalesceStreamsPreprocessor

    book = nbformat.read(path, as_version=4)
    for cell in book.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"
    book, _ = CoalesceStreamsPreprocessor().preprocess(book, {})
    nbformat.write(nbformat.from_dict(without_timing(book)), path)


TIMING = ("start_time", "end_time", "duration")  # papermill's, for the notebook and for each cell


def without_timing(book: dict) -> dict:
    """The notebook less its clock readings (papermill's start, end and duration, the kernel's execution
    timestamps), which differ on every run and would make manifest.json, which hashes the notebook, differ too.
    How long each notebook took is on the build's own line for it (`ran  01-...  6.1 s`)."""
    cells = [{**cell, "metadata": _untimed(cell.get("metadata", {}), drop=("execution",))}
             for cell in book.get("cells", [])]
    return {**book, "metadata": _untimed(book.get("metadata", {})), "cells": cells}


def _untimed(metadata: dict, drop: tuple[str, ...] = ()) -> dict:
    kept = {key: value for key, value in metadata.items() if key not in drop}
    if isinstance(kept.get("papermill"), dict):
        kept["papermill"] = {key: value for key, value in kept["papermill"].items() if key not in TIMING}
    return kept


def run_notebook(notebook: Path, input_hashes: dict, params: dict, build_dir: Path, csv_of: dict[str, str],
                 progress: BuildProgress, verbose: bool = False) -> tuple[str, float]:
    """Execute a notebook unless its cached key still matches; returns ('ran' or 'reused', seconds)."""
    cache = build_dir / "cache" / notebook.stem
    key_params = {k: v for k, v in params.items() if k != "data_dir"}
    if (cache / "key").is_file():
        key = notebook_key(notebook, input_hashes, key_params, recorded_tables(cache), csv_of, recorded_modules(cache))
        if (cache / "key").read_text() == key:
            progress.advance(code_cells(notebook))
            return "reused", 0.0
    started = time.perf_counter()
    work = build_dir / f".work-{notebook.stem}"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    try:
        execute_notebook(notebook, params, work, build_dir / "failed", progress.cell_done, verbose)
        (work / "key").write_text(notebook_key(notebook, input_hashes, key_params, recorded_tables(work), csv_of,
                                               recorded_modules(work)))
        cache.parent.mkdir(parents=True, exist_ok=True)
        replace_dir(work, cache)
    finally:
        if work.exists():
            shutil.rmtree(work)
    return "ran", time.perf_counter() - started


def recorded_tables(cache: Path) -> list[str] | None:
    """The tables a notebook read on its last run; None when it did not record them (then it depends on all)."""
    path = cache / "out" / "inputs.json"
    return json.loads(path.read_text()) if path.is_file() else None


def recorded_modules(cache: Path) -> set[str] | None:
    """The package's source files a notebook imported on its last run (as input_files names them: a module, or
    a package's __init__.py); None when it did not record them (then it depends on all)."""
    path = cache / "out" / MODULES_FILE
    if not path.is_file():
        return None
    files = set()
    for name in json.loads(path.read_text()):
        parts = name.split(".")[1:]
        if not parts:
            candidates = (Path("__init__.py"),)
        else:
            candidates = (Path(*parts[:-1], parts[-1] + ".py"), Path(*parts, "__init__.py"))
        for candidate in candidates:
            if (PACKAGE_DIR / candidate).is_file():
                files.add(f"src/alsreview/{candidate.as_posix()}")
    return files


def merged_values(caches: list[Path]) -> dict:
    values = {}
    for cache in caches:
        for path in sorted((cache / "out" / "values").glob("*.json")):
            values.update(json.loads(path.read_text(encoding="utf-8")))
    return values


def assemble(caches: list[Path], staging: Path, studies) -> None:
    """Collect every notebook's outputs, the bibliography, values.yml and HTML copies of the notebooks."""
    import nbformat
    import yaml
    from nbconvert import HTMLExporter

    from ..document.bibliography import methods_bibtex, to_bibtex
    from ..document.citation_style import write_citation_style

    (staging / "notebooks").mkdir(parents=True)
    (staging / "notebooks-html").mkdir()
    exporter = HTMLExporter()
    for cache in caches:
        shutil.copytree(cache / "out", staging, dirs_exist_ok=True, ignore=shutil.ignore_patterns("inputs.json", MODULES_FILE))
        executed = staging / "notebooks" / f"{cache.name}.ipynb"
        shutil.copyfile(cache / "notebook.ipynb", executed)
        body, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4))
        (staging / "notebooks-html" / f"{cache.name}.html").write_text(body, encoding="utf-8")
    values = merged_values(caches)
    front = values.pop("front_matter", {})  # title, subtitle, author, date: top-level metadata for Quarto
    (staging / "values.yml").write_text(yaml.safe_dump({**front, "values": values}, sort_keys=True, allow_unicode=True),
                                        encoding="utf-8")
    (staging / "references.bib").write_text(to_bibtex(studies) + "\n" + methods_bibtex(), encoding="utf-8")
    write_citation_style(staging)


def check_selection(tables: dict, params: dict, data_dir: Path) -> None:
    """An empty selection stops the build before any notebook runs, naming the parameters."""
    from ..data.paths import display_path
    from ..data.subset import select
    from .params import empty_selection_message

    chosen = select(tables, species=params.get("species") or None, year_min=params.get("year_min"),
                    year_max=params.get("year_max"), evidence_types=params.get("evidence_types") or None)
    if chosen["studies"].empty:
        raise BuildError(empty_selection_message(params, display_path(Path(data_dir) / "studies.csv")))


def package_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": sys.version.split()[0]}
    for name in KEY_PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def write_manifest(staging: Path, build_key: str, input_hashes: dict, notebook_hashes: dict, params: dict,
                   tables_read: dict, modules: dict) -> None:
    outputs = {str(p.relative_to(staging)): sha256(p) for p in sorted(staging.rglob("*")) if p.is_file()}
    manifest = {"build_key": build_key, "parameters": params, "inputs": {**input_hashes, **notebook_hashes},
                "tables_read_by_notebook": tables_read, "modules_imported_by_notebook": modules,
                "outputs": outputs, "versions": package_versions()}
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def build(params: dict, data_dir: Path = DATA_DIR, build_dir: Path = BUILD_DIR, notebooks_dir: Path = NOTEBOOKS_DIR,
          jobs: int = 2, force: bool = False, progress: bool = True, log=print, verbose: bool = False,
          package: DataPackage | None = None) -> Path:
    """Bring build_dir/analysis up to date with the data, notebooks, package and parameters; returns its path.

    progress draws one bar for all notebooks (on a terminal); log receives one line per notebook; verbose
    also logs every cell's output. `package` is data_dir's descriptor when the caller has read it already."""
    data_dir, build_dir = Path(data_dir), Path(build_dir)
    notebooks = sorted(Path(notebooks_dir).glob("[0-9]*.ipynb"))
    params = {**params, "data_dir": str(Path(data_dir).resolve())}
    if package is None:
        package = read_datapackage(data_dir)  # a broken or unsafe descriptor stops here, before any data file is read
    input_hashes = {name: input_hash(name, path) for name, path in input_files(data_dir, package).items()}
    build_key = hashlib.sha256(json.dumps({"inputs": input_hashes, "notebooks": [sha256(nb) for nb in notebooks],
                                           "params": {k: v for k, v in params.items() if k != "data_dir"}},
                                          sort_keys=True).encode()).hexdigest()
    analysis = build_dir / "analysis"
    with build_lock(build_dir):
        manifest = analysis / "manifest.json"
        if not force and manifest.is_file() and json.loads(manifest.read_text()).get("build_key") == build_key:
            for nb in notebooks:
                log(f"reused  {nb.stem}  0.0 s")
            return analysis
        from ..data.load import load_tables

        tables = load_tables(package)  # raises DataError, listing every problem, unless valid
        studies = tables["studies"]
        check_selection(tables, params, data_dir)
        csv_of = {name: f"data/{res.path}" for name, res in package.resources.items()}
        if force:
            shutil.rmtree(build_dir / "cache", ignore_errors=True)
        errors = []
        with BuildProgress(sum(code_cells(nb) for nb in notebooks), show_bar=progress, log=log) as display, \
                ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = {nb: pool.submit(run_notebook, nb, input_hashes, params, build_dir, csv_of, display, verbose)
                       for nb in notebooks}
            for nb, future in futures.items():
                try:
                    status, seconds = future.result()
                    display.line(f"{status:<7} {nb.stem}  {seconds:.1f} s")
                except BuildError as exc:
                    errors.append(str(exc))
        if errors:
            raise BuildError("\n".join(errors) + "\nthe last good outputs in build/analysis are unchanged")
        staging = build_dir / f".staging-{os.getpid()}"
        if staging.exists():
            shutil.rmtree(staging)
        try:
            assemble([build_dir / "cache" / nb.stem for nb in notebooks], staging, studies)
            notebook_hashes = {f"notebooks/{nb.name}": sha256(nb) for nb in notebooks}
            tables_read = {nb.stem: recorded_tables(build_dir / "cache" / nb.stem) for nb in notebooks}
            modules = {nb.stem: sorted(recorded_modules(build_dir / "cache" / nb.stem) or []) for nb in notebooks}
            write_manifest(staging, build_key, input_hashes, notebook_hashes,
                           {k: v for k, v in params.items() if k not in ("data_dir", "output_dir")}, tables_read,
                           modules)
            replace_dir(staging, analysis)
        finally:
            if staging.exists():
                shutil.rmtree(staging)
    return analysis
