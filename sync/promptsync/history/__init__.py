"""History: the audit log of the prompts read from git, and when each change went live."""
