"""Intake forms, tickets, stores (SQLite default, Redis) and staff notification. Imports nothing from bot/."""
