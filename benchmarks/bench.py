"""Benchmark (`make bench`): setup, validation, the analyses and the whole chain, against its peer and floor.

Sizes: the shipped package grown with seeded synthetic studies (schema-valid, with arms and outcomes in the
shipped proportions, some trials with per-group numbers so the pooling runs). For each size it measures
  - every table and figure computed in one warm Python process (the notebooks' code without kernels);
  - the chain in a copy of the project, with the real Quarto: clean `make notebooks`, then `make report`
    after it (clean report = the two), a no-op `make report`, and `make report` after editing one CSV;
  - the naive peer in the same run: each notebook with the papermill command line one after another, then
    `quarto render`, no cache;
  - the floor: one kernel start plus each notebook's imports, the notebooks in parallel (JOBS at a time);
and once: the setup of a fresh clone (empty .venv; as on a new machine, and with this machine's caches), the
validation of 100,000 outcome rows, and with --test (as `make bench` runs it) the whole `make test` twice: after
removing the documents the tests keep (build/tests), then again with nothing changed. Peak memory is the
largest resident set of any process it ran.
It measures; it does not assert. Prints a table, each figure as a ratio to peer and floor, and writes
build/bench.json. Usage:
    python benchmarks/bench.py [SIZE ...] [--jobs N] [--no-chain] [--no-setup] [--test] [--quarto PATH]
"""
from __future__ import annotations

import argparse
import ast
import contextlib
import csv
import io
import json
import math
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from alsreview.data.paths import BUILD_DIR, DATA_DIR, NOTEBOOKS_DIR, PROJ_ROOT
from alsreview.data.schema import read_datapackage

sys.path.insert(0, str(PROJ_ROOT / "tests"))  # the test suite's fixture rows (fixture_rows.py) make valid trials

# Trials measure a small, shared vocabulary of outcomes (as in the Cochrane review), so the number of
# pooled outcomes, and of forest plots, stays bounded as studies are added.
HUMAN_MEASURES = [("functional_rating", "ALSFRS"), ("fatigue", "Fatigue Severity Scale"), ("quality_of_life", "SF-36"),
                  ("muscle_strength", "manual muscle testing"), ("muscle_strength", "MVIC upper limb"),
                  ("muscle_strength", "MVIC lower limb"), ("respiratory_function", "FVC")]
ARMS_PER_STUDY = 30 / 42      # shipped proportions: 30 arms and 76 outcomes for 42 works
OUTCOMES_PER_ARM = 76 / 30
PRIMARY_SHARE = 16 / 42


