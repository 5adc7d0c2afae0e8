"""How the command line shows library errors: the library's words, then the CLI's advice.

Library errors (:class:`realist.errors.RealistError`) say what is wrong in
the library's own terms and carry structured facts (``file``, ``line``,
``record``, ``field``, ``key``).  This module is the one place the command
line adds its advice ("use --force ..."), keyed by the error's ``key`` or,
failing that, by its ``field`` when the failing command has an option of
that name.  The web app keeps its own advice the same way.
"""

from __future__ import annotations

import click

from ..errors import RealistError

__all__ = ["HINTS", "error_message", "hint_for"]


#: Advice the command line adds to a library error, keyed by ``RealistError.key``.
HINTS: dict[str, str] = {
    "already-imported": "use --force to import it again",
    "no-review": "create one with `realist init DIR --title ...`, or name one with --review DIR",
    "no-such-pair": "see `realist dedup --pending`",
    "no-studies": "make them with `realist study add` or `realist study from-included`",
    "no-such-study": "`realist study list` shows them",
    "codes-in-use": "pass --allow-removal to remove them anyway",
    "codebook-exists": "pass --replace to overwrite it",
    "offline-not-cached": "chase from saved OpenAlex JSON with --from PATH",
    "openalex-unavailable": "check --openalex-url, or chase offline with --from PATH",
    "openalex-needs-key": "set --api-key or REALIST_OPENALEX_API_KEY",
    "seed-without-identifier": "name the work by DOI with --seed",
    "no-seeds": "name seeds with --seed, or use --included",
    "fulltext-exists": "`realist fulltext remove` removes it",
    "schema-outdated": "run `realist migrate` to upgrade it",
}


def hint_for(exc: RealistError, command: click.Command | None = None) -> str | None:
    """The CLI's advice for a library error: by its ``key``, else by its ``field``.

    A ``field`` names a Python parameter (``per_record``); when the command
    that failed has an option for it, the hint names the option
    (``--per-record``).
    """
    if exc.key in HINTS:
        return HINTS[exc.key]
    if exc.field and command is not None:
        for param in command.params:
            if param.name == exc.field and isinstance(param, click.Option):
                return f"see {max(param.opts, key=len)}"
    return None


def error_message(exc: RealistError, command: click.Command | None = None) -> str:
    """A library error as the command line shows it: the message, then any hint."""
    hint = hint_for(exc, command)
    return f"{exc}; {hint}" if hint else str(exc)
