"""YAML files a program lead keeps in version control (settings, milestone templates, the
curriculum): read with the line of every mapping and key, so each problem in a file
is reported as "line N: ...", and checked as a whole before anything is written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from bot.services.errors import ImportProblems


class Mapping(dict[str, Any]):
    """A YAML mapping that remembers where it and each of its keys are."""

    line: int = 1
    key_lines: dict[str, int]
    # A key given again: (key, line) for each repeat; YAML itself would keep the last silently.
    repeats: list[tuple[str, int]]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


@dataclass(frozen=True)
class Document:
    """A whole YAML file as read: its content (Mappings all the way down, None when the
    file is empty), the line it starts on, and the problems with its keys (a key given
    twice, a key that is not a word) in the order they stand."""

    content: Any
    line: int
    key_problems: list[str]


class NotYaml(Exception):
    """The text is not YAML; `line` is 1-based, or None when the parser could not say."""

    def __init__(self, line: int | None, problem: str, *, marked: bool) -> None:
        super().__init__(problem)
        self.line = line
        self.problem = problem
        # False for errors before parsing (e.g. a character YAML refuses): no line to give.
        self.marked = marked


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps line numbers and notes the keys that are given twice."""

    key_problems: list[str]


def _mapping(loader: _Loader, node: yaml.MappingNode) -> Mapping:
    found = Mapping()
    found.line = node.start_mark.line + 1
    found.key_lines = {}
    found.repeats = []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            loader.key_problems.append(f"line {line}: a key must be a word, not {key!r}")
        if key in found.key_lines:
            loader.key_problems.append(f"line {line}: '{key}' is given twice")
            found.repeats.append((key, line))
        else:
            found.key_lines[key] = line
        # The last value wins, as in any YAML reader; the first line is the one reported.
        found[key] = loader.construct_object(value_node, deep=True)
    return found


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def read(text: str) -> Document:
    """`text` as YAML, each mapping a Mapping that knows its lines (the one reader for
    every YAML file MentorBot imports). NotYaml when it is not YAML."""
    loader: _Loader | None = None
    try:
        loader = _Loader(text)
        loader.key_problems = []
        node = loader.get_single_node()
        if node is None:
            return Document(None, 1, [])
        return Document(
            loader.construct_document(node), node.start_mark.line + 1, loader.key_problems
        )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise NotYaml(line, str(exc.problem), marked=True) from None
    except yaml.YAMLError as exc:
        raise NotYaml(None, str(exc), marked=False) from None
    finally:
        if loader is not None:
            loader.dispose()


def load(text: str, what: str, top_key: str) -> list[Any]:
    """The list under `top_key`, the only key the file may have; ImportProblems (with
    the line) when the text is not YAML or has another shape."""
    try:
        read_back = read(text)
    except NotYaml as exc:
        if not exc.marked:
            raise ImportProblems(what, [f"line 1: not YAML ({exc.problem})"]) from None
        where = f"line {exc.line}: " if exc.line is not None else ""
        raise ImportProblems(what, [f"{where}{exc.problem}"]) from None
    if read_back.key_problems:
        # The first is enough: a file with a repeated key is usually mis-pasted.
        raise ImportProblems(what, read_back.key_problems[:1])
    document = read_back.content
    if not isinstance(document, Mapping):
        raise ImportProblems(what, [f"line 1: the file must start with `{top_key}:`"])
    problems = [
        f"line {document.line_of(key)}: unknown key '{key}' (only `{top_key}:` is read)"
        for key in document
        if key != top_key
    ]
    items = document.get(top_key)
    if not isinstance(items, list):
        problems.append(f"line {document.line_of(top_key)}: `{top_key}:` must be a list")
    if problems:
        raise ImportProblems(what, problems)
    return items


def item_problems(
    item: Any, index_line: int, known: dict[str, type | tuple[type, ...]]
) -> list[str]:
    """What is wrong with one list item's shape: not a mapping, a key it may not have,
    a value of the wrong type (None is left to the caller: absent or empty)."""
    if not isinstance(item, Mapping):
        return [f"line {index_line}: each entry must be a mapping of `key: value` lines"]
    problems = []
    for key, value in item.items():
        line = item.line_of(key)
        if key not in known:
            problems.append(f"line {line}: unknown key '{key}' (known: {', '.join(known)})")
        elif value is not None and not _is(value, known[key]):
            problems.append(f"line {line}: {key} must be {_type_name(known[key])}")
    return problems


def _is(value: Any, wanted: type | tuple[type, ...]) -> bool:
    # YAML's true/false are ints to Python; a number field must not take them.
    if isinstance(value, bool):
        return wanted is bool or (isinstance(wanted, tuple) and bool in wanted)
    return isinstance(value, wanted)


def _type_name(wanted: type | tuple[type, ...]) -> str:
    names = {str: "text", int: "a whole number", bool: "true or false", list: "a list"}
    options = wanted if isinstance(wanted, tuple) else (wanted,)
    return " or ".join(names.get(t, t.__name__) for t in options)


def dump(top_key: str, items: list[dict[str, Any]], comment: str) -> str:
    """`comment` lines, then the items under `top_key`, in the order given."""
    header = "".join(f"# {line}\n" for line in comment.splitlines())
    body = yaml.safe_dump(
        {top_key: items}, sort_keys=False, allow_unicode=True, default_flow_style=False
    )
    return header + body
