"""The embedded backend (default): the `handoff.store.Store` protocol over one SQLite file in the data directory.

Imports only `handoff`'s protocol and domain modules; never `handoff.redis` or `bot`.
"""
