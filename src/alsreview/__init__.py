"""alsreview: curated data, validation and analyses for the living review of exercise therapy in ALS.

One sub-package per stage of the chain, and imports run one way, from the top down:

    cli -> pipeline -> document -> living -> synthesis -> data

`data` reads and checks the curated tables; `synthesis` turns them into summaries, figures and pooled estimates;
`living` keeps the search, screening and release logs of the living update; `document` writes what the reader sees;
`pipeline` runs the notebooks and the render; `cli` is the command line. tests/test_layout.py fails on an import
that runs upwards or closes a circle.
"""



def __getattr__(name: str):
    """`alsreview.__version__`, looked up only when asked for: importing importlib.metadata takes longer than
    importing this package."""
    if name == "__version__":
        return package_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def package_version() -> str:
    """The version pyproject.toml declares, its one source: as the installed package records it, or read from
    pyproject.toml when the source tree runs without being installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("alsreview")
    except PackageNotFoundError:
        import tomllib
        from pathlib import Path

        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
