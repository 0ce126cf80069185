"""The `privacy-bot` console script (`main`) and its sub-commands: staff and tickets, templates.

Builds services through the composition root (`bot.app`) and calls the engine; never imports another wing except
to start it (`serve` starts the web app, `slack` Socket Mode).
"""
