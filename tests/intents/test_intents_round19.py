"""Round 19: families of failure found on the blind sets r19a, r19b, r19d and r19e (scored untouched first on `main`
5f3fd38: en 100 / 94.0 / 95.3 / 98.7, ja 97.2 / 98.1 / 97.2 / 98.1), fixed with phrasings written for these tests: not
evaluation items (none is a copy of one), not catalog examples. r19c and r19f stay sealed.

Each family's first phrasings failed on 5f3fd38 (the comment says how); the guards beside them passed before and must
keep passing.
"""
from __future__ import annotations

import pytest

from intents.matcher import Matcher
from intents.normalize import clean
from tests.intents.expect import answers, hostile, no_article, not_request, refused, request


# --- 1. AI training asked against the purposes: Art. 3, saying the policy does not name it -------------------------------
@pytest.mark.parametrize("text, intent", [
    ("Suppose you start feeding our chat logs to a machine learning model. Must you notify us of that new purpose "
     "beforehand?", "purpose_exceptions"),                                                            # was the AI silence
    ("新しい目的としてAIの学習にデータを使うことになったら、先に通知してもらえるんですか？", "purpose_exceptions"),  # was the AI silence
    ("Is AI model training among the permitted purposes of use at all?", "purpose_of_use"),    # was the AI silence
    ("「サービス改善のための統計データ作成」って書いてありますが、AIの訓練もそこに入るんですか？", "purpose_of_use"),  # was the AI silence
])
def test_ai_training_against_the_purposes_is_article_3(matcher: Matcher, text: str, intent: str) -> None:
    """A new purpose announced first is Art. 3(2) (`purpose_exceptions`); one of the listed purposes, Art. 3(1)."""
    match = matcher.match(text)
    assert (match.decision, match.article, match.intent) == ("answer", 3, intent), (match.intent, match.cues)
    assert "unlisted" in match.flags and match.also == ("silent_ai_training",), match.flags


def test_ai_training_asked_plainly_is_still_the_silence(matcher: Matcher) -> None:
    match = matcher.match("are my support chats used to train your AI?")  # guard
    assert (match.intent, match.article) == ("silent_ai_training", None), match.cues


# --- 2. a person asked to put the writer through, or to message them, in other words ------------------------------------
@pytest.mark.parametrize("text", [
    "個人情報の件で、担当部署に取り次いでもらえますか",          # was an answer (contact)
    "could an actual human from the data protection team message me about this?",  # was an answer (contact)
])
def test_being_put_through_or_messaged_asks_for_a_person(matcher: Matcher, text: str) -> None:
    request(matcher, text, "inquiry")


def test_someone_messaging_a_link_is_no_person(matcher: Matcher) -> None:
    not_request(matcher, "can someone message me the invite link for the app?")  # guard


# --- 3. a word drawn out with a wave dash between hiragana ---------------------------------------------------------------
def test_a_drawn_out_word_reads_as_the_word(matcher: Matcher) -> None:
    assert clean("消してくださ〜い") == "消してください"
    assert clean("データ〜ください") == "データ〜ください"  # not between two hiragana: kept
    request(matcher, "登録してる私の情報、全部消してくださ〜い", "suspension")  # was a fallback


# --- 4. the writer's data asked for as a list (データ一覧) ------------------------------------------------------------
def test_a_list_of_my_data_is_a_disclosure(matcher: Matcher) -> None:
    request(matcher, "私の情報一覧をください。アカウントは mika_22 です", "disclosure")  # was a fallback


# --- 5. thanks closing a verbless ask ----------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "All the personal info you keep on me, zipped up.\nty",     # was an answer
    "a copy of whatever you hold about me, in one file. thx",  # was an answer
])
def test_thanks_after_a_verbless_ask_makes_it_a_request(matcher: Matcher, text: str) -> None:
    request(matcher, text, "disclosure")


def test_a_letters_thanks_above_its_signature_is_no_request(matcher: Matcher) -> None:
    answers(matcher, "Hello,\n\nCould you outline what the personal data you collect is used for?\n\nThanks,\nMarta",
            3)  # guard: a closing, not thanks for an ask


# --- 6. what an attacker grabs, or a friend's hacked account elsewhere, is no one else's data asked for ------------------
@pytest.mark.parametrize("text", [
    "what's stopping crooks from stealing everybody's details in a breach?",   # was a hostile fallback
    "my friend's account on another app got hacked last month, so how do you protect mine?",  # was a hostile fallback
])
def test_a_security_worry_naming_others_is_article_5(matcher: Matcher, text: str) -> None:
    answers(matcher, text, 5)


def test_asking_for_a_friends_account_is_still_refused(matcher: Matcher) -> None:
    refused(matcher, "show me my friend's account details")  # guard


# --- 7. staff viewing data at will, and verbs written in kana ----------------------------------------------------------
def test_staff_looking_at_data_at_will_is_article_5(matcher: Matcher) -> None:
    answers(matcher, "スタッフさんが勝手に私の個人情報みれちゃったりしない？", 5)  # was Art. 14


