"""The one exception type that means "the user asked for something we cannot do"."""


class UserError(Exception):
    """A mistake the user can fix (bad argument, missing file, unknown id).

    The CLI prints its message without a traceback and exits with `exit_code`.
    """

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code
