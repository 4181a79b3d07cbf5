"""The render step: three outputs (the review as HTML, the review as PDF, the explorer), each with its own key over
the files it reads. Only the outputs whose key changed are rendered, all at the same time, each by its own Quarto
in its own staged copy of the project (Quarto writes beside its input, so two renders cannot share a copy). The
outputs whose key did not change are carried over from the last good report, and the assembled report replaces it
only when every render succeeded.

Which files an output reads is decided by exclusion: an output's key covers every render input except those that
only the other document reads (EXPLORER_ONLY, REVIEW_ONLY) and those no output reads (READ_BY_NONE). A new file in
report/ or build/analysis/ counts for every output until it is listed here, which can cost a render but never
leaves a stale one. Each output also records the version of the Quarto that rendered it; another Quarto renders
it again."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

KEYS_FILE = ".render-keys.json"
RENDER_LOG = "render.log"  # under the build folder: every Quarto run's output, kept after a failure
SOURCE_SUFFIXES = {".qmd", ".md", ".html", ".typ", ".css", ".scss", ".js", ".lua", ".yml", ".yaml", ".bib", ".csl"}
# The staged copy of the project Quarto renders: everything but outputs, data, environments and VCS folders.
RENDER_SKIP = ("build", "data", ".venv", ".git", ".quarto", ".pytest_cache", ".hypothesis", "__pycache__",
               "*.egg-info", ".ipynb_checkpoints")
EXPLORER_ONLY = ("report/explorer.qmd", "report/explorer.js", "report/explorer-*.js", "report/pooling.js", "report/vendor/*",
                 "build/analysis/explorer/*")
# Read by no output, and left out of the staged copies so that none can: the build's record of its own inputs
# (manifest.json) changes with every edit to the package source, even one that changes no table, figure or text.
READ_BY_NONE = ("manifest.json",)  # paths inside build/analysis


def read_by_none(analysis_dir: Path, path: Path) -> bool:
    """Whether a file under analysis_dir is one no output reads: the same test for the keys and the staged copy."""
    return Path(path).relative_to(analysis_dir).as_posix() in READ_BY_NONE
REVIEW_ONLY = ("report/index.qmd", "report/print-layout.typ", "report/reference-links.html", "report/methods.bib",
               "build/analysis/tables/*", "build/analysis/figures/*", "build/analysis/prose/*",
               "build/analysis/notebooks-html/*", "build/analysis/notebooks/*")


@dataclass(frozen=True)
class Output:
    name: str
    target: tuple[str, ...]  # what follows `quarto render`
    main_file: str  # the file that must exist for the output to count as rendered
    excluded: tuple[str, ...]  # render inputs this output does not read


OUTPUTS = (
    Output("html", ("report/index.qmd", "--to", "html"), "report/review.html", EXPLORER_ONLY),
    Output("pdf", ("report/index.qmd", "--to", "typst"), "report/review.pdf", EXPLORER_ONLY),
    Output("explorer", ("report/explorer.qmd",), "report/explorer.html", REVIEW_ONLY),
)


def find_quarto(given: str = "") -> str:
    """The Quarto to run: the one given, else quarto on PATH, else the one `pip install quarto-cli` puts beside
    this Python; "" when none of them runs."""
    beside_python = Path(sys.executable).parent / "quarto"
    quarto = given or shutil.which("quarto") or (str(beside_python) if beside_python.is_file() else "")
    return quarto if quarto and shutil.which(quarto) else ""


def quarto_version(quarto: str) -> str:
    """What `quarto --version` prints ("" if it fails): recorded with each output, which is rendered again when
    another Quarto would render it."""
    try:
        result = subprocess.run([quarto, "--version"], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def render_inputs(project_root: Path, analysis_dir: Path) -> dict[str, Path]:
    """Every file Quarto may read, by its path in the staged project."""
    root = Path(project_root)
    inputs = {"_quarto.yml": root / "_quarto.yml"}
    inputs.update({p.relative_to(root).as_posix(): p for p in sorted((root / "report").rglob("*"))
                   if p.is_file() and p.suffix in SOURCE_SUFFIXES})
    inputs.update({f"build/analysis/{p.relative_to(analysis_dir).as_posix()}": p
                   for p in sorted(Path(analysis_dir).rglob("*")) if p.is_file() and not read_by_none(analysis_dir, p)})
    return inputs


def output_keys(project_root: Path, analysis_dir: Path) -> dict[str, str]:
    """One hash per output over the names and bytes of the inputs it reads."""
    hashes = {name: hashlib.sha256(path.read_bytes()).hexdigest()
              for name, path in render_inputs(project_root, analysis_dir).items()}
    keys = {}
    for output in OUTPUTS:
        read = {name: h for name, h in hashes.items() if not any(fnmatch(name, pattern) for pattern in output.excluded)}
        keys[output.name] = hashlib.sha256(json.dumps([output.target, read], sort_keys=True).encode()).hexdigest()
    return keys


def last_render(report_dir: Path) -> dict:
    """What the last good report was rendered from: {output: {"key": ..., "files": [...]}}; {} when unknown."""
    try:
        record = json.loads((Path(report_dir) / KEYS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def outputs_to_render(report_dir: Path, keys: dict[str, str], version: str | None = None) -> list[Output]:
    """The outputs whose inputs changed since the last good report, whose files are gone, or (given the version
    of the Quarto at hand) that another Quarto rendered."""
    record = last_render(report_dir)
    stale = []
    for output in OUTPUTS:
        seen = record.get(output.name, {})
        complete = all((Path(report_dir) / f).is_file() for f in seen.get("files", [])) and \
            (Path(report_dir) / output.main_file).is_file()
        other_quarto = version is not None and seen.get("quarto") != version
        if seen.get("key") != keys[output.name] or not complete or other_quarto:
            stale.append(output)
    return stale


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in Path(folder).rglob("*") if p.is_file())


def render_outputs(quarto: str, project_root: Path, analysis_dir: Path, stage: Path, outputs: list[Output],
                   log: Path) -> dict[str, tuple[int, Path]]:
    """Render each output in its own staged copy, all at once; returns {name: (exit status, output folder)}.
    Quarto's messages go to one log per output, gathered into `log` afterwards."""
    running = {}
    for output in outputs:
        project = stage / output.name / "project"
        shutil.copytree(project_root, project, ignore=shutil.ignore_patterns(*RENDER_SKIP))
        shutil.copytree(analysis_dir, project / "build" / "analysis",
                        ignore=lambda folder, names: [n for n in names if read_by_none(analysis_dir, Path(folder, n))])
        folder = stage / output.name / "output"
        handle = open(stage / output.name / "quarto.log", "w", encoding="utf-8")
        command = [quarto, "render", *output.target, "--output-dir", str(folder.resolve())]
        running[output.name] = (subprocess.Popen(command, cwd=project, stdout=handle, stderr=subprocess.STDOUT),
                                handle, folder)
    results = {}
    try:
        for name, (process, handle, folder) in running.items():
            results[name] = (process.wait(), folder)
    finally:  # interrupted (Ctrl-C, kill): no Quarto is left running
        for process, handle, _ in running.values():
            if process.poll() is None:
                process.kill()
                process.wait()
            handle.close()
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("".join(f"== quarto render ({name}) ==\n" + (stage / name / "quarto.log").read_text(
        encoding="utf-8", errors="replace") for name in results), encoding="utf-8")
    return results


