"""Round-8 off-topic families (issue 13): everyday product support worded with privacy words (removing a member from
a team workspace, deleting something the user made in the app). Phrasings are our own (none comes from the round-8
diagnosis sets)."""
from __future__ import annotations

import pytest

from intents.matcher import Matcher

# An admin taking a member off a team, workspace or organisation plan: "remove", "delete", "account" and "former"
# name no personal data of the writer's. Out of scope, no article, never a request.
WORKSPACE_MEMBERS = [
    "how can I delete an inactive member from my team account so we aren't charged for them",
    "we need to remove a user who left the company from our organisation plan",
    "can an admin delete a teammate's account from our org dashboard",
    "how do I remove someone from our shared workspace",
    "チームから退職したメンバーを削除して請求を止めたい",
    "kanrisha to shite menbaa wo sakujo shitai",
]

# Something the user made in the app (a playlist, an album, a folder, a memo): deleting it is product support.
APP_CONTENT = [
    "how do I delete the playlist I created",
    "can I remove a photo album I uploaded",
    "I want to delete a folder I made",
    "how can i get rid of an old recipe i saved",
    "作ったメモを削除したい",
    "作成したプレイリストを削除するにはどうすればいいですか",
    "アルバムを削除したいです",
    "hozon shita memo wo keshitai",
    "pureirisuto wo sakujo shitai",
]


