"""Errors bluehelmet raises on purpose; each names what is wrong and where."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path


class BluehelmetError(Exception):
    """Base of every error raised on purpose by bluehelmet."""


class UnknownNameError(BluehelmetError, LookupError):
    """A country, mission, organization or other name that the registry does not know."""

    def __init__(
        self,
        kind: str,
        name: str,
        known: Iterable[str] = (),
        suggestions: Iterable[str] | None = None,
    ) -> None:
        """``suggestions`` replaces the close spellings of ``name`` among ``known``."""
        known = list(known)
        self.kind = kind
        self.name = name
        if suggestions is not None:
            self.suggestions = list(suggestions)
        else:
            self.suggestions = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
        if not self.suggestions and suggestions is None:
            lowered = {k.lower(): k for k in known}
            self.suggestions = [
                lowered[k] for k in difflib.get_close_matches(name.lower(), lowered, n=3)
            ]
        msg = f"unknown {kind} {name!r}"
        if self.suggestions:
            msg += f"; did you mean: {', '.join(self.suggestions)}?"
        elif 0 < len(known) <= SHORT_LIST:
            msg += f"; known: {', '.join(known)}"
        super().__init__(msg)


SHORT_LIST = 12
"""An unknown name with no close spelling lists every known one when there are this many."""


class InputError(BluehelmetError, ValueError):
    """Bad input, located by file, line and field (or by API field when there is no file)."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.line = line
        self.field = field
        self.reason = message
        where = []
        if self.file is not None:
            where.append(self.file)
        if line is not None:
            where.append(f"line {line}")
        if field is not None:
            where.append(f"field {field!r}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class StoreError(BluehelmetError):
    """The database cannot be reached, migrated or written as asked."""


class AuthenticationError(BluehelmetError):
    """No credentials, or credentials that match no active user."""


class PermissionDeniedError(BluehelmetError):
    """The user is known but their role does not allow the action."""


class NotFoundError(BluehelmetError, LookupError):
    """A record that does not exist, or that the caller may not see (never said apart)."""

    def __init__(self, entity: str, ident: object) -> None:
        self.entity = entity
        self.ident = ident
        super().__init__(f"no {entity} with id {ident!r}")


class ConflictError(BluehelmetError):
    """The request conflicts with the stored state (a duplicate, a closed record)."""


class PreconditionFailedError(BluehelmetError):
    """An update named a version (ETag) that is no longer the stored one."""


class PreconditionRequiredError(BluehelmetError):
    """An update did not name the version (ETag) it was made against."""
