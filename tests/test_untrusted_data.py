"""Data are untrusted (issue 13): they cannot become markup, cannot make the build read files outside data/, and
every input the validator passes can be built. One test per defect; each failed before the fix."""
import errno
import io
import json
import os
import shutil
import stat
import subprocess
import sys

import pytest
from csv_edit import rows, set_cell, write_rows
from test_bad_input import validate
from test_render_step import fake_quarto

from alsreview import cli
from alsreview.data.errors import Problem, problem_lines
from alsreview.data.schema import read_datapackage
from alsreview.data.tidy import tidy
from alsreview.document.escape import Markup, bibtex_text, cite, escape_text, meta_text, url_text
from alsreview.document.export import markdown_cell, to_markdown
from alsreview.pipeline.build import build_lock, input_files

SECRET = "h13-secret-line-that-must-never-be-printed"
HOSTILE = ["<img src=x onerror=alert(1)>", "[x]{onmouseover=alert(1)}", "[x](javascript:alert(1))",
           "![](http://host/x.png)", "`#read(\"/etc/passwd\")`{=typst}", "{{< env HOME >}}", "@ilzecka2017",
           "$x$", "a\\|b", "a|b", "<!-- c -->", "&amp;", "*e* _f_ ~g~ ^h^", "-- --- ...", "'q' \"d\""]


# --- one escaping boundary ------------------------------------------------------------------------------------

def test_escape_text_escapes_every_ascii_punctuation_mark_and_nothing_else():
    punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
    assert escape_text(punctuation) == "".join("\\" + c for c in punctuation)
    assert escape_text("Ünïcode words 123") == "Ünïcode words 123"
    assert escape_text("line\nbreak\r\nand\x00nul") == "line break and\ufffdnul"


def test_trusted_markup_is_kept_apart_from_data_text():
    assert cite("ilzecka2017") == "@ilzecka2017" and isinstance(cite("ilzecka2017"), Markup)
    assert escape_text(cite("ilzecka2017")) == "@ilzecka2017"
    with pytest.raises(ValueError):
        cite("x]{onclick=1}")
    assert Markup("see ") + "@evil" == "see \\@evil"
    assert Markup("; ").join([cite("ilzecka2017"), "<b>"]) == "@ilzecka2017; \\<b\\>"
    assert meta_text(Markup("[@ilzecka2017]")) == "[@ilzecka2017]"


def test_markdown_cells_hold_no_live_syntax_and_no_nul():
    table = to_markdown(__import__("pandas").DataFrame({"text": HOSTILE + ["nul\x00byte"], "n": [1.5] * 16}))
    assert "\x00" not in table
    for line in table.splitlines()[2:]:
        assert line.count("|") - line.count("\\|") == 3, line  # two cells, never a third from the data
    assert markdown_cell(-0.5) == "-0.5" and markdown_cell(None) == ""


def quarto_pandoc():
    quarto = os.environ.get("QUARTO") or shutil.which("quarto")
    if not quarto or not shutil.which(quarto):
        pytest.skip("Quarto not found: set QUARTO or put quarto on PATH")
    return [quarto, "pandoc"]


def pandoc_strings(command, markdown: str) -> list[str]:
    """The text of each table cell (or paragraph) Pandoc reads from markdown."""
    ast = json.loads(subprocess.run([*command, "-f", "markdown", "-t", "json"], input=markdown, capture_output=True,
                                    text=True, check=True).stdout)

    def text(inlines):
        out = []
        for node in inlines:
            kind = node["t"]
            if kind == "Str":
                out.append(node["c"])
            elif kind == "Space":
                out.append(" ")
            else:
                out.append(f"<{kind}>")  # anything but plain text is a failure the assertion shows
        return "".join(out)

    cells = []
    for block in ast["blocks"]:
        if block["t"] == "Table":
            for body in block["c"][4]:
                for row in body[3]:
                    cells += [text(cell[4][0]["c"]) for cell in row[1] if cell[4]]
        elif block["t"] == "Para":
            cells.append(text(block["c"]))
    return cells


def test_pandoc_reads_each_escaped_cell_back_as_exactly_its_text():
    command = quarto_pandoc()
    strings = HOSTILE + ["mean -0.5 [95% CI -1 to 0]", "x" * 300, "¬\\`*_{}[]()#+-.!", "http://a.b/c?d=e&f"]
    frame = __import__("pandas").DataFrame({"text": strings})
    assert pandoc_strings(command, to_markdown(frame)) == [" ".join(s.split()) for s in strings]


