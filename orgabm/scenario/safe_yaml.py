"""Safe YAML for scenario files: no aliases (a few bytes could expand to gigabytes) and a
bounded depth (deep nesting would exhaust the stack).
"""

from __future__ import annotations

from typing import Any, cast

import yaml

from .errors import cut

__all__ = ["MAX_DEPTH", "SafeLoader"]


#: Deepest nesting a scenario file may have (the schema needs 6 levels; deeper YAML
#: would overflow the recursion of PyYAML's composer).
MAX_DEPTH = 32


class SafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing aliases, nesting deeper than MAX_DEPTH and a key
    given twice in one mapping.

    An alias repeats a node without repeating its text, so a few hundred bytes of
    aliases of aliases expand to gigabytes (a "billion laughs"); scenarios do not
    need them. A key given twice would otherwise have the last one win in silence.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:  # PyYAML's signature
        """A ``[`` or ``{``, refused past MAX_DEPTH as soon as it is read (the scanner
        looks far ahead of the composer, in time quadratic in the open brackets)."""
        if self.flow_level >= MAX_DEPTH:
            raise yaml.scanner.ScannerError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", self.get_mark()
            )
        super().fetch_flow_collection_start(TokenClass)

    def compose_node(self, parent: Any, index: Any) -> Any:
        """A node, refusing an alias or one nested too deep before it is built."""
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, f"alias *{cut(str(event.anchor))} is not allowed: scenario files "
                "may not use anchors and aliases (write the settings out)",
                cast(yaml.error.Mark, event.start_mark),
            )  # fmt: skip
        if self.depth >= MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark
            )
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        """A mapping, refusing a key given twice (naming both lines)."""
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                key = self.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key {cut(str(key))!r} is given twice, on lines "
                        f"{seen[key]} and {line} (keep one)", key_node.start_mark,
                    )  # fmt: skip
                seen[key] = line
        return super().construct_mapping(node, deep=deep)
