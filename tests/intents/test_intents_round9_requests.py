"""Round 9 (issue 13), `req9`: formal requests missed or mistyped, and requests opened where none is made.

Phrasings are written for these tests: not evaluation items, not catalog examples. Each family's "made now" list
failed on `main` 8a52b3c (no request, or the wrong type) unless its comment says otherwise.
"""
from __future__ import annotations

import pytest

from intents.matcher import Matcher
from intents.structure import is_statement
from tests.intents.expect import not_request as _not_request, request as _request


# --- 1. a correction stated, not asked for -----------------------------------------------------------------------------
# The detail as the company holds it and that it is wrong, old or not the writer's, or what the right one is: no
# request verb (or one the cues did not read), the topic drawn by the detail's own words (Art. 14's address and phone,
# Art. 7, account support) or a dead end. ("You've got my first name down as…, the correct spelling is…" and the
# e-mail changed + 更新して were requests before; kept as guards.)

@pytest.mark.parametrize("text", [
    'The phone number on my profile belongs to my old flat. Mine now is 080 2222 3333.',
    "Your system lists my family name as Okada. It's actually Okata, with a T.",
    'The e-mail on file for me is from a job I left in 2019 — the current one is ren.h@example.org.',
    "My account shows my birthday as 3 March. Really it's 13 March.",
    'My home address is now 7-1 Hibarigaoka, Nerima; you still have the flat I left in 2021.',
    "Records have me as living in Kobe but I've been in Nara since last spring.",
    "You've got my first name down as Jon, the correct spelling is John.",
    "There's a postcode on my account that I've never had. It isn't mine and shouldn't be there.",
    '登録されている住所は昔のものです。今は横浜市青葉区に住んでいます。',
    'アカウントの名前が旧姓のままです。今は佐藤です。',
    'メールアドレス変わったので、新しいのに更新してください：mika@example.jp',
    'touroku sareteiru denwa bangou ga mae no mama desu. ima wa 090-1111-2222 desu.',
    'The profile has my given name as Kazu. Should be Kazuki.',
    "New mobile number: 070-4444-5555. The one you've got is my work phone from before.",
])
def test_a_stated_correction_is_a_correction_request(matcher: Matcher, text: str) -> None:
    _request(matcher, text, "correction")


@pytest.mark.parametrize("text", [
    'If the address on my account is out of date, how do I get it changed?',
    "My surname on file might be misspelled. What's the process for fixing it?",
    'The address you have for your head office is wrong on the contact page.',
    'Say my records show the wrong birthday, could you correct that?',
    '登録されている住所が古い場合、どうやって変更すればいいですか？',
    'What happens if the number you have for me is old?',
    'Your records say I agreed to marketing emails. Is that true?',
    'The phone number on your contact page is outdated.',
])
def test_a_wrong_detail_asked_about_or_not_the_writers_stays_no_request(matcher: Matcher, text: str) -> None:
    _not_request(matcher, text)


@pytest.mark.parametrize("sentence, stated", [
    ("The records say my street is Elm Row.", True),       # what a record says is no hypothetical "say"
    ("The system says my name is Jo.", True),
    ("Say I moved, would you update it?", False),
    ("Should be Kazuki.", True),                        # the right value given
    ("Should be able to change it, right?", False),
    ("Should be fine.", False),
])
def test_what_a_record_says_and_the_value_it_should_have_are_statements(sentence: str, stated: bool) -> None:
    assert is_statement(sentence) is stated


# --- 2. what the writer's own data is used for, demanded ------------------------------------------------------------------
# The use of the writer's data asked about and a demand for the answer (a bare "explain yourself" / "spell that out" /
# 「はよ言え」, "answer about my account", "a plain statement", "in writing"): the question's what/why and "explain" outweighed
# the demand, or an e-mail address or phone number drew Art. 8/14 and the request went to the wrong type. The last one,
# a sentence ending in "used for" before the writer's member number, read as someone else's account (the refusal). (The
# "clear written account … Username" and "Put it in writing" phrasings were requests before; kept as guards.)

@pytest.mark.parametrize("text", [
    'what are you even doing with MY postcode? explain yourself.',
    'Why do you have my address at all and what is it used for. Spell that out for me.',
    "I'm owed a clear written account of what my profile data is used for. Username kmori_22.",
    "What I'm after is a plain statement of the purposes you hold my details for.",
    'what do u use MY email for. answer about my account, not in general',
    '俺の住所、何に使うてんねん。はよ言え',
    '私のメールアドレス、何に使ってるの？ちゃんと説明して。',
    'Put it in writing please: the purposes my customer data is processed for. Login: h.oda@example.jp',
    'I need a formal notice of what my details are being used for. Member number 77120.',
])
def test_a_demand_to_be_told_what_my_data_is_used_for_is_the_notification(matcher: Matcher, text: str) -> None:
    _request(matcher, text, "purpose_notification")


