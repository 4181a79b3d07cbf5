"""Editing one cell of a copied CSV the way a curator would, for the tests of what the validator says."""
import csv
import io


def rows(path):
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def write_rows(path, table):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(table)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def set_cell(path, line, column, value):
    """Set one cell; line is the file line (header = 1)."""
    table = rows(path)
    table[line - 1][table[0].index(column)] = value
    write_rows(path, table)


def get_cell(path, line, column):
    table = rows(path)
    return table[line - 1][table[0].index(column)]
