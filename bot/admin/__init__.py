"""The admin pages (/admin): template editor with validation and history, phrasings, unanswered questions.

Reuses the staff wing's sign-in (`bot.staff.auth`, `bot.staff.views`); imports the engine, shared services and
`handoff`; never the Slack or CLI wings.
"""
