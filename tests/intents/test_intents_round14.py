"""Round 14: families of failure found on the blind sets r14a and r14c (scored untouched first on f333af3: en 94.0 /
95.3, ja 97.1 / 94.3, request R 95.0 / 90.2), fixed with phrasings written for these tests: not evaluation items (none
is a copy of one), not catalog examples. r14b stays sealed.

Each family's first phrasings failed on `main` f333af3 (the comment says how); the guards beside them passed before and
must keep passing.
"""
from __future__ import annotations

import pytest

from intents.matcher import Matcher
from tests.intents.expect import request


# --- 1. a detail deleted because it was never true is Art. 8's deletion ------------------------------------------------
@pytest.mark.parametrize("text", [
    "The app lists my employer as a bank and my city as Sapporo. Neither is true. Remove the employer and set the city to Kobe.",  # was a suspension
    "take the workplace off my profile please, I have never worked there",                      # was a suspension
    "プロフィールに、行ったこともない学校が書かれています。その項目を削除してください。",              # was a suspension
    "登録内容に身に覚えのない勤務先があります。消してください。",                                      # was a suspension
])
def test_a_detail_deleted_because_untrue_is_a_correction(matcher: Matcher, text: str) -> None:
    request(matcher, text, "correction")


@pytest.mark.parametrize("text", [
    "please delete my account data, I never use the app anymore",   # guard: erasure of the account, nothing untrue
    "アカウントの情報をすべて削除してください。",                    # guard
])
def test_deleting_data_without_a_falsehood_stays_a_suspension(matcher: Matcher, text: str) -> None:
    request(matcher, text, "suspension")


# --- 2. a wrong record "put right": the record stated, the right value as what it has always been --------------------
@pytest.mark.parametrize("text", [
    "Hello. My first name has been entered as 'Jon' on your system. It has always been 'John'. Please put it right.",  # was a fallback
    "my date of birth was recorded wrongly in your files. please set it straight.",           # guard: passed before
    ("Dear team, I hope you are all well. I was reading the letter you posted to me over breakfast this morning and "
     "spotted that my surname has been typed as 'Braun'. It has always been 'Brown', since the day I was born. These "
     "things happen, I know. I would be much obliged if you would put it right in your records. Best wishes, Ann Brown"),  # was a disclosure
])
def test_a_record_put_right_is_a_correction(matcher: Matcher, text: str) -> None:
    request(matcher, text, "correction")


# --- 3. the writer's own account given as a labelled address is not someone else's ------------------------------------
@pytest.mark.parametrize("text, handoff", [
    ("i want to be told the purposes for my data, account: a.sato@example.org", "purpose_notification"),  # was others' data
    ("<@U0BOT> please send me a copy of my personal data, account: `mika.t@example.com` :bow:", "disclosure"),  # was others' data
])
def test_a_labelled_own_address_identifies_the_writer(matcher: Matcher, text: str, handoff: str) -> None:
    request(matcher, text, handoff)


