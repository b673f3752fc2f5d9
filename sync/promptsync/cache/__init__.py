"""The Redis side: key names, entry format, invalidation."""
