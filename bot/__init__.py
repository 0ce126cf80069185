"""The bot: its engine, front ends and consoles, and the composition root.

Wings: `engine` (pure Message -> Reply core), `web`, `slack`, `staff`, `admin`, `cli` (front ends and consoles, which
call the engine and never each other's internals). Top level: `app` (composition root), `config`, `ratelimit`,
`redaction`, `live_content` (shared services). The import rules are in `.importlinter` and checked by the test suite.
"""
