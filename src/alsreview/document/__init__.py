"""Everything written for the reader: the values the report quotes (`values`), the generated passages (`prose`),
tables with labels instead of codes (`reader_tables`), the one escaping boundary for data text (`escape`), writing
tables, figures and values to disk (`export`), the bibliography and citation style (`bibliography`,
`citation_style`), and the explorer page's data (`explorer`).

May import from `living`, `synthesis` and `data`.
"""
