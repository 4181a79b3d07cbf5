"""alsreview: curated data, validation and analyses for the living review of exercise therapy in ALS.

One sub-package per stage of the chain, and imports run one way, from the top down:

    cli -> pipeline -> document -> living -> synthesis -> data

`data` reads and checks the curated tables; `synthesis` turns them into summaries, figures and pooled estimates;
`living` keeps the search, screening and release logs of the living update; `document` writes what the reader sees;
`pipeline` runs the notebooks and the render; `cli` is the command line. tests/test_layout.py fails on an import
that runs upwards or closes a circle.
"""

__version__ = "0.1.0"
