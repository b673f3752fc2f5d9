"""The fleet of readers: what each one serves, judged against what is published (view), shown
as text or JSON (reporters)."""