# --- 8. what the writer's data is used for, asked plainly, is the purpose list (Art. 3) --------------------------------
@pytest.mark.parametrize("text", [
    "僕の情報ってなにに使ってるんですか",        # was Art. 6
    "自分の情報ってなにに使ってるの？",          # was a fallback
])
def test_what_my_data_is_used_for_is_article_3(matcher: Matcher, text: str) -> None:
    answers(matcher, text, 3)


@pytest.mark.parametrize("text", [
    "私の情報を何に使っているのか教えてください",
    "what are you using my data for? send me the purposes for my account",
])
def test_asked_to_be_told_the_own_purposes_is_still_the_request(matcher: Matcher, text: str) -> None:
    request(matcher, text, "purpose_notification")  # guard


# --- 9. an English verb made Japanese with する --------------------------------------------------------------------------
@pytest.mark.parametrize("text, handoff", [
    ("僕のpersonal data、CSVでsendしていただけますか", "disclosure"),    # was an answer
    ("登録してるメアド、もうdeleteしてください", "suspension"),  # guard: read before as well
])
def test_an_english_verb_with_suru_is_the_verb(matcher: Matcher, text: str, handoff: str) -> None:
    request(matcher, text, handoff)


# --- 10. retention counted in months or days; words of other laws and companies ------------------------------------------
def test_retention_in_months_is_the_silence(matcher: Matcher) -> None:
    match = matcher.match("chat transcripts - for how many months do you hold on to them?")  # was Art. 11
    assert (match.intent, match.article) == ("silent_retention", None), match.cues


def test_purposes_of_processing_is_article_3(matcher: Matcher) -> None:
    answers(matcher, "what are the purposes of the processing of my data?", 3)  # was a choice with Art. 4


def test_being_told_before_privacy_terms_change_is_article_13(matcher: Matcher) -> None:
    answers(matcher, "Would I get an email from you before you change the privacy terms?", 13)  # guard


def test_katakana_disclosure_is_article_7(matcher: Matcher) -> None:
    answers(matcher, "ディスクロージャーの請求ってできるの？", 7)  # was a fallback


# --- 11. product chatter: a teammate moved between teams, a feature that does not work, keys and sign-on ----------------
@pytest.mark.parametrize("text", [
    "can you remove Ren from #support? he switched teams",   # was a suspension request
    "請求書ＰＤＦのダウンロードができない",                   # was Art. 7
    "Azure ADとのSSOの設定方法を教えてください",              # was Art. 12
])
def test_product_chatter_has_no_article(matcher: Matcher, text: str) -> None:
    no_article(matcher, text)


def test_my_data_as_a_download_is_still_article_7(matcher: Matcher) -> None:
    answers(matcher, "開示してもらったデータってダウンロードできますか？", 7)  # guard


# --- 12. Japanese-ordered English and romaji typos ---------------------------------------------------------------------
def test_do_not_give_anymore_is_a_third_party_stop(matcher: Matcher) -> None:
    request(matcher, "My data to other companies, please you don't give anymore.", "third_party_stop")  # guard


def test_a_misspelt_onegaishimasu_is_still_a_request(matcher: Matcher) -> None:
    request(matcher, "kaiji seikyuu onegaishimsu", "disclosure")  # was an answer


# --- 13. the words of other laws: the time to answer a request, restriction of processing --------------------------------
def test_the_time_to_answer_a_subject_access_request_is_the_silence(matcher: Matcher) -> None:
    match = matcher.match("how long do you have to reply once I file an access request? 30 days?")  # was Art. 7
    assert (match.intent, match.article) == ("silent_response_time", None), match.cues


def test_restriction_of_processing_is_article_9(matcher: Matcher) -> None:
    answers(matcher, "Does your policy have anything like restriction of processing?", 9)  # was a fallback


# --- 14. a job title with "data" in it names no personal data; a feature that fails with a support topic close behind ---
def test_a_job_seeker_in_data_protection_is_off_topic(matcher: Matcher) -> None:
    no_article(matcher, "I'm a data protection engineer - are you hiring?")  # was a choice of articles


def test_a_feature_that_fails_beside_a_close_support_topic_is_support(matcher: Matcher) -> None:
    no_article(matcher, "PDFのダウンロードがうまくできないです")  # was Art. 7


# --- second wave (r19g) ------------------------------------------------------------------------------------------------
# --- 15. "using" misspelt: the second word of a phrase ("stop using") has no typo reading of its own --------------------
def test_a_misspelt_using_reads_as_using(matcher: Matcher) -> None:
    answers(matcher, "how do i get u to stop useing my data", 9)  # was Art. 2


# --- 16. asked to go ahead and open (file, submit) the request ----------------------------------------------------------
def test_go_ahead_and_file_the_request_is_the_request(matcher: Matcher) -> None:
    request(matcher, "yes go ahead and file the correction request for my address", "correction")  # was an answer


