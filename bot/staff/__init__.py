"""The staff queue pages (/staff): sign-in, sessions and CSRF (`auth`), ticket queue and ticket pages (`html/`).

Imports the engine, shared services and `handoff`; never the Slack, admin or CLI wings.
"""
