"""The Slack app (slack-bolt): chat (DMs, mentions, /privacy, App Home), the staff channel, Block Kit, manifest.

Translates Slack payloads to `bot.engine` messages and Replies to Block Kit; imports the engine, shared services
and `handoff`, never the web, staff, admin or CLI wings.
"""
