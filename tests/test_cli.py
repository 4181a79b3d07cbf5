"""The command line explains itself: every --help works and shows a description and examples, --version,
options accepted where users type them, and the exit codes the help and docs/command-line.md promise."""
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from alsreview import cli
from alsreview.data.paths import DATA_DIR, PROJ_ROOT

SUBCOMMANDS = sorted(cli.COMMANDS)


def run(*args, **kw):
    return subprocess.run([sys.executable, "-m", "alsreview.cli", *args], capture_output=True, text=True, **kw)


def test_every_subcommand_of_the_parser_is_documented():
    actions = [a for a in cli.parser()._actions if a.dest == "command"]
    assert sorted(actions[0].choices) == SUBCOMMANDS


@pytest.mark.parametrize("command", [[]] + [[name] for name in SUBCOMMANDS])
def test_every_help_has_a_description_examples_and_exit_codes(command):
    result = run(*command, "--help")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    usage, rest = text.split("\n\n", 1)
    assert usage.startswith("usage: alsreview")
    description = rest.split("\n\n", 1)[0]
    assert len(description.split()) >= 5, f"no description in {command}: {description!r}"
    examples = text.split("examples:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert examples and all(line.strip().startswith("alsreview") for line in examples)
    if command:
        assert any(line.split()[1] == command[0] for line in examples)
    assert "exit status:" in text and re.search(r"^\s+3\s+Quarto", text, re.M)


def exit_statuses(text: str) -> list[int]:
    return sorted(int(code) for code in re.findall(r"(?:^\s+|;\s+)(\d+)\s", text, flags=re.M))


def test_the_exit_status_page_lists_every_status_of_the_help():
    """docs/command-line.md has a table row for every status the help's `exit status:` list names, and no other."""
    page = (PROJ_ROOT / "docs" / "command-line.md").read_text(encoding="utf-8")
    section = page.split("## Exit status", 1)[1]
    documented = sorted(int(code) for code in re.findall(r"^\| (\d+) \|", section, flags=re.M))
    assert exit_statuses(cli.EXIT_CODES) == [0, 1, 2, 3, 4, 70, 73, 74, 130, 143]
    assert documented == exit_statuses(cli.EXIT_CODES)
    assert "`make` itself exits 2" in section and "Error 3" in section


def test_every_build_option_explains_its_value():
    text = run("build", "--help").stdout
    for option in ("--species LIST", "--year-min YEAR", "--year-max YEAR", "--evidence-types LIST", "--jobs N"):
        assert option in text, option
    assert "mouse, rat, human, none" in text


def test_version_is_the_one_pyproject_declares():
    declared = tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    result = run("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"alsreview {declared}"


@pytest.mark.parametrize("order", ["before", "after"])
def test_common_options_work_before_and_after_the_subcommand(order, tmp_path, capsys):
    data = tmp_path / "elsewhere"
    shutil.copytree(DATA_DIR, data)
    (data / "studies.csv").write_text("study_id\n", encoding="utf-8")
    args = ["--data-dir", str(data), "validate"] if order == "before" else ["validate", "--data-dir", str(data)]
    assert cli.main(args) == 1
    assert "elsewhere" in capsys.readouterr().err


def test_an_option_after_the_subcommand_wins_over_one_before(tmp_path, capsys):
    assert cli.main(["--data-dir", str(tmp_path / "missing"), "validate", "--data-dir", str(DATA_DIR)]) == 0
    assert "all tables valid" in capsys.readouterr().out


def test_verbose_and_quiet_exclude_each_other():
    result = run("build", "--verbose", "--quiet")
    assert result.returncode == 2 and "not allowed with" in result.stderr


def test_render_without_quarto_exits_3_in_one_line_with_the_fix(tmp_path):
    (tmp_path / "analysis").mkdir()
    (tmp_path / "analysis" / "manifest.json").write_text("{}")
    env = {"PATH": "/usr/bin:/bin"}
    result = run("--build-dir", str(tmp_path), "render", env=env, cwd=PROJ_ROOT)
    if (Path(sys.executable).parent / "quarto").exists():
        pytest.skip("quarto-cli is installed into .venv")
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "QUARTO=" in lines[0] and "environment.yml" in lines[0], lines


def test_make_help_lists_every_target_a_user_runs():
    makefile = (PROJ_ROOT / "Makefile").read_text()
    phony = makefile.split(".PHONY:", 1)[1].split("\n", 1)[0].split()
    result = subprocess.run(["make", "--no-print-directory", "-s", "help"], cwd=PROJ_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    listed = {line.split()[0] for line in result.stdout.splitlines()[1:] if line.strip()}
    assert set(phony) - {"all"} <= listed, set(phony) - listed
    assert all(len(line.split(None, 1)) == 2 for line in result.stdout.splitlines()[1:]), "a target without a description"
