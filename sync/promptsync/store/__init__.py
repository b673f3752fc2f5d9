"""The SQL side: tables, engines, migrations and the one-transaction apply."""
