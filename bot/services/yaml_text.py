"""YAML files a program lead keeps in version control (milestone templates, the
curriculum): read with the line of every mapping and key, so each problem in a file
is reported as "line N: ...", and checked as a whole before anything is written."""

from __future__ import annotations

from typing import Any

import yaml

from bot.services.errors import ImportProblems


class Mapping(dict[str, Any]):
    """A YAML mapping that remembers where it and each of its keys are."""

    line: int = 1
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps line numbers and refuses a key given twice."""


def _mapping(loader: _Loader, node: yaml.MappingNode) -> Mapping:
    found = Mapping()
    found.line = node.start_mark.line + 1
    found.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            raise yaml.MarkedYAMLError(problem=f"line {line}: a key must be a word, not {key!r}")
        if key in found.key_lines:
            raise yaml.MarkedYAMLError(problem=f"line {line}: '{key}' is given twice")
        found.key_lines[key] = line
        found[key] = loader.construct_object(value_node, deep=True)
    return found


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def load(text: str, what: str, top_key: str) -> list[Any]:
    """The list under `top_key`, the only key the file may have; ImportProblems (with
    the line) when the text is not YAML or has another shape."""
    try:
        document = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise ImportProblems(what, [f"{where}{exc.problem}"]) from None
    except yaml.YAMLError as exc:
        raise ImportProblems(what, [f"line 1: not YAML ({exc})"]) from None
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
