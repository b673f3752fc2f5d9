"""Reading a git repository without a working tree: refs, trees, blobs, commits, diffs."""
