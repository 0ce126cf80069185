"""Intake forms, tickets and their lifecycle, the store protocol, staff notification.

The protocol and domain live here; `sqlite/` and `redis/` each hold one backend. Imports nothing from `bot/`.
"""
