"""`privacy-bot templates …` run in-process on a temporary SQLite store: the same operations as the web editor,
for files and review."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from admin_testkit import add_accounts

from bot.cli.main import main
from handoff.sqlite.store import SQLiteStore
from responses.names import TEMPLATE_SPECS

NEW = "Cookies keep you signed in. See **{{ cite }}**.\n"


@pytest.fixture()
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in ("REDIS_URL", "PRIVACY_BOT_DATA_DIR"):
        monkeypatch.delenv(key, raising=False)
    data = tmp_path / "data"
    monkeypatch.setenv("PRIVACY_BOT_DATA_DIR", str(data))
    store = SQLiteStore.in_dir(data)
    add_accounts(store)
    store.close()
    return data


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def history(data_dir: Path) -> list[tuple[int, str, str | None]]:
    store = SQLiteStore.in_dir(data_dir)
    try:
        return [(v.number, v.action, v.note) for v in store.template_history("cookies", "en")]
    finally:
        store.close()


def test_edit_show_history_diff_rollback_reset(data_dir: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "templates", "show", "cookies")
    assert code == 0 and "{{ cite }}" in out
    default = out
    new_file = tmp_path / "cookies.j2"
    new_file.write_text(NEW, encoding="utf-8")

    assert run(capsys, "templates", "edit", "cookies", "--file", str(new_file), "--as", "root",
               "--note", "shorter")[:2] == (0, "en/cookies: saved version 1\n")
    assert run(capsys, "templates", "show", "cookies")[1] == NEW
    assert run(capsys, "templates", "show", "cookies", "--version", "0")[1] == default
    assert run(capsys, "templates", "show", "cookies", "--default")[1] == default
    code, out, _ = run(capsys, "ask", "what are cookies used for?")
    assert code == 0 and out.startswith("Cookies keep you signed in.")

    code, out, _ = run(capsys, "templates", "list")
    line = next(row for row in out.splitlines() if row.startswith("cookies ") and " en " in row)
    assert "edited v1" in line and "root" in line
    listed = json.loads(run(capsys, "templates", "list", "--json")[1])
    assert {"name": "cookies", "lang": "en", "overridden": True, "version": 1}.items() <= next(
        r for r in listed if (r["name"], r["lang"]) == ("cookies", "en")).items()

    code, out, _ = run(capsys, "templates", "diff", "cookies", "0")
    assert code == 0 and out.splitlines()[:2] == ["--- en/cookies (shipped default)", "+++ en/cookies version 1"]
    assert "+Cookies keep you signed in. See **{{ cite }}**." in out.splitlines()

    code, out, _ = run(capsys, "templates", "history", "cookies")
    assert code == 0 and "v1" in out and "shorter" in out and "(in use)" in out

    assert run(capsys, "templates", "rollback", "cookies", "0", "--as", "root")[0] == 0
    assert run(capsys, "templates", "show", "cookies")[1] == default
    assert run(capsys, "templates", "rollback", "cookies", "1", "--as", "root", "--note", "again")[0] == 0
    assert run(capsys, "templates", "reset", "cookies", "--as", "root")[0] == 0
    assert history(data_dir) == [(4, "reset", "Reset to the shipped default"), (3, "rollback", "again"),
                                 (2, "reset", "Back to the shipped default (version 0)"), (1, "edit", "shorter")]
    hist = json.loads(run(capsys, "templates", "history", "cookies", "--json")[1])
    assert [h["number"] for h in hist] == [4, 3, 2, 1] and hist[1]["restored_from"] == 1


def test_refusals_print_file_line_reason_and_save_nothing(data_dir: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "en" / "cookies.j2"
    bad.parent.mkdir()
    bad.write_text("See {{ cite }}\n{{ cycler.__init__.__globals__.os }}\n", encoding="utf-8")
    code, out, err = run(capsys, "templates", "validate", str(bad))
    assert code == 1 and f"{bad}:2: Attribute “__globals__” is not allowed" in err
    code, _, err = run(capsys, "templates", "edit", "cookies", "--file", str(bad), "--as", "root")
    assert code == 1 and f"{bad}:2:" in err and "refused; nothing was saved" in err
    no_cite = tmp_path / "no_cite.j2"
    no_cite.write_text("We use cookies.\n", encoding="utf-8")
    code, _, err = run(capsys, "templates", "edit", "cookies", "--file", str(no_cite), "--as", "root")
    assert code == 1 and "must contain “Article 12 (Use of Cookies, etc.)”" in err
    assert history(data_dir) == []

    good = tmp_path / "ja" / "cookies.j2"
    good.parent.mkdir()
    good.write_text("クッキーは無効にできます。{{ cite }}\n", encoding="utf-8")
    code, out, _ = run(capsys, "templates", "validate", str(good))
    assert code == 0 and out == f"{good}: ok (ja/cookies)\n"


def test_the_author_must_be_an_admin_and_names_must_exist(data_dir: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    new_file = tmp_path / "t.j2"
    new_file.write_text(NEW, encoding="utf-8")
    code, _, err = run(capsys, "templates", "edit", "cookies", "--file", str(new_file), "--as", "alice")
    assert code == 1 and "'alice' is not an admin account" in err
    code, _, err = run(capsys, "templates", "edit", "nope", "--file", str(new_file), "--as", "root")
    assert code == 1 and "no template 'nope'" in err
    code, _, err = run(capsys, "templates", "show", "cookies", "--version", "5")
    assert code == 1 and "has no version 5" in err
    code, _, err = run(capsys, "templates", "reset", "cookies", "--as", "root")
    assert code == 1 and "already in use" in err
    assert history(data_dir) == []


def test_export_and_import_as_a_directory_and_as_json(data_dir: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "new.j2"
    source.write_text(NEW, encoding="utf-8")
    run(capsys, "templates", "edit", "cookies", "--file", str(source), "--as", "root")

    out_dir = tmp_path / "review"
    assert run(capsys, "templates", "export", str(out_dir))[0] == 0
    assert (out_dir / "en" / "cookies.j2").read_text(encoding="utf-8") == NEW
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert [(t["name"], t["lang"], t["version"]) for t in manifest["templates"]] == [("cookies", "en", 1)]
    code, out, _ = run(capsys, "templates", "export", "-", "--all")
    assert code == 0 and len(json.loads(out)["templates"]) == 2 * len(TEMPLATE_SPECS)

    (out_dir / "en" / "cookies.j2").write_text("Reviewed wording. {{ cite }}\n", encoding="utf-8")
    (out_dir / "ja").mkdir()
    (out_dir / "ja" / "thanks.j2").write_text("どういたしまして！\n", encoding="utf-8")
    code, out, err = run(capsys, "templates", "import", str(out_dir), "--as", "root", "--dry-run")
    assert code == 0 and "would update en/cookies" in out and "would update ja/thanks" in out
    assert history(data_dir)[0][0] == 1  # a dry run saves nothing
    code, out, err = run(capsys, "templates", "import", str(out_dir), "--as", "root")
    assert code == 0 and "2 changed, 0 unchanged" in err
    assert history(data_dir)[0] == (2, "import", "Imported from review")
    again = run(capsys, "templates", "import", str(out_dir), "--as", "root")
    assert again[2].strip().endswith("0 changed, 2 unchanged")

    exported = tmp_path / "all.json"
    assert run(capsys, "templates", "export", str(exported))[0] == 0
    document = json.loads(exported.read_text(encoding="utf-8"))
    assert document["format"] == "privacy-bot-templates/1" and len(document["templates"]) == 2

    # One bad template refuses the whole import.
    document["templates"][0]["source"] = "{{ config }}"
    document["templates"][1]["source"] = "Thanks a lot!"
    exported.write_text(json.dumps(document), encoding="utf-8")
    code, _, err = run(capsys, "templates", "import", str(exported), "--as", "root")
    assert code == 1 and "“config” is not available" in err and "nothing was imported" in err
    assert history(data_dir)[0][0] == 2


def test_templates_help_lists_every_action(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["templates", "--help"])
    out = capsys.readouterr().out
    for action in ("list", "show", "edit", "validate", "history", "diff", "rollback", "reset", "export", "import"):
        assert action in out
