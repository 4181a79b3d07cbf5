"""The render step's own logic (not Quarto's): a missing Quarto gives instructions, a failing render keeps the
last good report, a successful one replaces it. Quarto is stood in for by small scripts that record how they
were called; the real render is tested in test_report.py where quarto is installed."""
import json
import shutil
import stat
import threading

import pytest

from alsreview import cli
from alsreview.pipeline import build as build_step


# The fake Quarto's view of its call: the output folder, and the one file the target renders to.
CALL = ('out=""; prev=""; for a in "$@"; do [ "$prev" = --output-dir ] && out="$a"; prev="$a"; done\n'
        'case "$*" in *explorer.qmd*) file=explorer.html;; *"--to html"*) file=review.html;; '
        '*"--to typst"*) file=review.pdf;; *) exit 9;; esac\n')


def fake_quarto(tmp_path, body):
    script = tmp_path / "quarto"
    script.write_text("#!/bin/sh\n" + CALL + body + "\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


@pytest.fixture
def built(tmp_path):
    build_dir = tmp_path / "build"
    (build_dir / "analysis").mkdir(parents=True)
    (build_dir / "analysis" / "manifest.json").write_text("{}")
    report = build_dir / "report" / "report"
    report.mkdir(parents=True)
    (report / "review.html").write_text("last good report")
    return build_dir


def test_missing_quarto_explains_how_to_get_it(built, capsys, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    code = cli.main(["--build-dir", str(built), "render", "--quarto", ""])
    err = capsys.readouterr().err
    if code != 3:
        pytest.skip("a quarto binary sits beside this Python, so it is not missing here")
    assert "Quarto not found" in err and "environment.yml" in err and "quarto.org" in err
    assert (built / "report" / "report" / "review.html").read_text() == "last good report"


def test_failing_render_keeps_the_last_good_report(built, tmp_path, capsys):
    quarto = fake_quarto(tmp_path, 'mkdir -p "$out/report"; echo half > "$out/report/$file"; exit 1')
    code = cli.main(["--build-dir", str(built), "render", "--quarto", str(quarto)])
    assert code == 1
    assert "quarto render failed (html exit 1, pdf exit 1, explorer exit 1)" in capsys.readouterr().err
    assert (built / "report" / "report" / "review.html").read_text() == "last good report"
    assert not list(built.glob(".report-staging-*"))


def test_successful_render_replaces_the_report(built, tmp_path):
    quarto = fake_quarto(tmp_path, '[ "$1" = render ] && [ -n "$out" ] || exit 9\n'
                                   'mkdir -p "$out/report"; echo "new $file" > "$out/report/$file"')
    assert cli.main(["--build-dir", str(built), "render", "--quarto", str(quarto)]) == 0
    for name in ("review.html", "review.pdf", "explorer.html"):
        assert (built / "report" / "report" / name).read_text() == f"new {name}\n"


def test_render_before_build_is_a_usage_error(tmp_path, capsys):
    assert cli.main(["--build-dir", str(tmp_path / "empty"), "render"]) == 2
    assert "nothing to render yet" in capsys.readouterr().err


def test_render_runs_quarto_again_only_for_the_outputs_whose_inputs_changed(built, tmp_path):
    calls = tmp_path / "calls"
    quarto = fake_quarto(tmp_path, f'echo "$file" >> "{calls}"\n'
                                   'mkdir -p "$out/report"; echo new > "$out/report/$file"')
    render = ["--build-dir", str(built), "render", "--quarto", str(quarto)]

    def rendered_since(before: int) -> list[str]:
        return sorted(calls.read_text().split()[before:])

    assert cli.main(render) == 0
    assert rendered_since(0) == ["explorer.html", "review.html", "review.pdf"]
    assert cli.main(render) == 0
    assert rendered_since(3) == [], "nothing changed, yet Quarto ran again"
    (built / "analysis" / "values.yml").write_text("values: {n: 2}\n")  # read by all three outputs
    assert cli.main(render) == 0
    assert rendered_since(3) == ["explorer.html", "review.html", "review.pdf"]
    (built / "analysis" / "tables").mkdir()
    (built / "analysis" / "tables" / "one.md").write_text("| a |\n|---|\n| 1 |\n")  # read by the review only
    assert cli.main(render) == 0
    assert rendered_since(6) == ["review.html", "review.pdf"]
    (built / "report" / "report" / "review.pdf").unlink()
    assert cli.main(render) == 0
    assert rendered_since(8) == ["review.pdf"], "the PDF is missing, yet it was not rendered"
    assert (built / "report" / "report" / "explorer.html").read_text() == "new\n"  # carried over each time
    # A package edit that changes no output rewrites only the build's manifest, which no output reads.
    (built / "analysis" / "manifest.json").write_text('{"inputs": {"src/alsreview/cli.py": "edited"}}')
    assert cli.main(render) == 0
    assert rendered_since(9) == [], "only manifest.json changed, yet Quarto ran again"


def test_another_quarto_renders_every_output_again(built, tmp_path):
    """The version `quarto --version` prints is recorded with each output; the inputs alone do not decide."""
    calls, version = tmp_path / "calls", tmp_path / "version"
    version.write_text("1.10.18\n")
    quarto = fake_quarto(tmp_path, f'echo "$file" >> "{calls}"\n'
                                   'mkdir -p "$out/report"; echo new > "$out/report/$file"')
    answer = f'#!/bin/sh\n[ "$1" = --version ] && cat "{version}" && exit 0\n'
    quarto.write_text(quarto.read_text().replace("#!/bin/sh\n", answer, 1))
    render = ["--build-dir", str(built), "render", "--quarto", str(quarto)]
    assert cli.main(render) == 0 and len(calls.read_text().split()) == 3
    assert cli.main(render) == 0 and len(calls.read_text().split()) == 3, "the same Quarto rendered again"
    keys = json.loads((built / "report" / ".render-keys.json").read_text())
    assert {entry["quarto"] for entry in keys.values()} == {"1.10.18"}
    version.write_text("1.11.0\n")
    assert cli.main(render) == 0
    assert sorted(calls.read_text().split()[3:]) == ["explorer.html", "review.html", "review.pdf"]


def test_no_staged_copy_holds_what_no_output_reads(built, tmp_path):
    """READ_BY_NONE is left out of every output's key, so Quarto must not be able to read it."""
    seen = tmp_path / "seen"
    quarto = fake_quarto(tmp_path, f'ls build/analysis >> "{seen}"\n'
                                   'mkdir -p "$out/report"; echo new > "$out/report/$file"')
    (built / "analysis" / "values.yml").write_text("values: {n: 1}\n")
    assert cli.main(["--build-dir", str(built), "render", "--quarto", str(quarto)]) == 0
    assert sorted(seen.read_text().split()) == ["values.yml"] * 3


@pytest.mark.parametrize("linked", ["report", "render.log"])
def test_render_writes_nothing_through_a_link_out_of_the_build_folder(built, tmp_path, linked, capsys):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious").write_text("keep")
    link = built / linked
    if link.exists():
        shutil.rmtree(link)
    link.symlink_to(outside, target_is_directory=True)
    quarto = fake_quarto(tmp_path, 'mkdir -p "$out/report"; echo new > "$out/report/$file"')
    assert cli.main(["--build-dir", str(built), "render", "--quarto", str(quarto)]) == 1
    err = capsys.readouterr().err
    assert f"{link} is a symbolic link to {outside}" in err and "Traceback" not in err
    assert [p.name for p in outside.iterdir()] == ["precious"] and (outside / "precious").read_text() == "keep"


def test_two_reports_at_once_each_render_their_own_selection(tmp_path, monkeypatch):
    """`alsreview report` (what `make report` runs) holds one lock from its build through its render, so another
    command's build cannot replace build/analysis in between. The build is stood in for by one that writes its
    parameters and then gives the other command every chance to build before it renders."""
    build_dir, rendered = tmp_path / "build", tmp_path / "rendered"
    first_built, second_built = threading.Event(), threading.Event()

    def build(params, build_dir, **_):
        with build_step.build_lock(build_dir):
            analysis = build_dir / "analysis"
            shutil.rmtree(analysis, ignore_errors=True)
            analysis.mkdir()
            (analysis / "manifest.json").write_text("{}")
            (analysis / "values.yml").write_text(json.dumps(params["species"]))
        if params["species"] == ["human"]:
            first_built.set()
            second_built.wait(1.5)  # the rat command's build would run now, were the lock let go
        else:
            second_built.set()
        return analysis

    monkeypatch.setattr(build_step, "build", build)
    quarto = fake_quarto(tmp_path, f'mkdir -p "$out/report"; cp build/analysis/values.yml "$out/report/$file"\n'
                                   f'{{ cat build/analysis/values.yml; echo; }} >> "{rendered}"')
    codes = {}

    def report(species):
        codes[species] = cli.main(["--build-dir", str(build_dir), "-q", "report", "--species", species,
                                   "--quarto", str(quarto)])

    human = threading.Thread(target=report, args=("human",))
    rat = threading.Thread(target=report, args=("rat",))
    human.start()
    assert first_built.wait(30)
    rat.start()
    human.join(60)
    rat.join(60)
    assert codes == {"human": 0, "rat": 0}
    assert rendered.read_text().splitlines() == ['["human"]'] * 3 + ['["rat"]'] * 3
    assert (build_dir / "report" / "report" / "review.html").read_text() == '["rat"]'