def assemble(report_dir: Path, rendered: dict[str, Path], keys: dict[str, str], target: Path,
             version: str = "") -> None:
    """The new report in `target`: fresh renders (by the Quarto of that version), plus the unchanged outputs of
    the last good report."""
    record = last_render(report_dir)
    new_record = {}
    Path(target).mkdir(parents=True, exist_ok=True)
    for output in OUTPUTS:
        if output.name in rendered:
            source, files, rendered_by = rendered[output.name], files_under(rendered[output.name]), version
        else:
            seen = record[output.name]
            source, files, rendered_by = Path(report_dir), seen["files"], seen.get("quarto", "")
        for name in files:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, target / name)
        new_record[output.name] = {"key": keys[output.name], "files": files, "quarto": rendered_by}
    (target / KEYS_FILE).write_text(json.dumps(new_record, indent=1, sort_keys=True), encoding="utf-8")


def show_failure(name: str, log: Path, tail: int = 15) -> None:
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()[-tail:]
    print(f"quarto render of the {name} output failed; its last lines:", file=sys.stderr)
    print("\n".join(f"  | {line}" for line in lines), file=sys.stderr)


def render_stale(quarto: str, project_root: Path, build_dir: Path, keys: dict[str, str], stale: list[Output],
                 verbose: bool = False, version: str = "") -> dict[str, str]:
    """Render the stale outputs at once in a staged folder, and swap the assembled report into build_dir/report
    only when every one succeeded. Returns {output: why it failed}, empty on success; the stage is always removed."""
    from .build import replace_dir

    build_dir = Path(build_dir)
    stage, report = build_dir / f".render-{os.getpid()}", build_dir / "report"
    try:
        results = render_outputs(quarto, project_root, build_dir / "analysis", stage, stale, build_dir / RENDER_LOG)
        if verbose:
            print((build_dir / RENDER_LOG).read_text(encoding="utf-8", errors="replace"))
        failed = {o.name: f"exit {results[o.name][0]}" for o in stale if results[o.name][0] != 0}
        failed.update({o.name: f"wrote no {o.main_file}" for o in stale
                       if o.name not in failed and not (results[o.name][1] / o.main_file).is_file()})
        for name in failed:
            show_failure(name, stage / name / "quarto.log")
        if not failed:
            assemble(report, {name: folder for name, (_, folder) in results.items()}, keys, stage / "report", version)
            replace_dir(stage / "report", report)
        return failed
    finally:
        shutil.rmtree(stage, ignore_errors=True)