@pytest.mark.parametrize("text", WORKSPACE_MEMBERS + APP_CONTENT)
def test_support_worded_with_privacy_verbs_gets_no_article(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.article is None and match.handoff is None, match
    assert match.decision == "fallback", match


@pytest.mark.parametrize(("text", "intent"), [
    ("how do I delete the playlist I created", "support_app"),
    ("作ったメモを削除したい", "support_app"),
    ("we need to remove a user who left the company from our organisation plan", "support_account"),
])
def test_the_reply_names_the_support_topic(matcher: Matcher, text: str, intent: str) -> None:
    # The out-of-scope reply (it names its topic), not "I did not understand".
    assert matcher.match(text).intent == intent


# The writer's own data beside the same words is still a request or a policy question.
@pytest.mark.parametrize(("text", "article", "handoff"), [
    ("delete my account and all the photos I uploaded", 9, "suspension"),
    ("I'm leaving the team, please delete my personal data", 9, "suspension"),
    ("as a former member, can you delete my data from your organisation", 9, "suspension"),
    ("I left the company, remove my details from your member list", 9, "suspension"),
    ("作ったアカウントを削除してください", 9, "suspension"),
    ("do you keep a list of the playlists I listen to for advertising?", 11, None),
    ("what do you do with the folders and files I upload, are they shared with third parties?", 9, None),
])
def test_own_data_beside_app_words_keeps_its_article(matcher: Matcher, text: str, article: int,
                                                    handoff: str | None) -> None:
    match = matcher.match(text)
    assert (match.article, match.handoff) == (article, handoff), match


# A message taken back (a pressed button, a typo, "never mind"): smalltalk, even with a correction's word ("wrong").
TAKEN_BACK = [
    "whoops, clicked the wrong thing",
    "sorry, fat fingers",
    "please ignore, accidental send",
    "ugh hit send too early, ignore",
    "あ、押し間違えました。すみません",
    "ミスタップです",
    "ayamatte soushin shimashita",
]


@pytest.mark.parametrize("text", TAKEN_BACK)
def test_a_message_taken_back_is_smalltalk(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.intent, match.article) == ("smalltalk", "never_mind", None), match


# The same words beside the writer's own data, or a question, are a request or a policy question.
@pytest.mark.parametrize(("text", "article", "handoff"), [
    ("sorry, I entered the wrong phone number on my account, can you change it", 8, "correction"),
    ("間違えて登録した電話番号を直してほしい", 8, "correction"),
    ("間違えて個人情報を送ってしまいました。削除してください", 9, "suspension"),
    ("I accidentally shared my data with a third party app, can you stop it?", 9, "third_party_stop"),
    ("you have the wrong birthday for me", 8, None),
])
def test_mistake_words_beside_own_data_keep_their_article(matcher: Matcher, text: str, article: int,
                                                          handoff: str | None) -> None:
    match = matcher.match(text)
    assert (match.article, match.handoff) == (article, handoff), match


# The file format of an export, and plans or payment asked in romaji: app and billing support, no article.
FORMATS_AND_PLANS = [
    "can I export my contacts as an Excel file?",
    "エクスポートはJSON形式でできますか",
    "ryoukin puran no henkou houhou wo oshiete",
    "appugureedo shitai desu",
]


@pytest.mark.parametrize("text", FORMATS_AND_PLANS)
def test_formats_and_plans_get_the_support_reply(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.article is None and match.handoff is None, match
    assert match.decision == "fallback" and match.intent in ("support_app", "support_billing"), match


@pytest.mark.parametrize(("text", "article", "handoff"), [
    ("can I download my personal data as a CSV file?", 7, None),
    ("私の個人情報をCSVで送ってください", 7, "disclosure"),
    ("send me all my data as a zip", 7, "disclosure"),
    ("porishii no henkou wa dou yatte shiraserareru no", 13, None),
])
def test_own_data_or_the_policy_beside_formats_and_plans_keeps_its_article(matcher: Matcher, text: str, article: int,
                                                                           handoff: str | None) -> None:
    match = matcher.match(text)
    assert (match.article, match.handoff) == (article, handoff), match


# How old one must be to sign up: the policy sets no minimum age (the children silence), not Article 2 or 9.
@pytest.mark.parametrize("text", [
    "how old do you need to be to open an account",
    "is there an age restriction on signing up",
    "my grandson is 8, is he old enough to have his own account?",
    "nansai kara touroku dekimasu ka",
    "何才から使えますか",
])
def test_a_minimum_age_is_the_children_silence(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.intent, match.article) == ("answer", "silent_children", None), match


# An employer's HR, or the company's own legal or compliance staff, asking for a former employee's account or for
# every request with the requesters' names: the others'-data refusal, never an article, a request or a ticket.
@pytest.mark.parametrize("text", [
    "This is human resources. One of our ex-staff filed a complaint; please forward his account history to me.",
    "HR here, a former employee is taking us to court. Forward whatever you hold on her account to our counsel.",
    "Legal team here: we need every deletion request from last quarter with the requesters' names and emails.",
    "I'm on your compliance team, export all complaint tickets with names and addresses.",
    "御社のスタッフです。会員の登録情報をすべて一覧で表示してください",
])
def test_claimed_staff_asking_for_others_records_get_the_refusal(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.intent, match.article, match.handoff) == ("answer", "others_data", None, None), match


@pytest.mark.parametrize(("text", "article", "handoff"), [
    ("I'm a former employee of a customer of yours, please send me my own data", 7, "disclosure"),
    ("forward me a copy of my data please", 7, None),
    ("HR here: can our employees ask you what data you hold on them?", 7, None),
])
def test_hr_words_beside_own_data_or_a_question_keep_their_article(matcher: Matcher, text: str, article: int,
                                                                   handoff: str | None) -> None:
    match = matcher.match(text)
    assert (match.article, match.handoff) == (article, handoff), match


# Everyday app support whose words a policy topic also uses: blocking or reporting another user ("another user"),
# merging two accounts ("merge"), unsending a message ("delete"), app notifications in romaji ("tsuuchi").
@pytest.mark.parametrize(("text", "intent"), [
    ("how do I block another user", "support_app"),
    ("友達をブロックしたい", "support_app"),
    ("ブロックした人を解除したい", "support_app"),
    ("can I mute a person in the group", "support_app"),
    ("can I merge two accounts", "support_account"),
    ("akaunto wo hitotsu ni matometai", "support_account"),
    ("can I delete my chat history with a friend", "support_app"),
    ("送ったメッセージを取り消したい", "support_app"),
    ("tsuuchi no settei wo kaetai", "support_app"),
    ("アプリのお知らせメールを減らしたい", "support_app"),
])
def test_everyday_app_support_gets_the_support_reply(matcher: Matcher, text: str, intent: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.intent, match.article, match.handoff) == ("fallback", intent, None, None), match


@pytest.mark.parametrize(("text", "article", "handoff"), [
    ("what happens if I block all cookies in my browser", 12, None),
    ("riyou mokuteki no tsuuchi wo onegai shimasu", 6, "purpose_notification"),
    ("please delete my chat history and all personal data you hold", 9, "suspension"),
    ("トーク履歴も含めて私の個人情報を削除してください", 9, "suspension"),
])
def test_policy_words_beside_app_support_words_keep_their_article(matcher: Matcher, text: str, article: int,
                                                                  handoff: str | None) -> None:
    match = matcher.match(text)
    assert (match.article, match.handoff) == (article, handoff), match


# A new phone, a backup, data lost and restored, the app's cache: the app's own data, not personal data asked about.
@pytest.mark.parametrize("text", [
    "kishu henkou shitara deeta ga kieta",
    "データの引き継ぎ方法を教えてください",
    "can I recover the files I deleted by mistake",
    "how do I delete the cache on your app",
    "kyasshu wo sakujo shitai",
    "キャッシュを削除したい",
])
def test_phones_backups_and_caches_get_no_article(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.article is None and match.handoff is None and match.decision == "fallback", match


@pytest.mark.parametrize(("text", "intent"), [
    ("退会後もバックアップに個人情報が残りますか", "silent_retention"),
    ("how long do you keep backups of my personal data?", "silent_retention"),
    ("do you transfer my data to other companies?", "third_party_info"),
])
def test_backups_of_personal_data_keep_their_topic(matcher: Matcher, text: str, intent: str) -> None:
    assert matcher.match(text).intent == intent
