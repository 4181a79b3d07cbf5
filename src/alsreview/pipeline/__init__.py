"""Running the chain: the notebooks' parameters (`params`), what every notebook does first and last (`notebook`),
the cached, parallel, all-or-nothing build of build/analysis (`build`, with its progress display `progress`), and
the render of the report's three outputs, each only when what it reads changed (`render`). `cli.py` sits on top and turns every failure into a
message and an exit status.

May import from every other stage; nothing imports from it but `cli`.
"""
