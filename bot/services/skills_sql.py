"""`skills_offered`: how many of some skills a mentor's expertise list holds, in SQL
(PostgreSQL TEXT[] or SQLite JSON), for the standard and the reverse matching."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


class skills_offered(FunctionElement[int]):
    """How many of `skills` (given lower-case) the TEXT[] (PostgreSQL) or JSON list
    (SQLite) `column` holds, compared case-insensitively, each counted once."""

    type = sa.Integer()
    inherit_cache = True

    def __init__(self, column: Any, skills: Sequence[str | sa.ColumnElement[str]]) -> None:
        super().__init__(
            column, *(sa.literal(s, sa.Text) if isinstance(s, str) else s for s in skills)
        )


@compiles(skills_offered, "postgresql")
def _skills_offered_pg(element: skills_offered, compiler: Any, **kw: Any) -> str:
    column, *skills = (compiler.process(c, **kw) for c in element.clauses)
    if not skills:
        return "0"
    # The array is lower-cased once, through its text form (which keeps every element
    # apart), then each skill is one containment test; OFFSET 0 stops PostgreSQL from
    # folding the array again for each test.
    tests = " + ".join(
        f"CAST(folded.skills @> ARRAY[CAST({s} AS TEXT)] AS INTEGER)" for s in skills
    )
    return (
        f"(SELECT {tests} FROM (SELECT CAST(lower(CAST({column} AS TEXT)) AS TEXT[]) "
        f"OFFSET 0) AS folded(skills))"
    )


@compiles(skills_offered)
def _skills_offered_json(element: skills_offered, compiler: Any, **kw: Any) -> str:
    column, *skills = (compiler.process(c, **kw) for c in element.clauses)
    if not skills:
        return "0"
    return (
        f"(SELECT count(DISTINCT lower(e.value)) FROM json_each({column}) AS e "
        f"WHERE lower(e.value) IN ({', '.join(skills)}))"
    )
