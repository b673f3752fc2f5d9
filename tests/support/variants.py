"""A prompt file that runs variants, as tests write it into a repository."""

from __future__ import annotations

GREETING = "prompts/acme/greeting.yaml"


def greeting(version: int = 1, warm: int = 30, short: int | None = None) -> str:
    """acme's greeting with a variant `warm` of weight `warm` (and `short` after it)."""
    later = "" if short is None else f"""  - name: short
    weight: {short}
    template: |
      {{{{ brand_name }}}}: how can I help?
"""
    return f"""# yaml-language-server: $schema=../../schema/prompt.schema.json
type: GREETING
version: {version}
description: Acme's greeting, and a warmer one tried on part of the customers.
variables:
  brand_name:
    type: string
    required: true
  user_name:
    type: string
    required: false
    default: there
template: |
  Welcome to {{{{ brand_name }}}}! How can I help?
variants:
  - name: warm
    weight: {warm}
    description: Greets by name.
    template: |
      Hey {{{{ user_name }}}}, lovely to see you at {{{{ brand_name }}}}! What can I do for you?
{later}samples:
  - name: basic
    context: {{brand_name: Acme}}
"""
