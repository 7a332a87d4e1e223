"""Typed errors that say which input is wrong and how, in words an economist reads."""


class TenplansError(Exception):
    """Base of every error the suite reports to its user without a traceback."""

    exit_code = 1


class InputFileError(TenplansError):
    """A raw file that cannot be used at all: the run stops before writing anything."""

    exit_code = 2

    def __init__(self, path, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class ParamsError(TenplansError):
    """A params/*.yaml file that is missing a key or holds an impossible value."""

    exit_code = 2


class NoDataError(TenplansError):
    """The requested quarter is not present in the data."""

    exit_code = 2


class NotebookFailed(TenplansError):
    """A report notebook raised; the executed notebook is kept for inspection."""

    exit_code = 3

    def __init__(self, notebook: str, cell: int | None, error: str, kept_at):
        self.notebook, self.cell, self.error, self.kept_at = notebook, cell, error, kept_at
        where = f"cell {cell}" if cell is not None else "start-up"
        super().__init__(f"notebook {notebook} failed at {where}: {error} (kept at {kept_at})")
