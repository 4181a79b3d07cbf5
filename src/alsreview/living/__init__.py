"""The living update: the saved PubMed search and what nobody has screened yet (`search`), the screening log as a
PRISMA flow for an updated review (`screening`), releases and what changed between them (`releases`), and the
update's tables and figures in one place (`update`).

May import from `synthesis` and `data`.
"""
