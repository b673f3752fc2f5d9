"""How a prompt renders for a context: one coercion of declared types, one required-variable
rule, one sandbox, one cache of compiled templates keyed by what was compiled.

The reader, the API's and the CLI's previews and the validator's sample renders all render
through here (the core's `Workspace` hands its callers the same `Renderer`); see `renderer`.
"""
