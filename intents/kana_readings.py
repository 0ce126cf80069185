"""`python -m intents.kana_readings --write`: the catalog's Japanese vocabulary analysed by MeCab/UniDic into
`intents/data/kana_readings.json`, which `intents.kana.KanaReader` reads at start-up instead of loading MeCab in every
worker. `--check` exits 1 when the file is not what the analyser gives for the catalog now (a test checks the same).
Run it after editing the catalog's Japanese examples or keywords."""
from __future__ import annotations

import argparse
from typing import Sequence

from intents.catalog import load_catalog
from intents.kana import READINGS_FILE, analyse, load_analyses, write_analyses
from intents.matcher import kana_vocabulary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m intents.kana_readings", description=__doc__)
    parser.add_argument("--write", action="store_true", help=f"rewrite {READINGS_FILE.name}")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    args = parser.parse_args(argv)
    texts = kana_vocabulary(load_catalog().intents)
    if args.write:
        print(f"{write_analyses(texts)} texts written to {READINGS_FILE}")
        return 0
    current = analyse(texts)
    if not current:
        print("fugashi and unidic-lite are not installed: pip install -e '.[test]'")
        return 2
    up_to_date = load_analyses() == current
    print(f"{len(current)} texts; {'up to date' if up_to_date else 'out of date: run with --write'}")
    return 0 if up_to_date else 1


if __name__ == "__main__":
    raise SystemExit(main())
