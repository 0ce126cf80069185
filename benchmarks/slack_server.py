"""`privacy-bot serve` exactly as shipped, with the Slack front end's acknowledgement design chosen for a benchmark run
(benchmarks/slack_ack.py compares them): `python -m benchmarks.slack_server --design lazy|executors|shared --port P`.

It only sets `bot.slack.app.ACK_DESIGN` before going through `bot.cli.main.main(["serve", ...])`, so everything
else (settings from the environment, uvicorn arguments, store, dispatcher thread) is the shipped code path.
"""
from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    import bot.slack.app as slack_app

    args = list(argv)
    if "--design" in args:
        at = args.index("--design")
        design = args[at + 1]
        if design not in slack_app.ACK_DESIGNS:
            raise SystemExit(f"--design must be one of {', '.join(slack_app.ACK_DESIGNS)}")
        slack_app.ACK_DESIGN = design
        del args[at:at + 2]
    from bot.cli.main import main as cli_main

    return cli_main(["serve", *args])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
