"""`promptsync coverage`: which text each brand serves for each type and locale."""
