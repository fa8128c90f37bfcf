"""Domain errors: each carries a message a person can read, shown as it is."""

from __future__ import annotations


class DomainError(Exception):
    """Something the person asked for cannot be done; `str(error)` says why and what to do."""


class NotAllowed(DomainError):
    """The actor's role does not permit this."""


class NotFound(DomainError):
    """The thing referred to does not exist (or is not visible to the actor)."""


class Conflict(DomainError):
    """The state changed underneath (already answered, already submitted, ...)."""


class CapacityFull(Conflict):
    """The mentor has no free slot."""


class InvalidInput(DomainError):
    """One or more fields are wrong. `errors` maps a field name to what to enter;
    modal listeners turn it into `response_action: errors`."""

    def __init__(self, errors: dict[str, str] | str, field: str | None = None) -> None:
        if isinstance(errors, str):
            errors = {field or "input": errors}
        self.errors = errors
        super().__init__(" ".join(errors.values()))


class ImportProblems(DomainError):
    """A file was refused as a whole; `problems` lists "line N: what is wrong" for each,
    in line order."""

    def __init__(self, what: str, problems: list[str]) -> None:
        self.problems = sorted(problems, key=_line_of)
        super().__init__(
            f"{what} not imported ({len(problems)} problem(s)); nothing was changed:\n"
            + "\n".join(self.problems)
        )


def _line_of(problem: str) -> int:
    head = problem.split(":", 1)[0].removeprefix("line ")
    return int(head) if head.isdigit() else 0
