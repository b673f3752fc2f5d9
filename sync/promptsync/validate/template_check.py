"""Checks of one template: Jinja syntax, unsafe constructs, variables, and its samples' renders."""

from __future__ import annotations

import re
import time
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import Template, TemplateSyntaxError, nodes

from promptsync.model import (
    PromptType,
    Sample,
    VariableSpec,
    made_up_values,
)
from promptsync.rendering.renderer import compile_declared, outcome_of
from promptsync.sandbox import (
    ENV,
    FailureCode,
    Rendered,
    RenderFailure,
    failure_of,
    syntax_failure,
)
from promptsync.validate import codes
from promptsync.validate.finding import Finding, did_you_mean, error, warning
from promptsync.validate.rules import PYTHON_TYPES, Rules

SAMPLE_SECONDS = 1.0
# All samples of one file together: a file of many slow samples must not stall a whole run.
FILE_RENDER_SECONDS = 2.0
_PY_FORMAT = re.compile(r"(?<![{$])\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})")
_JINJA_SPAN = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_UNSAFE_NODES = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)
# Globals of the environment and names Jinja binds by itself inside loops and macros.
_IMPLICIT = frozenset(ENV.globals) | {"loop", "caller", "varargs", "kwargs"}
# What each kind of render failure is, as a finding about a sample.
_SAMPLE_CODES = {FailureCode.TIMEOUT: codes.SAMPLE_TIMEOUT, FailureCode.TOO_LONG:
                 codes.SAMPLE_TOO_LONG, FailureCode.BLOCKED: codes.TEMPLATE_UNSAFE,
                 FailureCode.SYNTAX: codes.JINJA_SYNTAX}


@dataclass(frozen=True)
class TemplatePlace:
    """Where the template text sits in the file, to turn template lines into file lines."""

    path: str
    line: int
    indent: int
    lines: tuple[str, ...]
    # For folded (>) and multi-line quoted scalars: (file line, raw text) of each line the
    # scalar spans. YAML folds a single line break into a space and keeps each blank line as a
    # newline, so template line N is the run of file lines after the (N-1)th blank line.
    folded: tuple[tuple[int, str], ...] = ()
    # What the text is called in a finding: a variant's text says which variant it is.
    label: str = "the template"

    def at(self, template_line: int, needle: str = "", column: int = 0) -> tuple[int, int]:
        """The file's (line, column) of template line `template_line`: at `column` of it when
        known (from 1), else where `needle` first appears on it, else at its start."""
        index = min(max(template_line, 1), max(len(self.lines), 1)) - 1
        text = self.lines[index] if self.lines else ""
        if column > 0:
            # The word starting there finds it again in a folded scalar's file lines.
            needle = text[column - 1:].split(" ", 1)[0] or text[column - 1:column]
        if self.folded:
            return self._at_folded(template_line, needle)
        if column <= 0:
            column = text.find(needle) + 1 if needle and needle in text else 1
        return self.line + index, self.indent + column

    def _at_folded(self, template_line: int, needle: str) -> tuple[int, int]:
        run: list[tuple[int, str]] = []
        current = 1
        for number, raw in self.folded:
            if not raw.strip():
                current += 1
            elif current == template_line:
                run.append((number, raw))
        for number, raw in run:
            if needle and needle in raw:
                return number, raw.index(needle) + 1
        number, raw = run[0] if run else self.folded[-1]
        return number, len(raw) - len(raw.lstrip()) + 1


def type_matches(value: Any, declared: str) -> bool:
    if declared != "boolean" and isinstance(value, bool):
        return False
    return isinstance(value, PYTHON_TYPES.get(declared, (object,)))


def check_template(place: TemplatePlace, source: str, prompt_type: PromptType,
                   declared: Mapping[str, VariableSpec], rules: Rules,
                   var_marks: Mapping[str, tuple[int, int]],
                   also_used: Collection[str] = ()) -> tuple[list[Finding], Any]:
    """Findings about the template and the file's declarations; also its AST when it parses
    (for sample renders). `also_used`: the variables the file's variants use (a variable only
    a variant uses is not unused)."""
    findings, ast, used = check_text(place, source, declared, rules)
    if ast is not None:
        findings += _declarations(place, used, prompt_type, declared, rules, var_marks,
                                  also_used)
    return findings, ast


