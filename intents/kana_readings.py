"""`python -m intents.kana_readings --write`: the catalog's Japanese vocabulary analysed by MeCab/UniDic into
`intents/data/kana_readings.json`, which `intents.kana.KanaReader` reads at start-up instead of loading MeCab in every
worker, with the conversion slips (homophones from UniDic's lexicon) of the policy terms in `intents/homophones.toml`.
`--check` exits 1 when the file is not what the analyser gives for the catalog now (a test checks the same).
Run it after editing the catalog's Japanese examples or keywords, or the terms."""
from __future__ import annotations

import argparse
from typing import Sequence

from intents.catalog import load_catalog
from intents.kana import (READINGS_FILE, analyse, derive_homophones, load_analyses, load_homophone_terms,
                          load_homophones, write_analyses)
from intents.matcher import kana_vocabulary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m intents.kana_readings", description=__doc__)
    parser.add_argument("--write", action="store_true", help=f"rewrite {READINGS_FILE.name}")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    args = parser.parse_args(argv)
    catalog = load_catalog()
    texts = kana_vocabulary(catalog.intents)
    terms, keep = load_homophone_terms()
    # The homophones are checked against every Japanese text of the catalog (names and labels too).
    everything = [text for intent in catalog.intents for lang_texts in (intent.examples, intent.keywords)
                  for text in lang_texts.get("ja", ())]
    homophones = derive_homophones(terms, keep, [*texts, *everything])
    if args.write:
        print(f"{write_analyses(texts, homophones=homophones)} texts and {len(homophones)} homophones written "
              f"to {READINGS_FILE}")
        return 0
    current = analyse(texts)
    if not current:
        print("fugashi and unidic-lite are not installed: pip install -e '.[test]'")
        return 2
    up_to_date = load_analyses() == current and load_homophones() == homophones
    print(f"{len(current)} texts, {len(homophones)} homophones; "
          f"{'up to date' if up_to_date else 'out of date: run with --write'}")
    return 0 if up_to_date else 1


if __name__ == "__main__":
    raise SystemExit(main())