@pytest.mark.parametrize("text", [
    'so what does webmo do with the data it keeps on me?',
    'Putting it simply, what happens to my info on your side?',
    'Am I allowed to request an explanation of the uses my data is put to?',
    'The policy says usage data can be used for statistics. Explain that.',
    'If I asked you to tell me what my data is used for, would you have to answer?',
    'How long does a written answer about what my data is used for usually take?',
    'what are you using cookies for? explain please',
])
def test_what_data_is_used_for_asked_or_explained_in_general_stays_a_question(matcher: Matcher, text: str) -> None:
    _not_request(matcher, text)


# --- 3. the data asked for in casual or pasted words -------------------------------------------------------------------
# An emoji between the context and the imperative (as a comma is), English words for personal data written into Japanese
# with no space (beside CSV/PDF, product support before), Kansai 〜てんか, "a dump of…" with the account's e-mail given
# ("email is …"), and a clause "…: disclose the personal information you keep about me".

@pytest.mark.parametrize("text, handoff", [
    ("I've had it with the spam 😡 erase my account data", 'suspension'),
    ('saw the outage post 🤦 send me a copy of what you hold on me', 'disclosure'),
    ('わしの登録情報、ぜんぶ出してんか', 'disclosure'),
    ('could I get a dump of everything on my profile? email is a.b@example.com', 'disclosure'),
    ("Under your right-to-know rules, whatever they're called here: disclose the personal information you keep about me.", 'disclosure'),
    ('自分のPersonal Infoの写し、CSVかPDFでお願いします', 'disclosure'),
])
def test_casual_and_pasted_requests(matcher: Matcher, text: str, handoff: str) -> None:
    _request(matcher, text, handoff)


# --- 4. the question after a story or an emoji stays a question ----------------------------------------------------------
# "what I really want to know is how…" after a story with "this week" in it opened a request on r9-era text (the deadline
# cue); "all I'd like to know is whether you send…" opened a third-party stop.

@pytest.mark.parametrize("text", [
    'long story, a friend got hacked on another shop site and it took the bank all this week to sort out, but what I really want to know is how you keep strangers out of customer accounts',
    "thanks for the help yesterday 🙏 what's your policy on sharing data with partners?",
    'ugh 😩 am I even allowed to have you erase my stuff or not?',
    "All I'd like to know is whether you send my details to advertisers.",
])
def test_the_question_after_a_story_stays_a_question(matcher: Matcher, text: str) -> None:
    _not_request(matcher, text)


# --- 5. a representative relaying the wish of the person they act for -------------------------------------------------
# The writer says they act for someone (a guardian, a signed mandate, 代理人・委任状) and relays that person's wish in the
# third person ("she would like a copy of…", 「父は…削除してほしいと言っています」): no request cue of the writer's own, so a
# question before; with "everything you hold about him", which named the disclosure only for "me", the wrong type.

@pytest.mark.parametrize("text, handoff", [
    ("As Mr Tanaka's appointed guardian I am writing for him: he would like everything you hold about him sent to this address.", 'disclosure'),
    ('I act for Ms Lena Ito under a signed mandate; she would like a copy of everything you hold about her.', 'disclosure'),
    ('父の代理人です（委任状あり）。父は自分の個人情報を削除してほしいと言っています。', 'suspension'),
])
def test_a_representative_relaying_the_principals_wish(matcher: Matcher, text: str, handoff: str) -> None:
    _request(matcher, text, handoff)


@pytest.mark.parametrize("text", [
    'My father wants to know whether he can get a copy of his data. Can I ask on his behalf?',
    'My husband wants a copy of his data.',
])
def test_someone_elses_wish_without_acting_for_them_is_no_request(matcher: Matcher, text: str) -> None:
    _not_request(matcher, text)


# --- 6. a stop to passing data on, in dropped-g or misspelt words --------------------------------------------------------
# "handin"/"sendin", "companys", "firms", "not give" (no "do"): the third-party stop was not named, and the deletion or
# disclosure the topic gave was taken (the first phrasing was a suspension before; the others are kept as guards).

@pytest.mark.parametrize("text", [
    "stop handin my details to outside companys, account mo_77",
    "pls not pass my info along to other firms anymore",
    "Quit feeding my data to your ad partners. Username: t_kane",
    "Never hand my profile to any outside business again. Turn that off on my account (r.ota).",
])
def test_a_stop_to_passing_data_on_in_casual_spelling(matcher: Matcher, text: str) -> None:
    _request(matcher, text, "third_party_stop")
