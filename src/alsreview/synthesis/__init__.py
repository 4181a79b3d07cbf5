"""What the evidence adds up to: summaries, the evidence map, timelines, risk of bias, recommendations against
evidence, the PRISMA flow, the reported meta-analyses and our own pooling of trials, as DataFrames and figures.

Owns the pooling engine (`pooling`), trial contrasts (`contrasts`), our pooled analyses (`trial_pooling`), published
results (`reported`), forest plots (`forest`), GRADE certainty (`grade`), the analysis plan as the code applies it
(`plan`) and the figure style (`figure_style`), beside the summary tables and
figures. Every function is pure: tables in, tables or figures out.

May import from `data` only.
"""