def grow(folder: Path, n_studies: int, seed: int = 20171) -> None:
    """Copy the shipped package to folder and append synthetic works until it holds n_studies, each with the rows
    a curator adds (README's 'Adding a study'): its screening record, its arms with their roles, and for a trial the
    comparator and the appraisal rows the test suite's fixtures use (tests/fixture_rows.py)."""
    from fixture_rows import NOTHING_PRESCRIBED_STATED, appraisal_rows

    shutil.copytree(DATA_DIR, folder)
    package = read_datapackage(DATA_DIR)
    rng = random.Random(seed)
    modalities = [m for m in package.enum("interventions", "modality") if m not in ("none", "stretching", "range_of_motion")]
    domains = package.enum("outcomes", "domain")
    directions = package.enum("outcomes", "direction")
    url = "https://example.org/synthetic"
    new = {"screening": [], "studies": [], "interventions": [], "outcomes": [], "harms": [], "populations": [],
           "risk_of_bias": []}
    existing = sum(1 for _ in open(folder / "studies.csv", encoding="utf-8")) - 1
    arm_budget = 0.0
    for i in range(max(0, n_studies - existing)):
        year = 1980 + rng.randrange(45)
        sid = f"synth{i}x{year}"
        primary = rng.random() < PRIMARY_SHARE
        human = primary and rng.random() < 0.25
        study = dict(study_id=sid, authors="Synthetic A, Example B", year=year, title=f"Synthetic study {i}",
                     journal="J Synth", source_url=url, extraction="abstract")
        if not primary:
            study.update(evidence_type="narrative_review", species="none", population="not_applicable", exercise_tested="no",
                         exercise_role="not_applicable")
        elif human:
            study.update(evidence_type="human_rct", species="human", model="people with ALS", population="people_with_als",
                         exercise_tested="yes", exercise_role="training_programme", authors_conclusion="unclear")
        else:
            study.update(evidence_type="animal_experiment", species=rng.choice(["mouse", "rat"]), model="SOD1 mice",
                         population=rng.choice(["als_model_animal", "healthy_animal"]), exercise_tested="yes",
                         exercise_role="training_programme", authors_conclusion="unclear")
        new["studies"].append(study)
        new["screening"].append(dict(record_id=f"SYN{i}", search_id="T01", identifier=f"{url}/{sid}", year=year,
                                     title=study["title"], decision="included", study_id=sid))
        if not primary:
            continue
        arm_budget += ARMS_PER_STUDY / PRIMARY_SHARE
        n_arms = max(1, int(arm_budget))
        arm_budget -= n_arms
        comparator = f"{sid}-usual" if human else ""
        arms = [f"{sid}-a{a}" for a in range(1 if human else n_arms)]
        sizes = {arm: rng.randint(5, 40) for arm in arms + ([comparator] if human else [])}
        for arm in arms:
            new["interventions"].append(dict(arm_id=arm, study_id=sid, arm_label=arm.rsplit("-", 1)[1], arm_role="exercise",
                                             modality=rng.choice(modalities), n=sizes[arm], sex="both",
                                             source_url=url, extraction="abstract", **NOTHING_PRESCRIBED_STATED))
        if human:
            new["interventions"].append(dict(arm_id=comparator, study_id=sid, arm_label="usual care", arm_role="comparator",
                                             comparator_kind="usual_care_no_exercise",
                                             comparator_basis="Synthetic: usual care without exercise.",
                                             n=sizes[comparator], sex="both", source_url=url, extraction="abstract",
                                             **NOTHING_PRESCRIBED_STATED))
            for table, rows in appraisal_rows(sid, arms + [comparator], url).items():
                new[table].extend(rows)
        for arm in arms:
            count = max(1, round(OUTCOMES_PER_ARM + rng.uniform(-1, 1)))
            measures = (HUMAN_MEASURES if human else [(rng.choice(domains), f"measure {m}") for m in range(12)])
            for o, ((domain, measure), time_point) in enumerate(rng.sample([(m, t) for m in measures
                                                                             for t in ("3 months", "6 months")], count)):
                row = dict(outcome_id=f"{arm}-{o + 1}", study_id=sid, arm_id=arm, comparator_arm_id=comparator,
                           domain=domain, measure=measure, time_point=time_point,
                           direction=rng.choice(directions), finding="Synthetic finding.", source_url=url, extraction="abstract")
                if human:
                    row.update(n_exercise=sizes[arm], mean_exercise=round(rng.gauss(30, 5), 2),
                               sd_exercise=round(rng.uniform(2, 8), 2), n_control=sizes[comparator],
                               mean_control=round(rng.gauss(28, 5), 2), sd_control=round(rng.uniform(2, 8), 2))
                new["outcomes"].append(row)
    for name, rows in new.items():
        fields = package.resources[name].field_names
        with open(folder / f"{name}.csv", "a", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
            writer.writerows({k: r.get(k, "") for k in fields} for r in rows)


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def peak_rss_mib() -> float:
    """Largest resident set of this process or any child it waited for, so far."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def run(command: list[str], cwd: Path, env: dict | None = None) -> float:
    """Run a command to completion; its seconds. A failure stops the benchmark with the command's output."""
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"bench: {' '.join(command)} failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return time.perf_counter() - started


# ---------------------------------------------------------------------------------------------------- setup

def fresh_clone(target: Path) -> Path:
    """A clone of the committed project, as a new user gets it."""
    subprocess.run(["git", "clone", "--quiet", str(PROJ_ROOT), str(target)], check=True)
    return target


def setup_seconds(clone: Path, cache: Path | None) -> tuple[float, str]:
    """Time `make .venv/.installed` in a clone with an empty .venv. cache=None uses this machine's caches (uv
    itself and its download cache); a folder stands for a new machine: no uv fetched yet, nothing downloaded."""
    shutil.rmtree(clone / ".venv", ignore_errors=True)
    env = {**os.environ, **({"UV_CACHE_DIR": str(cache / "uv-cache"), "XDG_CACHE_HOME": str(cache)} if cache else {})}
    env.pop("VIRTUAL_ENV", None)
    started = time.perf_counter()
    result = subprocess.run(["make", ".venv/.installed"], cwd=clone, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"bench: setup failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    installer = re.search(r"set up \S+ with (\w+)", result.stdout)
    noise = [line for line in (result.stdout + result.stderr).splitlines() if "warning" in line.lower()]
    return seconds, (installer.group(1) if installer else "?") + (f", {len(noise)} warning lines" if noise else "")


# -------------------------------------------------------------------------------------- tables and figures

def notebook_code(notebook: Path, data: Path, out: Path) -> list[str]:
    """The notebook's code cells with its parameters set, as papermill would inject them."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    return [code[0], f"data_dir = {str(data)!r}\noutput_dir = {str(out)!r}"] + code[1:]


def all_tables_and_figures(data: Path, out: Path) -> float:
    """Every notebook's code in this (already warm) process: the work itself, without kernels or imports."""
    import matplotlib.pyplot as plt

    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        for nb in sorted(NOTEBOOKS_DIR.glob("[0-9]*.ipynb")):
            namespace = {"display": lambda *objs: None}
            for cell in notebook_code(nb, data, out / nb.stem):
                exec(compile(cell.replace("from IPython.display import display", ""), nb.name, "exec"), namespace)
            plt.close("all")
    return time.perf_counter() - started


def warm_imports(data: Path, out: Path) -> None:
    """Run the notebooks once on the shipped data so the timed run measures work, not first imports."""
    all_tables_and_figures(DATA_DIR, out)


# ----------------------------------------------------------------------------------------------- the chain

def project_copy(root: Path, data: Path) -> Path:
    """The working tree's project files with data/ replaced by the grown data; the .venv is shared."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=PROJ_ROOT, capture_output=True,
                            text=True, check=True).stdout.splitlines()
    for name in listed:
        source = PROJ_ROOT / name
        if source.is_file() and not name.startswith("data/"):
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
    shutil.copytree(data, root / "data")
    (root / ".venv").symlink_to(PROJ_ROOT / ".venv")
    return root


def chain_env(project: Path) -> dict:
    """The copy's package comes first on the path (the shared .venv has the original installed editable)."""
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    env.pop("MAKEFLAGS", None)
    env.pop("MAKELEVEL", None)
    return env


def make(project: Path, target: str, quarto: str, jobs: int) -> float:
    # -o: the shared .venv is set up already; the copy's newer pyproject.toml must not rebuild it
    return run(["make", "-o", ".venv/.installed", target, f"QUARTO={quarto}", f"JOBS={jobs}"], project, chain_env(project))


def edit_one_csv(project: Path) -> None:
    """A curator renames one recommendation: the label reaches the recommendations table and the values, so the
    review and the explorer are rendered again. (An edit no output shows, such as a recommendation's summary,
    re-runs its notebook and renders nothing.)"""
    recs = project / "data" / "recommendations.csv"
    text = recs.read_text(encoding="utf-8")
    assert ",Balance exercise," in text, "the edited label is gone from recommendations.csv"
    recs.write_text(text.replace(",Balance exercise,", ",Balance and stability exercise,"), encoding="utf-8")


def our_chain(project: Path, quarto: str, jobs: int) -> dict[str, float]:
    for leftover in ("build", ".quarto"):
        shutil.rmtree(project / leftover, ignore_errors=True)
    times = {"clean make notebooks": make(project, "notebooks", quarto, jobs)}
    times["make report after notebooks"] = make(project, "report", quarto, jobs)
    times["clean make report"] = times["clean make notebooks"] + times["make report after notebooks"]
    times["no-op make report"] = make(project, "report", quarto, jobs)
    edit_one_csv(project)
    times["one-edit make report"] = make(project, "report", quarto, jobs)
    return times


def naive_peer(project: Path, quarto: str) -> dict[str, float]:
    """Each notebook through the papermill command line, one after another; then `quarto render`, no cache.
    The render reads the analysis our build assembled (the same inputs), into a folder of its own."""
    papermill = str(Path(sys.executable).parent / "papermill")
    out = project / "naive"
    out.mkdir()
    env = chain_env(project)
    started = time.perf_counter()
    for nb in sorted((project / "notebooks").glob("[0-9]*.ipynb")):
        run([papermill, "--no-progress-bar", str(nb), str(out / nb.name), "-p", "data_dir", str(project / "data"),
             "-p", "output_dir", str(out / nb.stem)], project, env)
    notebooks = time.perf_counter() - started
    shutil.rmtree(project / ".quarto", ignore_errors=True)
    render = run([quarto, "render", "--output-dir", str(out / "report")], project,
                 {**env, "QUARTO_PYTHON": str(Path(sys.executable))})
    return {"naive notebooks": notebooks, "naive render": render, "naive chain": notebooks + render}


def import_lines(notebook: Path) -> str:
    """The notebook's top-level import statements, whole (an import in parentheses spans several lines)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    statements = []
    for source in ("".join(c["source"]) for c in cells if c["cell_type"] == "code"):
        statements += [ast.get_source_segment(source, node) for node in ast.parse(source).body
                       if isinstance(node, (ast.Import, ast.ImportFrom))]
    return "\n".join(statements)


def kernel_floor(project: Path, jobs: int) -> float:
    """One kernel start plus the notebook's imports, per notebook, JOBS at a time: what no build can avoid."""
    from jupyter_client import KernelManager

    def one(notebook: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="bench-kernel-") as sockets:
            km = KernelManager(kernel_name="python3", transport="ipc", ip=str(Path(sockets) / "kernel"))
            km.start_kernel(env={**chain_env(project), "MPLBACKEND": "Agg"})
            client = km.client()
            client.start_channels()
            try:
                client.wait_for_ready(timeout=120)
                reply = client.execute_interactive(import_lines(notebook), timeout=300)
                assert reply["content"]["status"] == "ok", reply["content"]
            finally:
                client.stop_channels()
                km.shutdown_kernel(now=True)

    notebooks = sorted((project / "notebooks").glob("[0-9]*.ipynb"))
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, notebooks))
    return time.perf_counter() - started


