"""Shared helpers for the bot wings' tests (admin_testkit) live beside this file; pytest puts this folder on the path."""
