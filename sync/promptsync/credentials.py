"""Masking credentials before text reaches a user, a log line or a database row.

A URL carries a secret in more places than its password: `user:pass@` (with or without a
scheme), a query parameter (`?password=`, `?token=`, `?access_token=`, `?private_token=`,
`?key=`, `&sig=`, `&sslpassword=`), a token as the user name of an https URL
(`https://ghp_x@github.com/...`). A driver's error message may quote a URL or a libpq
`key=value` string; git's may quote the URL it fetched. One function masks them all, in a URL
or in free text, without parsing: a URL that does not parse (a port that is not a number) is
exactly the one an error message is about. Every message that may carry a URL goes through
`redact`, and there is no other masking function.
"""

from __future__ import annotations

import re

MASK = "***"

# `user:password@` after a scheme; the password may hold anything but `@` and white space.
_USERINFO = re.compile(r"(?P<head>\b[a-zA-Z][\w+.-]*://[^\s:/@?#]*):(?P<secret>[^\s@]+)@")
# https://TOKEN@host: a user name alone is the credential in git's and GitHub's https URLs.
_TOKEN_USER = re.compile(r"(?P<head>\bhttps?://)(?P<secret>[^\s:/@?#]+)@", re.IGNORECASE)
# `user:password@host` with no scheme, at the start of the text or of a word.
_BARE_USERINFO = re.compile(
    r"(?<![^\s'\"(<=,\[])(?P<head>[^\s:/@'\"]*):(?P<secret>[^\s@/]+)@")
# `password=X` as a query parameter or a libpq keyword, quoted or not: any name that ends in
# password, secret or token (access_token, private_token), a named key (api_key, access-key);
# in a URL's query also a bare `key=` and a signature (`sig=`, a pre-signed URL's), which in
# free text are ordinary words (`--var KEY=VALUE`).
_PAIR = re.compile(
    r"(?P<head>(?<![\w-])(?:[\w-]*(?:password|passwd|pwd|secret|token)"
    r"|[\w-]*(?:api|access|private|secret)[_-]?key|(?<=[?&])(?:key|sig|signature))\s*=\s*)"
    r"(?P<secret>'[^']*'|\"[^\"]*\"|[^\s&;#'\",)]+)", re.IGNORECASE)


def redact(text: str) -> str:
    """`text` with every credential replaced by ***: passwords, tokens and keys in URLs and in
    `key=value` pairs. For free text that may contain URLs, e.g. a driver's error message."""
    for pattern in (_USERINFO, _TOKEN_USER, _BARE_USERINFO, _PAIR):
        text = pattern.sub(_masked, text)
    return text


def _masked(match: re.Match[str]) -> str:
    head = match.group("head")
    if match.re is _USERINFO or match.re is _BARE_USERINFO:
        return f"{head}:{MASK}@"
    if match.re is _TOKEN_USER:
        return f"{head}{MASK}@"
    return f"{head}{MASK}"
