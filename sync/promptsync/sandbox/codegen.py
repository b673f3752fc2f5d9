"""Jinja's code generator, taught to compile three things through the environment's checks.

This subclasses private parts of Jinja (`CodeGenerator`, `Frame`, `optimizeconst`): pyproject
pins jinja2 below its next minor release, and tests/test_sandbox_internals.py fails loudly when
the methods relied on here change shape.
"""

from __future__ import annotations

from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst


class BoundedCodeGenerator(CodeGenerator):
    """Compiles `a ~ b` into a call that checks the size before joining, every loop's iterable
    into one that checks the render's deadline, and every buffer (what a `{% set %}` block, a
    macro, a call block or a filter block captures) into one that counts what it holds."""

    def buffer(self, frame: Frame) -> None:
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment.captured_text()")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loop_iterables: set[int] = set()  # ids of nodes alive for this compile

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        # Jinja forbids new node types; mark the iterable, and wrap it where it is written.
        # Only a template with a loop pays for the look-up on every node: the instance's
        # `visit` takes over from the class's once there is an iterable to find.
        self._loop_iterables.add(id(node.iter))
        self.visit = self._visit_wrapping_iterables  # type: ignore[method-assign]
        super().visit_For(node, frame)

    def _visit_wrapping_iterables(self, node: nodes.Node, *args: Any, **kwargs: Any) -> Any:
        if id(node) not in self._loop_iterables:
            return CodeGenerator.visit(self, node, *args, **kwargs)
        self.write("environment.bounded_iter(")
        CodeGenerator.visit(self, node, *args, **kwargs)
        self.write(")")
        return None

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        else:
            join = "markup_join" if frame.eval_ctx.autoescape else "str_join"
        self.write(f"environment.bounded_concat({join}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")