def render_floor(project: Path, quarto: str) -> float:
    """Quarto's own start: rendering a one-line document to HTML and Typst."""
    doc = project / "floor"
    doc.mkdir()
    (doc / "_quarto.yml").write_text("project:\n  type: default\nformat:\n  html: default\n  typst: default\n")
    (doc / "index.qmd").write_text("---\ntitle: floor\n---\n\nOne line.\n")
    return run([quarto, "render"], doc)


def python_floor() -> float:
    """The least a no-op can cost: starting the project's Python and importing the package."""
    return run([sys.executable, "-c", "import alsreview.cli"], PROJ_ROOT)


# ------------------------------------------------------------------------------------------------- report

class Table:
    def __init__(self):
        self.rows = []
        print(f"{'measure':<38} {'studies':>8} {'seconds':>8} {'peer':>8} {'floor':>8} {'x peer':>7} {'x floor':>7}  target")

    def add(self, measure: str, studies, seconds: float, peer: float | None = None, floor: float | None = None,
            target: str = "", met: bool | None = None) -> None:
        def num(x, fmt):
            return format(x, fmt) if x is not None else "-"
        verdict = "" if met is None else (" met" if met else " MISSED")
        ratio_peer = seconds / peer if peer else None
        ratio_floor = seconds / floor if floor else None
        print(f"{measure:<38} {studies!s:>8} {seconds:>8.2f} {num(peer, '8.2f'):>8} {num(floor, '8.2f'):>8} "
              f"{num(ratio_peer, '7.2f'):>7} {num(ratio_floor, '7.2f'):>7}  {target}{verdict}", flush=True)
        self.rows.append({"measure": measure, "studies": studies, "seconds": round(seconds, 3),
                          "peer_seconds": None if peer is None else round(peer, 3),
                          "floor_seconds": None if floor is None else round(floor, 3),
                          "ratio_to_peer": None if ratio_peer is None else round(ratio_peer, 3),
                          "ratio_to_floor": None if ratio_floor is None else round(ratio_floor, 3),
                          "target": target, "met": met})


