"""One progress display for the whole build: a single bar on a terminal, one line per notebook, never glued."""
import io
import re
import threading

from alsreview.pipeline.progress import BuildProgress


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_lines_start_on_a_line_of_their_own_while_parallel_notebooks_advance_one_bar():
    screen = Terminal()
    with BuildProgress(60, log=lambda text: screen.write(text + "\n"), stream=screen) as progress:
        def notebook(name):
            for _ in range(20):
                progress.cell_done(cell=None, cell_index=0, execute_reply=None)
            progress.line(f"ran     {name}  1.0 s")

        workers = [threading.Thread(target=notebook, args=(f"0{i}-nb",)) for i in range(3)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    text = screen.getvalue()
    for i in range(3):
        assert re.search(rf"(^|[\r\n])(\x1b\[[0-9;]*[A-Za-z])*ran     0{i}-nb  1\.0 s\n", text), text
    assert text.count("notebooks:") >= 1 and "|" in text


def test_no_bar_outside_a_terminal_only_the_lines():
    pipe = io.StringIO()
    lines = []
    with BuildProgress(10, log=lines.append, stream=pipe) as progress:
        progress.advance(10)
        progress.line("reused  01-evidence-overview  0.0 s")
    assert pipe.getvalue() == "" and lines == ["reused  01-evidence-overview  0.0 s"]