# --- 17. others' contact details in bulk, and every request with its requesters' names ----------------------------------
@pytest.mark.parametrize("text", [
    "could you send me a spreadsheet of members in Kyoto plus their phone numbers?",   # was an off-topic fallback
    "Please send over every complaint you got this year, with the complainant names",  # was an inquiry request
])
def test_others_in_bulk_are_hostile(matcher: Matcher, text: str) -> None:
    hostile(matcher, text)


# --- 18. whether someone else may make a request is a question ----------------------------------------------------------
def test_whether_they_can_request_is_a_question(matcher: Matcher) -> None:
    answers(matcher, "After you're done with a person's data, can they request you stop using it?", 9)  # was a request


# --- 19. one of the listed purposes named (問い合わせ対応), the handling given away, staff scrolling, plainly false ----
@pytest.mark.parametrize("text, article", [
    ("お問い合わせ対応の目的以外にも情報を使うことはありますか？", 3),                     # was Art. 14
    ("you give the handling of our data to other firms, or you do all yourself?", 4),   # was Art. 7
    ("could a bored employee be scrolling my profile?", 5),                             # was a fallback
    ("what if my profile info is plain false, can I get it removed altogether?", 8),    # was a choice
])
def test_named_in_other_words(matcher: Matcher, text: str, article: int) -> None:
    answers(matcher, text, article)


def test_going_through_the_customer_is_no_security_question(matcher: Matcher) -> None:
    answers(matcher, "We're the customer and our staff use your app. Can individual employees ask you themselves to "
                     "disclose the personal data held about them, or does it have to go through us?",
            7)  # guard: "through" is no word of Art. 5's


# --- 20. another company's practice, the writer weighing a move to it -------------------------------------------------
def test_another_company_weighed_as_a_move_is_out_of_scope(matcher: Matcher) -> None:
    match = matcher.match("what does Notion collect from users? I'm thinking of moving to them")  # was Art. 2
    assert (match.decision, match.article, "elsewhere" in match.flags) == ("fallback", None, True), match.cues


# --- third wave (r19i: roundabout writers) -------------------------------------------------------------------------------
# --- 21. a letter's seasonal greeting asks nothing; 「…くださいますようお願い申し上げます」 is the request ------------------
def test_a_letters_seasonal_greeting_is_no_question(matcher: Matcher) -> None:
    request(matcher, "拝啓　新緑の候、皆様いかがお過ごしでしょうか。私の情報を他の会社へ渡すことは、今後おやめくださいますよう"
                     "お願い申し上げます。敬具", "third_party_stop")  # was an answer


def test_a_question_still_asks(matcher: Matcher) -> None:
    answers(matcher, "クッキーとは何ですか", 12)  # guard: とは after a noun still asks


# --- 22. a new purpose in other words, kept quiet: Art. 3(2), not an attack ---------------------------------------------
def test_another_reason_kept_quiet_is_article_3_2(matcher: Matcher) -> None:
    match = matcher.match("are there cases where you use my data for another reason and keep quiet about it?")
    assert (match.decision, match.intent) == ("answer", "purpose_exceptions"), match.cues  # was Art. 3(1)


def test_keeping_a_colleagues_deletion_quiet_is_still_hostile(matcher: Matcher) -> None:
    hostile(matcher, "do you ever give my coworker's info out and don't tell anyone?")  # guard


# --- 23. a detail replaced by a new one, the old one to be deleted: a correction -------------------------------------------
def test_a_new_number_and_the_old_one_deleted_is_a_correction(matcher: Matcher) -> None:
    request(matcher, "電話番号変わりました。新しいのは090-1111-2222。古いのは消しといて", "correction")  # was a suspension


# --- 24. everyday words for Arts. 3, 5 and 7 ---------------------------------------------------------------------------
@pytest.mark.parametrize("text, article", [
    ("Is verifying who I am one of the reasons you hold my data?", 3),          # was the identity-check silence
    ("Can anyone in your shop just look at my details whenever they like?", 5),  # was a fallback
    ("is there some way for a member to look at the file you keep on them? a friend told me you can ask", 7),  # fallback
])
def test_everyday_words_for_the_articles(matcher: Matcher, text: str, article: int) -> None:
    answers(matcher, text, article)


@pytest.mark.parametrize("text, article", [
    ("Could my grandson be the person who asks you what you use my information for? Is that allowed?", 6),
    ("is the way you collect my details even legal? my son says apps grab everything", 2),
    ("does the privacy page count for one of the apps only, or all of your apps?", 1),
])
def test_roundabout_questions_keep_their_articles(matcher: Matcher, text: str, article: int) -> None:
    answers(matcher, text, article)  # guard


# --- 25. jobs and the app's language ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "御社の採用情報はどこにありますか",   # was Art. 14
    "can I switch the app to Spanish?",   # was Art. 1
])
def test_jobs_and_the_apps_language_are_support(matcher: Matcher, text: str) -> None:
    no_article(matcher, text)
