"""The private parts of Jinja the sandbox builds on, checked so that an upgrade fails here,
loudly, instead of quietly compiling templates without their bounds.

pyproject pins jinja2 below its next minor release; when raising the pin, read
sync/promptsync/sandbox/codegen.py against the new jinja2/compiler.py and update both.
"""

from __future__ import annotations

import inspect
import re

import jinja2
import pytest
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst

from promptsync.sandbox import ENV

BROKEN = "jinja2's private compiler changed; the sandbox's bounds may be off: see codegen.py"


def _parameters(method: object) -> list[str]:
    return list(inspect.signature(method).parameters)  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "expected"), [
    ("visit_For", ["self", "node", "frame"]),
    ("visit_Concat", ["self", "node", "frame"]),
    ("visit", ["self", "node", "args", "kwargs"]),
    ("buffer", ["self", "frame"]),
    ("temporary_identifier", ["self"]),
    ("write", ["self", "x"]),
    ("writeline", ["self", "x", "node", "extra"]),
])
def test_the_code_generator_methods_keep_their_signatures(name: str, expected: list[str]) -> None:
    assert _parameters(getattr(CodeGenerator, name)) == expected, f"{BROKEN} ({name})"


def test_the_buffer_is_still_a_list_made_in_one_place() -> None:
    # The override replaces `t_N = []` with a counted buffer; Jinja must make no buffer elsewhere.
    source = inspect.getsource(jinja2.compiler)
    assert source.count(".buffer = self.temporary_identifier()") == 1, BROKEN
    assert re.search(r"frame\.buffer = self\.temporary_identifier\(\)\n\s+"
                     r"self\.writeline\(f\"\{frame\.buffer\} = \[\]\"\)", source), BROKEN


def test_frame_and_optimizeconst_are_what_the_generator_uses() -> None:
    assert callable(optimizeconst), BROKEN
    frame = Frame(nodes.EvalContext(ENV))
    assert hasattr(frame, "buffer") and hasattr(frame.eval_ctx, "volatile"), BROKEN
    assert hasattr(frame.eval_ctx, "autoescape"), BROKEN


def test_compiled_templates_carry_every_bound() -> None:
    source = ("{% macro m() %}{{ caller() }}{% endmacro %}{% call m() %}x{% endcall %}"
              "{% set s %}{% for i in range(3) %}{{ i ~ 'a' }}{% endfor %}{% endset %}"
              "{% filter upper %}{{ s }}{% endfilter %}")
    code = ENV.compile(source, raw=True)
    for bound in ("environment.bounded_iter(", "environment.bounded_concat(",
                  "environment.captured_text()"):
        assert bound in code, f"{BROKEN}: no {bound}"
    assert not re.search(r"\bt_\d+ = \[\]", code), f"{BROKEN}: an uncounted buffer"


def test_the_pinned_minor_release() -> None:
    assert jinja2.__version__.startswith("3.1."), BROKEN
