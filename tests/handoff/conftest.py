"""Handoff tests use the `redis_server` fixture from tests/conftest.py."""
