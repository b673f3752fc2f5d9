"""Preview: a prompt rendered with a sample or a context, and every prompt a change touches,
before and after, for a terminal or a pull-request comment."""
