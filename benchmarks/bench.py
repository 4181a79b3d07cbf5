"""Benchmark (make bench): how validation, the analyses and the build scale with the size of the dataset.

Generates seeded, schema-valid synthetic datasets, times each step and its peak memory (tracemalloc, Python
allocations only), prints a table and writes build/bench.json. Not a test: it prints figures, it asserts nothing.
"""
from __future__ import annotations

import json
import random
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from alsreview.load import load_tables
from alsreview.paths import BUILD_DIR, DATA_DIR
from alsreview.schema import read_datapackage
from alsreview.validate import validate

SIZES = [int(a) for a in sys.argv[1:]] or [41, 1_000, 10_000, 100_000]


def synthetic(folder: Path, n_studies: int, seed: int = 1) -> None:
    """A valid dataset of n_studies experiments with 2 arms and 3 outcomes per arm, from the shipped enums."""
    rng = random.Random(seed)
    package = read_datapackage(DATA_DIR)
    shutil.copytree(DATA_DIR, folder)
    modalities = package.enum("interventions", "modality")
    domains = package.enum("outcomes", "domain")
    directions = package.enum("outcomes", "direction")
    fields = {name: res.field_names for name, res in package.resources.items()}
    url = "https://example.org/synthetic"
    studies, arms, outcomes = [], [], []
    for i in range(n_studies):
        sid = f"synthetic{i}x{1990 + i % 30}"
        studies.append(dict(study_id=sid, authors="Synthetic A", year=1990 + i % 30, title=f"Study {i}", journal="J Synth",
                            evidence_type="animal_experiment", species=rng.choice(["mouse", "rat"]), model="synthetic",
                            exercise_tested="yes", population="als_model_animal", source_url=url, extraction="abstract"))
        for a in range(2):
            arm = f"{sid}-a{a}"
            arms.append(dict(arm_id=arm, study_id=sid, arm_label=f"a{a}", modality=rng.choice(modalities), n=rng.randint(5, 30),
                             sex="both", source_url=url, extraction="abstract"))
            for o in range(3):
                outcomes.append(dict(outcome_id=f"{arm}-{o + 1}", study_id=sid, arm_id=arm, domain=rng.choice(domains),
                                     measure="m", direction=rng.choice(directions), finding="f", source_url=url, extraction="abstract"))
    import csv

    for name, rows in (("studies", studies), ("interventions", arms), ("outcomes", outcomes)):
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields[name], lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    for name in ("recommendation_support", "pooled_results"):
        (folder / f"{name}.csv").write_text(",".join(fields[name]) + "\n", encoding="utf-8")


def measure(fn):
    tracemalloc.start()
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return result, seconds, peak


def main() -> None:
    from alsreview.evidence_map import evidence_map
    from alsreview.summary import animal_vs_human, characteristics, evidence_by_model

    results = []
    print(f"{'studies':>8} {'outcomes':>9} {'step':<20} {'seconds':>8} {'peak MiB':>9}")
    for n in SIZES:
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "data"
            synthetic(data, n)
            problems, s, m = measure(lambda: validate(data))
            assert not problems, problems[:3]
            rows = [("validate", s, m)]
            tables, s, m = measure(lambda: load_tables(data))
            rows.append(("load", s, m))
            for name, fn in (("characteristics", characteristics), ("evidence_by_model", evidence_by_model),
                             ("evidence_map", evidence_map), ("animal_vs_human", animal_vs_human)):
                _, s, m = measure(lambda fn=fn: fn(tables))
                rows.append((name, s, m))
            for step, s, m in rows:
                print(f"{n:>8} {6 * n:>9} {step:<20} {s:>8.3f} {m:>9.1f}")
                results.append({"studies": n, "outcomes": 6 * n, "step": step, "seconds": round(s, 4), "peak_mib": round(m, 1)})
    BUILD_DIR.mkdir(exist_ok=True)
    (BUILD_DIR / "bench.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {BUILD_DIR / 'bench.json'}")


if __name__ == "__main__":
    main()
