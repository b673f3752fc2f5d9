"""The OpenAPI document: FastAPI's, generated from the routes, with the rules every route shares
applied once, so the document says what the server does (issue 18, item 12):

- every error (4xx, 5xx) is a problem document, `application/problem+json`; FastAPI documents
  its own 422 as `application/json` with a HTTPValidationError the server never sends;
- every operation may answer 400: a malformed request, or a `Host` the server does not answer
  for (promptsync.api.hosts), which is refused before any route runs;
- a parameter left out is absent, never null (FastAPI documents `str | None` as string or
  null, and a client that sends null sends the text "null"); an optional query parameter may
  be empty, which is the same as leaving it out (promptsync.api.params.EmptyAsAbsent).
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI

from promptsync.api.models import problem_responses

UNSENT_SCHEMAS = ("HTTPValidationError", "ValidationError")


def install_document(app: FastAPI) -> None:
    """Make `app.openapi()` (and so /openapi.json and /docs) give the document with the rules."""
    generate = app.openapi

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_shared_rules(generate())
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]


def with_shared_rules(schema: dict[str, Any]) -> dict[str, Any]:
    problem = problem_responses(400)[400]
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                _parameter(parameter)
            responses = operation.setdefault("responses", {})
            responses.setdefault("400", copy.deepcopy(problem))
            for status, response in responses.items():
                if status[:1] in ("4", "5"):
                    response["content"] = copy.deepcopy(problem["content"])
                    if response.get("description") == "Validation Error":
                        response["description"] = problem_responses(422)[422]["description"]
    for name in UNSENT_SCHEMAS:
        schema.get("components", {}).get("schemas", {}).pop(name, None)
    return schema


def _parameter(parameter: dict[str, Any]) -> None:
    schema = parameter.get("schema", {})
    choices = [c for c in schema.pop("anyOf", []) if c.get("type") != "null"]
    if len(choices) == 1:
        schema.update({k: v for k, v in choices[0].items() if k not in schema})
    elif choices:
        schema["anyOf"] = choices
    if parameter.get("in") != "query" or parameter.get("required"):
        return
    if "pattern" in schema:
        inner = schema["pattern"].removeprefix("^").removesuffix("$")
        schema["pattern"] = f"^(?:{inner})?$"
    if "enum" in schema and "" not in schema["enum"]:
        schema["enum"] = [*schema["enum"], ""]