def test_bibtex_fields_read_back_literally():
    command = quarto_pandoc()
    title = "A -- B \\input{/etc/passwd} $x$ {unbalanced ``q'' 'a' 100% #1 _u_ ~t ^c"
    bib = f"@article{{k2000,\n  title = {{{{{bibtex_text(title)}}}}},\n  author = {{{{X}}}},\n  year = {{2000}}\n}}\n"
    doc = "---\nnocite: '@*'\n---\n"
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"h13-{os.getpid()}.bib")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(bib)
    try:
        plain = subprocess.run([*command, "--citeproc", "--bibliography", path, "-t", "plain", "--wrap=none"],
                               input=doc, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(path)
    assert title in plain, plain
    assert url_text('https://x.org/a{b}"<c>') == "https://x.org/a%7Bb%7D%22%3Cc%3E"


# --- data stay in data/ -----------------------------------------------------------------------------------------

def point_resource(data_dir, name, path):
    descriptor = json.loads((data_dir / "datapackage.json").read_text())
    next(r for r in descriptor["resources"] if r["name"] == name)["path"] = path
    (data_dir / "datapackage.json").write_text(json.dumps(descriptor, indent=2))


@pytest.mark.parametrize("path", ["/etc/passwd", "../outside.csv", "sub/../../outside.csv", "C:/x.csv",
                                  "https://example.org/x.csv"])
def test_resource_paths_must_stay_inside_data(data_copy, capsys, path):
    outside = data_copy.parent / "outside.csv"
    shutil.copy(data_copy / "studies.csv", outside)  # a valid CSV: it used to be accepted silently
    point_resource(data_copy, "studies", path)
    code, lines = validate(data_copy, capsys)
    assert code == 1
    assert any(f": studies.path: {path!r}: the path must" in line for line in lines), lines
    assert "root:" not in "\n".join(lines)


def test_symlinked_csv_is_refused_without_showing_its_content(data_copy, capsys):
    secret = data_copy.parent / "secret.csv"
    secret.write_text(SECRET + "\n")
    (data_copy / "outcomes.csv").unlink()
    (data_copy / "outcomes.csv").symlink_to(secret)
    code, lines = validate(data_copy, capsys)
    assert code == 1 and SECRET not in "\n".join(lines)
    assert any(line.endswith("is a symbolic link: data files must be regular files inside the data folder "
                             "(the link was not followed)") for line in lines), lines


def test_symlinked_descriptor_is_refused(data_copy, capsys):
    real = data_copy.parent / "dp.json"
    shutil.move(data_copy / "datapackage.json", real)
    (data_copy / "datapackage.json").symlink_to(real)
    code, lines = validate(data_copy, capsys)
    assert code == 1 and "is a symbolic link" in lines[0]


@pytest.mark.parametrize("kind", ["dangling-link", "folder", "fifo", "device-link"])
def test_special_files_are_refused_without_hanging(data_copy, capsys, kind):
    path = data_copy / "interventions.csv"
    path.unlink()
    if kind == "dangling-link":
        path.symlink_to(data_copy / "nowhere.csv")
        expected = "is a symbolic link"
    elif kind == "folder":
        path.mkdir()
        expected = "is not a regular file (a folder): refused, not read"
    elif kind == "fifo":
        os.mkfifo(path)
        expected = "is not a regular file (a FIFO): refused, not read"
    else:
        path.symlink_to("/dev/zero")
        expected = "is a symbolic link"
    result = subprocess.run([sys.executable, "-m", "alsreview.cli", "--data-dir", str(data_copy), "validate"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{path}:0: -: '': {expected}" in result.stdout.replace(str(path.resolve()), str(path)), result.stdout


def test_only_listed_files_are_hashed(data_copy):
    os.mkfifo(data_copy / "stray.csv")
    (data_copy / "zero.csv").symlink_to("/dev/zero")
    (data_copy / "notes.json").write_text("{}")
    (data_copy / "folder.csv").mkdir()
    (data_copy / "dangling.csv").symlink_to(data_copy / "nowhere.csv")
    names = {n for n in input_files(data_copy, read_datapackage(data_copy)) if n.startswith("data/")}
    package = read_datapackage(data_copy)
    assert names == {"data/datapackage.json"} | {f"data/{r.path}" for r in package.resources.values()}


# --- the validator is the single gate -----------------------------------------------------------------------

@pytest.mark.parametrize("table,line,column,value,rule", [
    ("studies", 13, "year", "２００５", "must be an integer"),
    ("studies", 13, "year", "٢٠٠٥", "must be an integer"),
    ("interventions", 2, "n", "99999999999999999999", "out of range: an integer must lie within ±9223372036854775807 (64 bits)"),
    ("interventions", 2, "n", "-9223372036854775808", "out of range: an integer must lie within ±9223372036854775807 (64 bits)"),
    ("outcomes", 68, "effect", "1e999", "out of range: too large to be a finite number"),
    ("studies", 13, "notes", "a\x00b", "contains a control character (such as NUL): remove it"),
    ("outcomes", 68, "n_exercise", "10", "larger than the arm's n (9 on interventions.csv line 31)"),
])
def test_values_that_used_to_crash_the_build_are_reported(data_copy, capsys, table, line, column, value, rule):
    path = data_copy / f"{table}.csv"
    set_cell(path, line, column, value)
    code, lines = validate(data_copy, capsys)
    assert code == 1
    assert f"{path}:{line}: {column}: {value!r}: {rule}" in lines, lines


def test_a_cell_beyond_the_csv_field_limit_is_reported_with_its_line(data_copy, capsys):
    path = data_copy / "studies.csv"
    set_cell(path, 13, "notes", "x" * 131_073)
    code, lines = validate(data_copy, capsys)
    assert code == 1
    assert f"{path}:13: notes: {'x' * 40!r}: cell is 131073 characters long; the limit is 131072" in lines, lines


@pytest.mark.parametrize("change,message", [
    (lambda d: d["resources"].pop(next(i for i, r in enumerate(d["resources"]) if r["name"] == "risk_of_bias")),
     "resources: 'risk_of_bias': required resource missing: the analyses read this table"),
    (lambda d: d["resources"][0]["schema"]["fields"][1].update(type="date"),
     "studies.ref_no: 'date': unsupported field type; use one of string, integer, number"),
    (lambda d: d["resources"][0]["schema"]["fields"][0]["constraints"].update(pattern="^([a-z$"),
     "studies.study_id: '^([a-z$': pattern does not compile: unterminated character set at position 2"),
    (lambda d: d["resources"][0]["schema"]["fields"][3]["constraints"].update(minimum="1900"),
     "studies.year: \"minimum='1900'\": constraint 'minimum' has the wrong kind of value"),
    (lambda d: d["resources"][0]["schema"]["fields"][3]["constraints"].update(maxLength=4),
     "studies.year: 'maxLength': unknown constraint; known: required, unique, pattern, enum, minimum, maximum"),
    (lambda d: d["resources"][1]["schema"]["foreignKeys"][0]["reference"].update(resource="nothing"),
     "interventions.foreignKeys: "),
])
def test_a_malformed_descriptor_is_reported(data_copy, capsys, change, message):
    path = data_copy / "datapackage.json"
    descriptor = json.loads(path.read_text())
    change(descriptor)
    path.write_text(json.dumps(descriptor, indent=2))
    code, lines = validate(data_copy, capsys)
    assert code == 1
    assert any(line.startswith(f"{path}:0: {message}") for line in lines), lines


def test_duplicate_outcome_under_a_new_id_is_refused(data_copy, capsys):
    path = data_copy / "outcomes.csv"
    table = rows(path)
    copy = list(table[67])
    copy[0] = "cheah2009-imt-9"
    write_rows(path, table + [copy])
    code, lines = validate(data_copy, capsys)
    assert code == 1
    assert (f"{path}:{len(table) + 1}: outcome_id: 'cheah2009-imt-9': duplicate outcome: same arm_id, measure, "
            "time_point, subgroup as line 68") in lines, lines


def test_a_subgroup_tells_outcomes_apart(data_copy, capsys):
    path = data_copy / "outcomes.csv"
    table = rows(path)
    subgroup = table[0].index("subgroup")
    copy = list(table[67])
    copy[0], copy[subgroup] = "cheah2009-imt-9", "women"
    write_rows(path, table + [copy])
    assert validate(data_copy, capsys)[0] == 0


@pytest.mark.parametrize("column,value,rule", [
    ("sd_exercise", "0", "an SD of 0 gives the estimate no variance"),
    ("ci_upper", "-8.58", "a confidence interval of zero width gives the estimate no variance"),
])
def test_estimates_without_variance_are_refused_before_pooling(data_copy, capsys, column, value, rule):
    path = data_copy / "outcomes.csv"
    if column == "sd_exercise":
        for name, cell in (("mean_exercise", "5"), ("sd_exercise", "0"), ("mean_control", "4"), ("sd_control", "1")):
            set_cell(path, 68, name, cell)
        set_cell(path, 68, "effect", "")
        set_cell(path, 68, "ci_lower", "")
        set_cell(path, 68, "ci_upper", "")
    else:
        set_cell(path, 68, "effect", "-8.58")
        set_cell(path, 68, column, value)
    code, lines = validate(data_copy, capsys)
    assert code == 1
    assert any(line.startswith(f"{path}:68: ") and rule in line for line in lines), lines


def test_dollar_signs_in_figure_labels_are_text_not_mathtext():
    import pandas as pd

    from alsreview.synthesis.figure_style import use_deterministic_style
    from alsreview.synthesis.forest import plot_reported_forest

    use_deterministic_style()
    rows_ = pd.DataFrame({"outcome": ["cost $\\frac{$ per $x^"], "analysis": ["1.1"], "effect": [1.0],
                          "effect_measure": ["mean difference"],
                          "ci_lower": [0.0], "ci_upper": [2.0]})
    fig = plot_reported_forest(rows_, "title with $ sign")
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")


def test_many_problems_are_capped_with_counts_by_rule(data_copy, capsys):
    path = data_copy / "interventions.csv"
    table = rows(path)
    extra = [[f"bad{i}", "nobody2020"] + list(table[1][2:]) for i in range(600)]
    write_rows(path, table + extra)
    code, lines = validate(data_copy, capsys)
    assert code == 1
    assert len(lines) < 215
    summary = lines.index(next(l for l in lines if l.startswith("... and ")))
    assert summary == 200
    assert any(l.strip().endswith("dangling reference") for l in lines[summary:])


def test_problem_lines_without_overflow_are_the_problems():
    problems = [Problem("f.csv", i, "c", "v", "rule") for i in range(3)]
    assert problem_lines(problems) == [str(p) for p in problems]


# --- parameters are data, never shell ---------------------------------------------------------------------------

def test_make_passes_parameters_as_data_not_shell(tmp_path):
    from alsreview.data.paths import PROJ_ROOT

    if not shutil.which("make") or not (PROJ_ROOT / ".venv" / "bin" / "alsreview").exists():
        pytest.skip("make or the project's .venv is missing")
    marker = tmp_path / "pwned"
    for name in ("SPECIES", "YEAR_MIN", "EVIDENCE_TYPES", "JOBS"):
        result = subprocess.run(["make", "-s", "-o", ".venv/.installed", "notebooks", f"{name}=x; touch {marker}"],
                                cwd=PROJ_ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode != 0 and not marker.exists(), (name, result.stderr)


def test_empty_make_parameters_mean_no_selection():
    args = cli.parser().parse_args(["build", "--species", "", "--year-min", "", "--year-max", "", "--evidence-types", ""])
    assert cli.notebook_params(args) == {}


# --- render under the lock, in a staged copy; faults named --------------------------------------------------

@pytest.fixture
def built(tmp_path):
    build_dir = tmp_path / "build"
    (build_dir / "analysis").mkdir(parents=True)
    (build_dir / "analysis" / "manifest.json").write_text("{}")
    (build_dir / "analysis" / "values.yml").write_text("values: {}\n")
    return build_dir


def source_state():
    from alsreview.data.paths import PROJ_ROOT

    return sorted(p.name for p in (PROJ_ROOT / "report").iterdir()), (PROJ_ROOT / ".gitignore").read_bytes()


@pytest.mark.parametrize("exit_code", [0, 1])
def test_render_writes_nothing_into_the_source_tree(built, tmp_path, exit_code):
    before = source_state()
    quarto = fake_quarto(tmp_path, 'echo junk > report/index.typ; mkdir -p report/review_files; echo "/.quarto/" >> .gitignore\n'
                                   'test -f build/analysis/values.yml || exit 7\n'
                                   f'mkdir -p "$out/report"; echo new > "$out/report/$file"; exit {exit_code}')
    code = cli.main(["--build-dir", str(built), "render", "--quarto", str(quarto)])
    assert code == exit_code
    assert source_state() == before
    assert [p.name for p in built.iterdir() if p.name.startswith(".") and p.name != ".lock"] == []
    assert (built / "report" / "report" / "review.html").is_file() == (exit_code == 0)


def test_two_renders_at_once_both_succeed_one_after_the_other(built, tmp_path):
    busy = tmp_path / "busy"
    # One render runs its three outputs at once; two renders of the same output at once would be a collision.
    quarto = fake_quarto(tmp_path, f'[ -e "{busy}-$file" ] && exit 9; touch "{busy}-$file"; sleep 1; rm "{busy}-$file"\n'
                                   'mkdir -p "$out/report"; echo ok > "$out/report/$file"')
    command = [sys.executable, "-m", "alsreview.cli", "--build-dir", str(built), "render", "--quarto", str(quarto)]
    first, second = subprocess.Popen(command, stderr=subprocess.PIPE), subprocess.Popen(command, stderr=subprocess.PIPE)
    assert first.wait(60) == 0 and second.wait(60) == 0
    assert (built / "report" / "report" / "review.html").read_text() == "ok\n"


def test_debris_of_an_interrupted_build_is_removed_under_the_lock(tmp_path):
    for name in (".staging-99999", ".render-99999", ".report-staging-99999", ".work-01-evidence-overview"):
        (tmp_path / name / "tables").mkdir(parents=True)
    (tmp_path / "analysis").mkdir()
    with build_lock(tmp_path):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lock", "analysis"]


@pytest.mark.parametrize("number,code,words", [
    (errno.ENOSPC, 74, "the disk is full (build/analysis/x.csv); free some space and run again"),
    (errno.EROFS, 73, "cannot write (build/analysis/x.csv): the folder is read-only or not yours"),
    (errno.EACCES, 73, "cannot write (build/analysis/x.csv): the folder is read-only or not yours"),
])
def test_faults_of_the_machine_have_their_own_message_and_exit_code(monkeypatch, capsys, number, code, words):
    from alsreview.data.paths import PROJ_ROOT
    from alsreview.pipeline import build as build_module

    def failing(*args, **kwargs):
        raise OSError(number, os.strerror(number), str(PROJ_ROOT / "build" / "analysis" / "x.csv"))

    monkeypatch.setattr(build_module, "build", failing)
    assert cli.main(["build"]) == code
    err = capsys.readouterr().err
    assert words in err and "internal error" not in err and "last good outputs are unchanged" in err


def test_a_real_unwritable_build_folder_is_named(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code = cli.main(["--build-dir", str(blocker / "build"), "build"])
    assert code == 73 and "cannot write" in capsys.readouterr().err


def test_tidy_keeps_file_modes(data_copy):
    path = data_copy / "outcomes.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    path.chmod(0o644)
    assert tidy(data_copy) == [path]
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_sigterm_is_a_named_exit(tmp_path):
    script = ("import os, signal, sys; from alsreview import cli\nfrom alsreview.pipeline import build\n"
              "build.build = lambda *a, **k: os.kill(os.getpid(), signal.SIGTERM)\n"
              f"sys.exit(cli.main(['--build-dir', {str(tmp_path)!r}, 'build']))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 143
    assert "terminated; the last good outputs are unchanged" in result.stderr


def test_unlisted_special_files_do_not_hang_or_crash_the_build(data_copy, tmp_path):
    os.mkfifo(data_copy / "stray.csv")
    (data_copy / "zero.csv").symlink_to("/dev/zero")
    (data_copy / "folder.csv").mkdir()
    (data_copy / "dangling.csv").symlink_to(data_copy / "nowhere.csv")
    set_cell(data_copy / "studies.csv", 13, "year", "soon")  # stops the build at validation, before the notebooks
    result = subprocess.run([sys.executable, "-m", "alsreview.cli", "--data-dir", str(data_copy), "--build-dir",
                             str(tmp_path / "build"), "build", "--quiet"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert f"{data_copy / 'studies.csv'}:13: year: 'soon': must be an integer" in result.stdout
    assert "internal error" not in result.stderr