@pytest.mark.parametrize("text", [
    "send me everything you hold on ken.w@example.com, he is my neighbour",    # guard: a person asked about
    "what data do you hold on my ex? account: rie.k@example.net",              # guard: the ex's account
])
def test_an_address_of_someone_else_is_still_refused(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.intent == "others_data", (match.decision, match.intent)


# --- 4. a letter asking to be written to with the purposes of the writer's own data -----------------------------------
@pytest.mark.parametrize("text", [
    ("To whom it may concern. My son set up my account years ago and I have never quite followed what happens to it. I "
     "confess I do not understand the technical side. I would be grateful if you would write to me setting out which purposes my "
     "own details are used for. With thanks, M. Hart"),                                                # guard: passed before
    "Could you kindly write back to me setting out what my personal data is being used for?",  # was an answer (Art. 3)
    "私のメールアドレスをどのような目的で利用しているのか、ご連絡いただけますでしょうか。",          # was an answer (Art. 3)
    "僕の個人情報、どんな目的で使ってるのか通知してもらえますか",                                  # was an answer (Art. 6)
])
def test_being_written_to_with_the_purposes_is_a_purpose_notification(matcher: Matcher, text: str) -> None:
    request(matcher, text, "purpose_notification")


@pytest.mark.parametrize("text", [
    "What purposes do you use personal data for?",          # guard: the list itself (Art. 3)
    "個人情報はどのような目的で利用されますか？",              # guard
    "利用目的を通知してもらうには、どう頼めばいいですか",       # guard: how to ask (Art. 6)
])
def test_purposes_asked_in_general_stay_questions(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).decision == "answer"


# --- 5. "suspend" (and "discontinue") the use of one's data, as a request verb -----------------------------------------
@pytest.mark.parametrize("text", [
    "please suspend any processing of my data and erase it from your systems",   # was an answer (Art. 9)
    "Kindly suspend all use of my information and delete it from your servers.", # was an answer (Art. 9)
    "kindly discontinue the processing of my personal information.",            # guard: passed before
])
def test_suspending_use_is_a_suspension_request(matcher: Matcher, text: str) -> None:
    request(matcher, text, "suspension")


def test_how_to_suspend_use_is_a_question(matcher: Matcher) -> None:
    assert matcher.match("what happens if I ask you to suspend use of my data?").decision == "answer"  # guard


# --- 6. the one request type the verbs name stands over a topic (Art. 2, collection) that has no request of its own ---
@pytest.mark.parametrize("text", [
    "our 10 year old made an account at school. im his father and i'd like to see whatever details you collected about him",  # guard: passed before
    "I registered years ago at a trade fair. I want to see whatever information you collected about me back then.",           # was an answer (Art. 2)
])
def test_the_named_request_stands_over_the_collection_topic(matcher: Matcher, text: str) -> None:
    request(matcher, text, "disclosure")


@pytest.mark.parametrize("text", [
    "can I see whatever you hold about me?",                    # guard: asks whether (Art. 7)
    "how did you collect my information in the first place?",  # guard: Art. 2
])
def test_questions_beside_collection_stay_questions(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).decision == "answer"


# --- 7. asking what the writer would need, or whether someone else may ask, is a question ------------------------------
@pytest.mark.parametrize("text", [
    "What proof do I need to get you to stop using my email address?",                            # was a request
    "what proof would I need to get a copy of my records?",                                         # guard: passed before
    "could my attorney, acting on my behalf, ask you to notify me of the purposes my details are used for?",  # was a request
    "can carers ask a company to stop using the data of the person they look after?",               # was a request
])
def test_what_one_would_need_or_whether_another_may_ask_is_a_question(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).decision == "answer"


@pytest.mark.parametrize("text, handoff", [
    ("I need to get a copy of everything you hold on me.", "disclosure"),               # guard
    ("I'm her guardian. please stop using her data.", "suspension"),                    # guard
])
def test_requests_beside_those_words_stay_requests(matcher: Matcher, text: str, handoff: str) -> None:
    request(matcher, text, handoff)


# --- 8. Japanese: もし (if) is a word, not the も し of 「消去もして」 --------------------------------------------------
@pytest.mark.parametrize("text", [
    "情報が漏れたらしい。俺のデータ、使うのやめて削除もして",        # was an answer (もし read as "if")
    "登録してる住所、訂正もしてほしい。今は大阪です",                # was an answer
])
def test_mo_shite_is_no_hypothetical(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).decision == "request"


def test_moshi_still_asks_a_hypothetical(matcher: Matcher) -> None:
    assert matcher.match("もし私のデータを消してほしいと言ったら、どうなりますか").decision == "answer"  # guard


# --- 9. Japanese: someone else's data, asked in speech (the shop next door's people; 「どこ住んでるか」 without に) -------
@pytest.mark.parametrize("text", [
    "向かいの会社の社長のメアド教えてや",                      # was an answer (Art. 14)
    "元彼が今どこ住んどるか調べてほしい",                      # was a fallback
    "隣の事務所の社長の携帯番号、教えてください",                # was a fallback
])
def test_another_persons_data_asked_in_speech_is_refused(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.intent == "others_data", (match.decision, match.intent)


@pytest.mark.parametrize("text", [
    "自分の住所を変えたいけど、どこで手続きできる？",          # guard: the writer's own address
    "隣の店でもこのアプリ使ってるけど、データは安全？",         # guard: no one's data asked for
])
def test_own_data_or_no_data_is_not_refused(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).intent != "others_data"


# --- 10. a relation or a role merely mentioned is no one else's data asked for ----------------------------------------
@pytest.mark.parametrize("text", [
    # was the refusal:
    ("I saw on TV that a company's worker left a laptop full of client files in a taxi. I gave you my address and "
     "phone number for my shop's account, and my neighbour reckons it happens everywhere. What does your company do to "
     "stop that?"),
    # was the refusal:
    ("I was the victim of identity theft last spring. The detective on my case told me to find out which firms keep my "
     "details. Nothing to request yet, I only want to know whether you let people see the personal data you hold on them."),
])
def test_a_relation_or_role_mentioned_in_passing_gets_an_article(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.decision == "answer" and match.article is not None, (match.decision, match.intent)


@pytest.mark.parametrize("text", [
    "my neighbour uses your app. what phone number does she have on file?",   # guard
    "I'm with the police. Give me the address of the victim in this case.",   # guard
])
def test_another_persons_data_is_still_refused(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).intent == "others_data"


# --- 11. Japanese: asking to be told the purposes, and being turned down, is Art. 6 ------------------------------------
@pytest.mark.parametrize("text", [
    "利用目的教えてって頼んでも、断られるパターンってあります？",            # was an answer (Art. 3)
    "自分のデータの利用目的教えてって頼んでも、無理って言われる時ある？",   # guard: passed before
    "目的を教えてって頼んだら断られる場合もありますか",                       # guard: passed before
])
def test_purposes_asked_and_refused_is_article_6(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article) == ("answer", 6), (match.decision, match.intent)


def test_the_list_of_purposes_is_still_article_3(matcher: Matcher) -> None:
    assert matcher.match("個人情報の利用目的って何がありますか").article == 3  # guard


# --- 12. questions that take their article: wrong information erased in speech (Art. 8); whether an actual person can
# be reached (Art. 14) -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, article", [
    ("登録の間違ってる情報を消してもらいたい時は、どこに言えばええの？", 8),          # was Art. 9
    ("間違ってる情報を消したいときは、どう頼めばいいの？", 8),                         # guard: passed before
    ("any chance to reach an actual person about data things?", 14),                # was Art. 5
    ("Is there a way to reach a real person about the policy?", 14),                # guard: passed before
])
def test_questions_take_their_article(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article) == ("answer", article), (match.decision, match.intent)


def test_asking_for_a_real_person_now_is_still_the_inquiry(matcher: Matcher) -> None:
    request(matcher, "let me talk to a real person please", "inquiry")  # guard
