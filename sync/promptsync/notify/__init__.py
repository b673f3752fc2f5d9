"""Notifications: what each event says (events), one signed POST (sender), the worker that
delivers the outbox in order and at least once (worker), the fleet watch after a publish
(fleetwatch)."""
