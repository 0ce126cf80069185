"""The pure core: `Conversation.handle(Message) -> Reply`, the request desk, unanswered recording, evaluation.

Imports only `intents`, `responses`, `handoff` (the store through its protocol) and `bot.config`/`bot.redaction`;
never a front end (web, Slack, staff, admin, CLI), FastAPI, slack_bolt or redis.
"""
