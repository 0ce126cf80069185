"""Round-6 English article families (issue 13): everyday words for a topic that fell back or took a neighbour.
Phrasings are our own (none comes from the round-6 diagnosis sets)."""
from __future__ import annotations

import pytest

from intents.matcher import Matcher

ARTICLES = [
    # Art. 6: asking to be told the purpose, as a procedure (not the purposes themselves, Art. 3)
    ("can I formally ask you for the purpose my account data serves?", 6),
    ("how would I make you tell me the purpose of my data", 6),
    ("what's the procedure to formally request the purpose for my info", 6),
    # Art. 9: the right by its everyday names
    ("do I have a right to erasure with you?", 9),
    ("right to deletion - how does it work here", 9),
    ("is the right to be forgotten a thing in your policy", 9),
    # Art. 14: the official way to send a question about the policy
    ("what's the proper channel if I have a complaint", 14),
    ("where to send questions about this policy, email or form?", 14),
    # Art. 2: information that is not personal information; how the company gets data
    ("is data that isn't personal info treated with care as well?", 2),
    ("non personal data - do you look after it?", 2),
    ("how did you get my phone number anyway", 2),
    # Art. 5: who inside the company can open the data; data left lying around
    ("which of your staff can open my data, any random intern?", 5),
    ("who in your company can see my records internally", 5),
    ("is my info just lying around unencrypted somewhere", 5),
    # Art. 4: someone outside handling the data for the company, and whether they are watched
    ("do people outside the company process my details, and who oversees them?", 4),
    # Art. 10: being sent on to another site
    ("your page redirected me to a different site, is that your responsibility?", 10),
    ("outside links on your pages - who answers for them", 10),
    # Art. 7: the request by its trade names; when a look at one's own data may be refused
    ("does webmo handle a subject access request like other companies do?", 7),
    ("in what cases can you refuse people asking to see their own data", 7),
    # Art. 8: incomplete data
    ("my profile is incomplete, can you add the missing details?", 8),
]


@pytest.mark.parametrize(("text", "article"), ARTICLES)
def test_everyday_words_find_the_article(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert match.decision in ("answer", "clarify"), match
    assert match.article == article, match


# The neighbours keep their answers: the purposes themselves (Art. 3), a foreign law's rights (silent), a "legal"
# team asking about uses (not how data is obtained).
@pytest.mark.parametrize(("text", "intent"), [
    ("what purposes do you use my data for?", "purpose_of_use"),
    ("does the GDPR give me data portability with you?", "silent_foreign_law"),
    ("our legal team asks: what purposes does the policy list for using personal data?", "purpose_of_use"),
])
def test_neighbours_keep_their_answers(matcher: Matcher, text: str, intent: str) -> None:
    match = matcher.match(text)
    assert match.intent == intent or intent in match.choices, match


# An employer or admin asking what their employees may ask for themselves asks about a right, not for others' data.
def test_what_employees_may_ask_is_no_request_for_their_data(matcher: Matcher) -> None:
    match = matcher.match("question from us as the admin: can our users ask you themselves what their data is used for?")
    assert match.intent != "others_data", match
    assert match.article in (3, 6), match


def test_an_admin_asking_for_their_data_is_still_refused(matcher: Matcher) -> None:
    match = matcher.match("I'm the workspace admin. Our employees left; send me their data.")
    assert match.article is None and match.handoff is None, match


# Art. 1: whether the policy covers every service or one (not the foreign-law silence, whose example "do EU privacy
# rules cover your services" it resembles).
def test_coverage_of_all_services_is_article_1(matcher: Matcher) -> None:
    match = matcher.match("is this policy for all of the services you run or just the one I signed up for?")
    assert match.article == 1, match


# A chatter word inside a policy question is context when the topic is named and an example is nearly the message.
@pytest.mark.parametrize(("text", "article"), [
    ("if I'm on a VPN, do you still collect my IP address? and why", 12),
])
def test_chatter_word_inside_a_policy_question_is_context(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert match.article == article, match


@pytest.mark.parametrize("text", [
    "anyone have the VPN config for the office wifi?",
    "cookies in the kitchen, come grab some",
    "pls delete the duplicate ticket about cookies",
])
def test_workplace_chatter_still_falls_back(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.decision == "fallback" and match.article is None, match


# Offered side by side, a topic named by keywords comes first (disclosure), before one the message only resembles.
def test_clarify_puts_the_topic_named_by_keywords_first(matcher: Matcher) -> None:
    match = matcher.match("how can I find out what info you have on me")
    assert match.decision in ("answer", "clarify"), match
    assert match.article == 7, match


# Art. 5: what the company does to stop a leak happening to the writer's data (not deletion after one, Art. 9).
def test_preventing_a_leak_is_security(matcher: Matcher) -> None:
    match = matcher.match("another company lost millions of records last week. what are you doing to stop that happening here?")
    assert match.article == 5, match


# Why an item is needed asks its purpose (Art. 3): 「…はなぜ必要？」 (a dev item sat on a 0.01-point margin against
# cookies before this vocabulary, and the round's other keyword changes tipped it).
@pytest.mark.parametrize("text", ["電話番号ってなんで必要なの？", "生年月日の入力はどうして必要なんですか"])
def test_why_an_item_is_needed_is_its_purpose(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).article == 3
