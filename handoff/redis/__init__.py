"""The shared backend: the `handoff.store.Store` protocol over Redis (`REDIS_URL`), for several workers or machines.

Imports only `handoff`'s protocol and domain modules; never `handoff.sqlite` or `bot`.
"""
