"""The editors' workflow: preview, history, rollback, and the version merge driver."""
