"""Benchmark (`make bench`): how validation, the analyses and the notebook build scale with the dataset.

For each size it grows the shipped data package with seeded synthetic studies (schema-valid, with arms and
outcomes in the shipped proportions, some trials with per-group numbers so the pooling runs), then measures:
  - wall time and peak Python memory (tracemalloc, a separate pass) of validation and each analysis function;
  - the notebook build: clean, no-op and after editing one CSV, against the naive peer (each notebook run
    one after another with the papermill command line, no cache), with the peak resident memory of the
    kernels (ru_maxrss of child processes).
Prints a table and writes build/bench.json. It measures; it does not assert. Usage:
    python benchmarks/bench.py [SIZE ...] [--no-build] [--build-max N]
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from alsreview.paths import BUILD_DIR, DATA_DIR, NOTEBOOKS_DIR
from alsreview.schema import read_datapackage

# Trials measure a small, shared vocabulary of outcomes (as in the Cochrane review), so the number of
# pooled outcomes, and of forest plots, stays bounded as studies are added.
HUMAN_MEASURES = [("functional_rating", "ALSFRS"), ("fatigue", "Fatigue Severity Scale"), ("quality_of_life", "SF-36"),
                  ("muscle_strength", "manual muscle testing"), ("muscle_strength", "MVIC upper limb"),
                  ("muscle_strength", "MVIC lower limb"), ("respiratory_function", "FVC")]
ARMS_PER_STUDY = 30 / 42      # shipped proportions: 30 arms and 76 outcomes for 42 works
OUTCOMES_PER_ARM = 76 / 30
PRIMARY_SHARE = 16 / 42


def grow(folder: Path, n_studies: int, seed: int = 20171) -> None:
    """Copy the shipped package to folder and append synthetic works until it holds n_studies."""
    shutil.copytree(DATA_DIR, folder)
    package = read_datapackage(DATA_DIR)
    rng = random.Random(seed)
    modalities = [m for m in package.enum("interventions", "modality")]
    domains = package.enum("outcomes", "domain")
    directions = package.enum("outcomes", "direction")
    url = "https://example.org/synthetic"
    new = {"studies": [], "interventions": [], "outcomes": []}
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
            study.update(evidence_type="human_rct", species="human", population="people_with_als", exercise_tested="yes",
                         exercise_role="training_programme", authors_conclusion="unclear")
        else:
            study.update(evidence_type="animal_experiment", species=rng.choice(["mouse", "rat"]),
                         population=rng.choice(["als_model_animal", "healthy_animal"]), exercise_tested="yes",
                         exercise_role="training_programme", authors_conclusion="unclear")
        new["studies"].append(study)
        if not primary:
            continue
        arm_budget += ARMS_PER_STUDY / PRIMARY_SHARE
        n_arms = max(1, int(arm_budget))
        arm_budget -= n_arms
        for a in range(n_arms):
            arm = f"{sid}-a{a}"
            new["interventions"].append(dict(arm_id=arm, study_id=sid, arm_label=f"a{a}", modality=rng.choice(modalities),
                                             n=rng.randint(5, 40), sex="both", source_url=url, extraction="abstract"))
            for o in range(max(1, round(OUTCOMES_PER_ARM + rng.uniform(-1, 1)))):
                domain, measure = rng.choice(HUMAN_MEASURES) if human else (rng.choice(domains), f"measure {rng.randrange(12)}")
                row = dict(outcome_id=f"{arm}-{o + 1}", study_id=sid, arm_id=arm, domain=domain,
                           measure=measure, time_point=rng.choice(["3 months", "6 months"]),
                           direction=rng.choice(directions), finding="Synthetic finding.", source_url=url, extraction="abstract")
                if human:
                    row.update(n_exercise=rng.randint(5, 30), mean_exercise=round(rng.gauss(30, 5), 2),
                               sd_exercise=round(rng.uniform(2, 8), 2), n_control=rng.randint(5, 30),
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


def peak_mib(fn) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak


def analysis_steps(data: Path):
    from alsreview.evidence_map import evidence_map
    from alsreview.load import load_tables
    from alsreview.meta import our_meta_analysis
    from alsreview.quality import field_coverage
    from alsreview.recommendations import recommendations_vs_evidence
    from alsreview.summary import animal_vs_human, characteristics, evidence_by_model
    from alsreview.timeline import cumulative_counts, timeline_data
    from alsreview.validate import validate

    tables = load_tables(data)
    return [
        ("validate", lambda: validate(data)),
        ("load_tables", lambda: load_tables(data)),
        ("characteristics", lambda: characteristics(tables)),
        ("evidence_by_model", lambda: evidence_by_model(tables)),
        ("evidence_map", lambda: evidence_map(tables)),
        ("animal_vs_human", lambda: animal_vs_human(tables)),
        ("recommendations", lambda: recommendations_vs_evidence(tables)),
        ("timeline_data", lambda: timeline_data(tables["studies"])),
        ("cumulative_counts", lambda: cumulative_counts(tables["studies"])),
        ("our_meta_analysis", lambda: our_meta_analysis(tables)),
        ("field_coverage", lambda: field_coverage(tables)),
    ], tables


def child_maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run_build(data: Path, build_dir: Path) -> float:
    alsreview = Path(sys.executable).parent / "alsreview"
    _, seconds = timed(lambda: subprocess.run([str(alsreview), "--data-dir", str(data), "--build-dir", str(build_dir),
                                               "build", "--quiet"], check=True, capture_output=True))
    return seconds


def run_naive(data: Path, out: Path) -> float:
    papermill = Path(sys.executable).parent / "papermill"

    out.mkdir(parents=True, exist_ok=True)

    def once():
        for nb in sorted(NOTEBOOKS_DIR.glob("[0-9]*.ipynb")):
            subprocess.run([str(papermill), "--no-progress-bar", str(nb), str(out / nb.name), "-p", "data_dir", str(data),
                            "-p", "output_dir", str(out / nb.stem)], check=True, capture_output=True)
    return timed(once)[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[41, 1_000, 10_000, 100_000])
    parser.add_argument("--no-build", action="store_true", help="skip the notebook builds")
    parser.add_argument("--build-max", type=int, default=10_000, help="largest size whose notebooks are built")
    args = parser.parse_args()
    results = []
    print(f"{'studies':>8} {'arms':>7} {'outcomes':>8}  {'step':<22} {'seconds':>8} {'peak MiB':>9}")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "data"
            grow(data, n)
            steps, tables = analysis_steps(data)
            size = {"studies": len(tables["studies"]), "arms": len(tables["interventions"]), "outcomes": len(tables["outcomes"])}
            rows = []
            for name, fn in steps:
                _, seconds = timed(fn)
                rows.append((name, seconds, peak_mib(fn)))
            if not args.no_build and n <= args.build_max:
                naive = run_naive(data, Path(tmp) / "naive")
                clean = run_build(data, Path(tmp) / "build")
                noop = run_build(data, Path(tmp) / "build")
                recs = data / "recommendations.csv"
                recs.write_text(recs.read_text(encoding="utf-8").replace("Balance training is advised.", "Balance training is advised!"),
                                encoding="utf-8")
                one_edit = run_build(data, Path(tmp) / "build")
                kernels = child_maxrss_mib()
                rows += [("build: naive papermill", naive, None), ("build: clean", clean, kernels),
                         ("build: no-op", noop, None), ("build: one CSV edited", one_edit, None)]
                ratios = {"clean/naive": clean / naive, "no-op/naive": noop / naive, "one-edit/naive": one_edit / naive}
            else:
                ratios = {}
            for name, seconds, peak in rows:
                peak_text = f"{peak:>9.1f}" if peak is not None else f"{'':>9}"
                print(f"{size['studies']:>8} {size['arms']:>7} {size['outcomes']:>8}  {name:<22} {seconds:>8.3f} {peak_text}")
                results.append({**size, "step": name, "seconds": round(seconds, 4),
                                "peak_mib": None if peak is None else round(peak, 1)})
            for name, ratio in ratios.items():
                print(f"{size['studies']:>8} {'':>7} {'':>8}  {'ratio ' + name:<22} {ratio:>8.3f}")
                results.append({**size, "step": f"ratio {name}", "ratio": round(ratio, 4)})
    BUILD_DIR.mkdir(exist_ok=True)
    (BUILD_DIR / "bench.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {BUILD_DIR / 'bench.json'}")


if __name__ == "__main__":
    main()