def check_text(place: TemplatePlace, source: str, declared: Mapping[str, VariableSpec],
               rules: Rules) -> tuple[list[Finding], Any, dict[str, int]]:
    """The checks of one text, the template's or a variant's: Jinja syntax, unsafe
    constructs, undeclared variables, Python-format placeholders; its AST when it parses and
    the variables it reads (with the first line reading each)."""
    try:
        ast = ENV.parse(source)
    except TemplateSyntaxError as exc:
        return [_syntax_finding(place, source, syntax_failure(exc))], None, {}
    tree = _walk(ast)
    used = used_variables(tree)
    findings = list(_unsafe(place, tree))
    findings += _undeclared(place, used, declared, rules)
    findings += _python_format(place, source)
    return findings, ast, used


def _syntax_finding(place: TemplatePlace, source: str, failure: RenderFailure) -> Finding:
    # Jinja's parser gives only a line: the first tag on it is the best guess at the column.
    text = place.lines[failure.line - 1] if 0 < failure.line <= len(place.lines) else ""
    tags = [i for i in (text.find("{{"), text.find("{%")) if i >= 0]
    line, col = place.at(failure.line, text[min(tags):min(tags) + 2] if tags else "",
                         failure.column)
    message = f"template syntax: {failure.message}"
    unclosed = _innermost_unclosed(source, place.lines) \
        if "end of template" in failure.message else None
    if unclosed is not None:
        # Jinja stops at the end; the editor needs the tag that was never closed.
        tag, tag_line, needle = unclosed
        line, col = place.at(tag_line, needle)
        message = f"template syntax: this '{{% {tag} %}}' is never closed with " \
            f"'{{% end{tag} %}}'"
    return error(place.path, line, col, codes.JINJA_SYNTAX, message, failure.hint)


_BLOCK_TAGS = frozenset({"if", "for", "macro", "call", "filter", "with", "autoescape", "block",
                         "set", "trans"})


def _innermost_unclosed(source: str, lines: tuple[str, ...]) -> tuple[str, int, str] | None:
    """(tag, template line, its text) of the innermost block tag left open at the end."""
    open_tags: list[tuple[str, int]] = []
    pending: tuple[str, int] | None = None
    expect_tag = False
    try:
        for lineno, kind, value in ENV.lex(source):
            if kind == "block_begin":
                expect_tag = True
            elif kind == "name" and expect_tag:
                expect_tag = False
                if value in _BLOCK_TAGS:
                    pending = (value, lineno)
                elif value.startswith("end") and open_tags and open_tags[-1][0] == value[3:]:
                    open_tags.pop()
            elif kind == "operator" and value == "=" and pending and pending[0] == "set":
                pending = None  # `{% set x = 1 %}` assigns; only `{% set x %}` opens a block
            elif kind == "block_end":
                if pending is not None:
                    open_tags.append(pending)
                pending, expect_tag = None, False
    except TemplateSyntaxError:
        return None
    if not open_tags:
        return None
    tag, lineno = open_tags[-1]
    text = lines[lineno - 1] if lineno <= len(lines) else ""
    match = re.search(r"\{%[-+]?\s*" + tag + r"\b", text)
    return tag, lineno, match.group() if match else "{%"


def _walk(ast: nodes.Template) -> list[nodes.Node]:
    """Every node once; one pass instead of one `find_all` per question asked of the tree.

    The children are those of `Node.iter_child_nodes` (each field's node, or the nodes in a
    field's list), in its order, read without its two generators: this walk runs on every
    template of every file."""
    found: list[nodes.Node] = []
    stack: list[nodes.Node] = [ast]
    node_type = nodes.Node
    while stack:
        node = stack.pop()
        found.append(node)
        for field in node.fields:
            item = getattr(node, field, None)
            if isinstance(item, list):
                stack.extend([n for n in item if isinstance(n, node_type)])
            elif isinstance(item, node_type):
                stack.append(item)
    return found


