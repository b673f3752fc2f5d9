"""Brand files read together: each file's declarations, whichever other brand has the same."""

from __future__ import annotations

from promptsync.brands import BrandInfo, parse, read_all


def test_brand_files_with_the_same_bytes_read_as_each_alone() -> None:
    english = b"language: en\nlocales: [de, fr]\n"
    german = b"language: de\n"
    files = [("prompts/acme/brand.yaml", english), ("prompts/beta/brand.yaml", german),
             ("prompts/gamma/brand.yaml", english), ("prompts/acme/greeting.yaml", german)]
    assert read_all(files) == {"acme": parse(english), "beta": parse(german),
                               "gamma": parse(english)}
    assert read_all(files)["gamma"] == BrandInfo("en", ("de", "fr"))
