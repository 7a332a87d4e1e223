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


class RunLocked(TenplansError):
    """Another run holds the output folder; this one leaves it alone and stops."""

    exit_code = 4

    def __init__(self, lock_path, holder: dict):
        self.lock_path, self.holder = lock_path, holder
        who = ", ".join(f"{k} {v}" for k, v in holder.items()) or "details not yet written"
        super().__init__(
            f"另一次运行正在使用输出目录 / another run holds {lock_path} ({who}); "
            "本次未做任何改动 / nothing was changed"
        )