def _unsafe(place: TemplatePlace, tree: list[nodes.Node]) -> Iterator[Finding]:
    for node in tree:
        if isinstance(node, _UNSAFE_NODES):
            kind = type(node).__name__.lower().replace("fromimport", "import")
            line, col = place.at(node.lineno, kind)
            yield error(place.path, line, col, codes.TEMPLATE_UNSAFE,
                        f"'{kind}' is not allowed: a prompt is one self-contained template")
            continue
        name = _accessed_name(node)
        if name is not None and name.startswith("_"):
            line, col = place.at(node.lineno, name)
            yield error(place.path, line, col, codes.TEMPLATE_UNSAFE,
                        f"'{name}' reaches into Python internals; names starting with '_' "
                        "are not allowed")


def _accessed_name(node: nodes.Node) -> str | None:
    if isinstance(node, nodes.Getattr):
        return str(node.attr)
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return node.arg.value if isinstance(node.arg.value, str) else None
    if isinstance(node, nodes.Name):
        return str(node.name)
    return None


def used_variables(tree: list[nodes.Node]) -> dict[str, int]:
    """Names the template reads from its context, with the first line that reads each.

    Jinja's `meta.find_undeclared_variables` runs the whole code generator to answer this;
    names bound inside the template (set, for, macro parameters) are simply left out here.
    """
    bound = {n.name for n in tree if isinstance(n, nodes.Macro)
             or (isinstance(n, nodes.Name) and n.ctx in ("store", "param"))}
    used: dict[str, int] = {}
    for n in tree:
        if (isinstance(n, nodes.Name) and n.ctx == "load" and n.name not in bound
                and n.name not in _IMPLICIT):
            used[n.name] = min(used.get(n.name, n.lineno), n.lineno)
    return used


def _undeclared(place: TemplatePlace, first_use: Mapping[str, int],
                declared: Mapping[str, VariableSpec], rules: Rules) -> Iterator[Finding]:
    for name in sorted(set(first_use) - set(declared)):
        line, col = place.at(first_use[name], name)
        yield error(place.path, line, col, codes.VARIABLE_UNDECLARED,
                    f"{place.label} uses '{name}' but does not declare it under 'variables'",
                    _undeclared_hint(name, declared, rules))


def _declarations(place: TemplatePlace, first_use: Mapping[str, int], prompt_type: PromptType,
                  declared: Mapping[str, VariableSpec], rules: Rules,
                  var_marks: Mapping[str, tuple[int, int]],
                  also_used: Collection[str]) -> Iterator[Finding]:
    for name, spec in declared.items():
        line, col = var_marks.get(name, (place.line, 1))
        rule = rules.variables.get(name)
        if rule is None:
            yield error(place.path, line, col, codes.VARIABLE_UNKNOWN,
                        f"'{name}' is not a variable the chat runtime provides "
                        "(see schema/variables.yaml)", did_you_mean(name, rules.variables, 0.7))
            continue
        if prompt_type not in rule.types:
            yield error(place.path, line, col, codes.VARIABLE_NOT_ALLOWED,
                        f"'{name}' is not provided for {prompt_type.value} prompts",
                        f"it is for: {', '.join(sorted(t.value for t in rule.types))}")
        if spec.type != rule.type and spec.type in PYTHON_TYPES:  # else the schema says it
            yield error(place.path, line, col, codes.VARIABLE_TYPE,
                        f"'{name}' is declared {spec.type}, but the runtime provides {rule.type}")
        if name not in first_use and name not in also_used:
            yield warning(place.path, line, col, codes.VARIABLE_UNUSED,
                          f"'{name}' is declared but the template never uses it")


def _undeclared_hint(name: str, declared: Mapping[str, VariableSpec], rules: Rules) -> str:
    # A name the runtime provides is simply missing from 'variables'; never suggest itself.
    if name in rules.variables:
        kind = rules.variables[name].type
        return f"the runtime provides it as a {kind}: add it with type: {kind}"
    return did_you_mean(name, {*declared, *rules.variables}, 0.7)


