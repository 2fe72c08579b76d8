"""User mistakes become one clear line and an exit code, not a traceback."""

import functools
import sys


class UserError(Exception):
    """An error the user can fix (a missing file, a wrong option)."""


def exits_cleanly(command):
    """Run a command; print user errors as one line on stderr and return 1–2."""

    @functools.wraps(command)
    def wrapper(args):
        try:
            return command(args) or 0
        except KeyboardInterrupt:
            print("skxrd: interrupted", file=sys.stderr)
            return 130
        except (
            UserError,
            FileNotFoundError,
            IsADirectoryError,
            PermissionError,
            ValueError,
        ) as exc:
            message = (
                str(exc).strip().splitlines()[0]
                if str(exc).strip()
                else type(exc).__name__
            )
            if (
                isinstance(exc, FileNotFoundError)
                and exc.filename
                and exc.filename not in message
            ):
                message = f"{message}: {exc.filename}"
            print(f"skxrd {args.command}: error: {message}", file=sys.stderr)
            return 2 if isinstance(exc, UserError) else 1

    return wrapper
