"""A brand with a base text and its translations, as an editor would write them."""

from __future__ import annotations

BRAND_FILE = "prompts/acme/brand.yaml"
BASE = "prompts/acme/farewell.yaml"
GERMAN = "prompts/acme/farewell.de.yaml"

BRAND_TEXT = """\
# yaml-language-server: $schema=../../schema/brand.schema.json
language: en
locales: [de, fr]
"""

BASE_TEXT = """\
# yaml-language-server: $schema=../../schema/prompt.schema.json
type: FAREWELL
version: 1
variables:
  brand_name:
    type: string
    required: true
  user_name:
    type: string
    default: ""
template: |
  Thanks for chatting with {{ brand_name }}{% if user_name %}, {{ user_name }}{% endif %}!
  Have a great day.
"""

GERMAN_TEXT = """\
# yaml-language-server: $schema=../../schema/prompt.schema.json
type: FAREWELL
version: 1
locale: de
translated_from: 1
variables:
  brand_name:
    type: string
    required: true
template: |
  Vielen Dank für Ihr Gespräch mit {{ brand_name }}! Einen schönen Tag noch.
"""


def translation(locale: str = "de", translated_from: int = 1, extra: str = "",
                variables: str = "  brand_name:\n    type: string\n    required: true\n",
                template: str = "Vielen Dank, {{ brand_name }}!") -> str:
    lines = ["type: FAREWELL", "version: 1"]
    if locale:
        lines.append(f"locale: {locale}")
    if translated_from:
        lines.append(f"translated_from: {translated_from}")
    return "\n".join(lines) + f"\n{extra}variables:\n{variables}template: |\n  {template}\n"
