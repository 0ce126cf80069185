"""The FastAPI app: chat page (static assets in `static/`), its JSON API, health; mounts staff, admin and Slack.

Translates HTTP to `bot.engine` messages and back; may import the engine, shared services and the other consoles'
routers, which it mounts.
"""