def outcome_rows(data: Path) -> int:
    with open(data / "outcomes.csv", encoding="utf-8") as handle:
        return sum(1 for _ in handle) - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[43, 1_000, 10_000], help="numbers of studies")
    parser.add_argument("--jobs", type=int, default=2, help="JOBS for make (default: 2, the Makefile's default)")
    parser.add_argument("--quarto", default=os.environ.get("QUARTO") or shutil.which("quarto") or "",
                        help="the quarto binary (default: $QUARTO, then quarto on PATH)")
    parser.add_argument("--no-chain", action="store_true", help="skip the make/papermill/quarto chain")
    parser.add_argument("--no-setup", action="store_true", help="skip timing the setup of a fresh clone")
    parser.add_argument("--test", action="store_true", help="also time the whole `make test` (in this checkout)")
    parser.add_argument("--validate-rows", type=int, default=100_000, help="outcome rows for the validation measure")
    args = parser.parse_args()
    if not args.no_chain and not args.quarto:
        sys.exit("bench: the chain needs Quarto: QUARTO=/path/to/quarto make bench (or --no-chain)")
    table = Table()
    with tempfile.TemporaryDirectory(prefix="alsreview-bench-") as tmp:
        tmp = Path(tmp)
        if not args.no_setup:
            clone = fresh_clone(tmp / "clone")
            cold, how = setup_seconds(clone, tmp / "new-machine-cache")
            table.add(f"setup, fresh clone, new machine ({how})", "-", cold, target="< 30 s", met=cold < 30)
            warm, how = setup_seconds(clone, None)
            table.add(f"setup, fresh clone, warm caches ({how})", "-", warm, target="< 15 s", met=warm < 15)
            shutil.rmtree(clone)
        if args.test:  # in this checkout, beside ../shared (the seed some tests read), with its .venv present
            shutil.rmtree(PROJ_ROOT / "build" / "tests", ignore_errors=True)  # the documents the tests keep
            for label in ("make test, no test document kept yet", "make test again, nothing changed"):
                seconds = run(["make", "test"], PROJ_ROOT, {**os.environ, "QUARTO": args.quarto})
                table.add(f"{label} (this checkout)", "-", seconds, target="<= 180 s", met=seconds <= 180)

        from alsreview.data.validate import validate

        per_study = 76 / 42
        data = tmp / "validate-data"
        grow(data, math.ceil(args.validate_rows / per_study * 1.02))
        rows = outcome_rows(data)
        problems, seconds = timed(lambda: validate(data))
        assert not problems, problems[:3]
        table.add(f"validate {rows:,} outcome rows", "", seconds, target="< 2 s", met=seconds < 2)
        shutil.rmtree(data)

        warm_imports(DATA_DIR, tmp / "warm")
        floor_python = python_floor()
        for n in args.sizes:
            data = tmp / f"data-{n}"
            grow(data, n)
            studies = sum(1 for _ in open(data / "studies.csv", encoding="utf-8")) - 1
            seconds = all_tables_and_figures(data, tmp / f"out-{n}")  # no tracemalloc: it slows Python severalfold
            table.add("all tables+figures, one warm process", studies, seconds)
            if args.no_chain:
                continue
            project = project_copy(tmp / f"project-{n}", data)
            ours = our_chain(project, args.quarto, args.jobs)
            peer = naive_peer(project, args.quarto)
            floor_nb = kernel_floor(project, args.jobs)
            floor_render = render_floor(project, args.quarto)
            floor_chain = floor_nb + floor_render
            table.add("naive peer: notebooks (papermill CLI)", studies, peer["naive notebooks"], floor=floor_nb)
            table.add("naive peer: quarto render", studies, peer["naive render"], floor=floor_render)
            table.add("clean make notebooks", studies, ours["clean make notebooks"], peer["naive notebooks"], floor_nb,
                      "<= 0.5 x peer", ours["clean make notebooks"] <= 0.5 * peer["naive notebooks"])
            if n >= 10_000:
                table.add("  = all tables and figures", studies, ours["clean make notebooks"], target="< 10 s",
                          met=ours["clean make notebooks"] < 10)
            table.add("clean make report", studies, ours["clean make report"], peer["naive chain"], floor_chain)
            table.add("no-op make report", studies, ours["no-op make report"], peer["naive chain"], floor_python,
                      "< 1 s", ours["no-op make report"] < 1)
            table.add("one-edit make report", studies, ours["one-edit make report"], peer["naive chain"], floor_chain,
                      "<= 0.5 x naive chain", ours["one-edit make report"] <= 0.5 * peer["naive chain"])
            shutil.rmtree(project)
        memory = peak_rss_mib()
        table.add(f"peak memory, any process: {memory:.0f} MiB", "", 0.0, target="< 1024 MiB", met=memory < 1024)
    BUILD_DIR.mkdir(exist_ok=True)
    (BUILD_DIR / "bench.json").write_text(json.dumps(table.rows, indent=2) + "\n")
    print(f"floors: kernel start + imports per notebook, {args.jobs} at a time; Quarto rendering a one-line document; "
          f"no-op floor: Python start + import of the CLI ({floor_python:.2f} s)")
    print(f"wrote {BUILD_DIR / 'bench.json'}")


if __name__ == "__main__":
    main()
