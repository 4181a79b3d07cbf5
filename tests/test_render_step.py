"""The render step's own logic (not Quarto's): a missing Quarto gives instructions, a failing render keeps the
last good report, a successful one replaces it. Quarto is stood in for by small scripts that record how they
were called; the real render is tested in test_report.py where quarto is installed."""
import stat

import pytest

from alsreview import cli


def fake_quarto(tmp_path, body):
    script = tmp_path / "quarto"
    script.write_text("#!/bin/sh\n" + body + "\n")
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
    quarto = fake_quarto(tmp_path, 'mkdir -p "$3/report"; echo half > "$3/report/review.html"; exit 1')
    code = cli.main(["--build-dir", str(built), "render", "--quarto", str(quarto)])
    assert code == 1
    assert "quarto render failed (exit 1)" in capsys.readouterr().err
    assert (built / "report" / "report" / "review.html").read_text() == "last good report"
    assert not list(built.glob(".report-staging-*"))


def test_successful_render_replaces_the_report(built, tmp_path):
    quarto = fake_quarto(tmp_path, '[ "$1" = render ] && [ "$2" = --output-dir ] || exit 9\n'
                                   'mkdir -p "$3/report"; echo new > "$3/report/review.html"; echo pdf > "$3/report/review.pdf"')
    assert cli.main(["--build-dir", str(built), "render", "--quarto", str(quarto)]) == 0
    assert (built / "report" / "report" / "review.html").read_text() == "new\n"
    assert (built / "report" / "report" / "review.pdf").is_file()


def test_render_before_build_is_a_usage_error(tmp_path, capsys):
    assert cli.main(["--build-dir", str(tmp_path / "empty"), "render"]) == 2
    assert "nothing to render yet" in capsys.readouterr().err


def test_render_runs_quarto_again_only_when_an_input_changed(built, tmp_path):
    calls = tmp_path / "calls"
    quarto = fake_quarto(tmp_path, f'echo called >> "{calls}"\n'
                                   'mkdir -p "$3/report"; echo new > "$3/report/review.html"; echo pdf > "$3/report/review.pdf"')
    render = ["--build-dir", str(built), "render", "--quarto", str(quarto)]
    assert cli.main(render) == 0
    assert cli.main(render) == 0
    assert calls.read_text().count("called") == 1, "nothing changed, yet Quarto ran again"
    (built / "analysis" / "values.yml").write_text("values: {n: 2}\n")
    assert cli.main(render) == 0
    assert calls.read_text().count("called") == 2, "build/analysis changed, yet the report was not rendered"
    (built / "report" / "report" / "review.pdf").unlink()
    assert cli.main(render) == 0
    assert calls.read_text().count("called") == 3, "the PDF is missing, yet the report was not rendered"