def _python_format(place: TemplatePlace, source: str) -> Iterator[Finding]:
    # Masking only blanks the Jinja spans, and what borders a span is its own '{' or '}':
    # it never makes a match, so a text without one needs no masking (nearly every text).
    if _PY_FORMAT.search(source) is None:
        return
    masked = _JINJA_SPAN.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), source)
    seen: set[str] = set()
    for match in _PY_FORMAT.finditer(masked):
        name = match.group(1)
        if name in seen:
            continue
        seen.add(name)
        line, col = place.at(masked.count("\n", 0, match.start()) + 1, match.group())
        yield error(place.path, line, col, codes.PYTHON_FORMAT,
                    f"'{match.group()}' is printed as it is, not filled in",
                    f"did you mean '{{{{ {name} }}}}'?")


def check_samples(place: TemplatePlace, ast: nodes.Template, declared: Mapping[str, VariableSpec],
                  samples: tuple[Sample, ...], sample_marks: Mapping[int, tuple[int, int]], *,
                  variant: str | None = None, deadline: float | None = None) -> list[Finding]:
    """Render every sample (or one made-up context when there are none), bounded in time/size.
    For a `variant`'s text the findings point at that text (the samples' own values were
    checked with the template's) and name the variant; `deadline` (monotonic) is shared by
    the texts of one file."""
    try:
        template = Template.from_code(ENV, ENV.compile(ast), ENV.make_globals(None))
    except Exception as exc:
        failure = failure_of(exc)
        return [error(place.path, place.line, 1, codes.JINJA_SYNTAX,
                      f"template error: {failure.message}", failure.hint)]
    # The one render rule (promptsync.rendering): declared defaults, types and required
    # variables as the runtime applies them, so a sample CI renders is one the runtime renders.
    compiled = compile_declared(template, {name: {"type": v.type, "required": v.required,
                                                  "default": v.default}
                                           for name, v in declared.items()})
    at_text = (place.line, place.indent + 1)
    runs = [(s.name, s.context, at_text if variant else sample_marks.get(i, (place.line, 1)))
            for i, s in enumerate(samples)]
    if not runs:
        runs = [("(made-up values)", made_up_values(declared.values()), at_text)]
    findings: list[Finding] = []
    deadline = time.monotonic() + FILE_RENDER_SECONDS if deadline is None else deadline
    said = f"variant '{variant}': sample" if variant else "sample"
    rendering = True
    for name, context, (line, col) in runs:
        if variant is None:
            findings += _sample_context(place.path, name, context, declared, line, col)
        seconds = min(SAMPLE_SECONDS, deadline - time.monotonic())
        if not rendering or seconds <= 0:
            continue  # one sample that never ends says it for all: they share the template
        outcome = outcome_of(compiled, context, seconds=seconds)
        if isinstance(outcome, Rendered):
            if not outcome.text.strip():
                findings.append(error(place.path, line, col, codes.SAMPLE_BLANK,
                                      f"{said} '{name}' renders to blank text",
                                      "a customer would get an empty message: check the "
                                      "conditions and the defaults it relies on"))
            continue
        rendering = outcome.code is not FailureCode.TIMEOUT
        findings.append(error(place.path, line, col,
                              _SAMPLE_CODES.get(outcome.code, codes.SAMPLE_RENDER),
                              f"{said} '{name}' does not render: {outcome.message}",
                              outcome.hint))
    return findings


def _sample_context(path: str, name: str, context: Mapping[str, Any],
                    declared: Mapping[str, VariableSpec], line: int, col: int) -> list[Finding]:
    findings = []
    for key, value in context.items():
        spec = declared.get(key)
        if spec is None:
            findings.append(error(path, line, col, codes.SAMPLE_UNKNOWN_VARIABLE,
                                  f"sample '{name}' sets '{key}', which is not declared",
                                  did_you_mean(key, declared, 0.7)))
        elif not type_matches(value, spec.type):
            findings.append(error(path, line, col, codes.VARIABLE_TYPE,
                                  f"sample '{name}' sets '{key}' to {value!r}, but it is "
                                  f"declared {spec.type}"))
    return findings
