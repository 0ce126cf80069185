"""Round 15: families of failure found on the blind sets r15a and r15c (scored untouched first on 1dffb0f: en 94.7 /
94.6, ja 97.1 / 98.1, request R 93.3 / 96.7), fixed with phrasings written for these tests: not evaluation items (none
is a copy of one), not catalog examples. r15b stays sealed.

Each family's first phrasings failed on `main` 1dffb0f (the comment says how); the guards beside them passed before and
must keep passing.
"""
from __future__ import annotations

import pytest

from intents.matcher import Matcher
from intents.dialect import read_dialect, read_katakana_writing
from intents.typos import fix_learner_forms
from tests.intents.expect import answers, no_article, not_request, request


# --- 1. second-language English: plural mass nouns, a doubled determiner, "receive" ----------------------------------
@pytest.mark.parametrize("folded, read", [
    ("please send the my datas", "please send my data"),
    ("all informations personal", "all information personal"),
    ("a your infos", "your info"),
    ("the myth of data sets", "the myth of data sets"),  # nothing to read differently
])
def test_learner_forms_are_read_as_the_standard_ones(folded: str, read: str) -> None:
    assert fix_learner_forms(folded) == read


@pytest.mark.parametrize("text", [
    "Good morning. I am wishing to receive the my personal datas that your firm is holding. Regards, Olga",  # was a fallback
    "I would like to receive all the informations you are having about me, by email please.",            # was a fallback
    "show me my personal details you are keeping, I am user 5512",                                         # guard
])
def test_a_second_language_ask_for_ones_data_is_a_disclosure(matcher: Matcher, text: str) -> None:
    request(matcher, text, "disclosure")


def test_how_to_receive_ones_data_is_a_question(matcher: Matcher) -> None:
    answers(matcher, "how can I receive my personal datas from you?", 7)  # was a fallback


# --- 2. what is held about people in the writer's care, asked how they can see it: Art. 7 ----------------------------
@pytest.mark.parametrize("text", [
    "Our tenants keep asking me how they could check what your service has stored about them. Any process?",  # was Art. 2
    "A teacher here: pupils' parents want to know how to see what your app holds about their children. How?",  # was a fallback
])
def test_how_others_see_what_is_held_on_them_is_article_7(matcher: Matcher, text: str) -> None:
    answers(matcher, text, 7)


# --- 3. the purposes asked with a plural "you" or as the reasons for collecting: Art. 3 ------------------------------
@pytest.mark.parametrize("text", [
    "what do u folks use customers personal info for",                    # was a fallback
    "so what do you guys use peoples data for",                           # was a silence
    "what are all the reasons you collect and use member data?",          # was Art. 2
])
def test_the_purposes_in_general_are_article_3(matcher: Matcher, text: str) -> None:
    answers(matcher, text, 3)


def test_how_data_is_collected_stays_article_2(matcher: Matcher) -> None:
    answers(matcher, "how do you guys collect my personal information?", 2)  # guard


# --- 4-6. a detail still wrong with its value (a correction); a formal inquiry about how staff's data is handled (the
# inquiry, not someone else's data); humble keigo asking to be shown (a disclosure) --------------------------------------
@pytest.mark.parametrize("text, handoff", [
    ("also my email is still wrong. it's kana.m@example.jp now", "correction"),            # was an Art. 8 answer
    ("my address is still the old one, it's 4-2-1 Minato now", "correction"),              # was an Art. 8 answer
    ("I run payroll at a logistics firm. Our drivers are uneasy about how their data is treated by your app, so I "
     "want to file a complaint with your data protection officer.", "inquiry"),            # was the refusal
    ("As the office manager I'd like to open an official inquiry with the privacy team about our staff's data.",
     "inquiry"),                                                                           # guard
    ("お手数ですが、私の登録情報をお見せいただけますでしょうか。", "disclosure"),                # was an Art. 7 answer
    ("弊方に関して保有されているデータを一式お見せいただけますか。", "disclosure"),              # was an Art. 7 answer
])
def test_stated_inquired_and_keigo_requests(matcher: Matcher, text: str, handoff: str) -> None:
    request(matcher, text, handoff)


@pytest.mark.parametrize("text", [
    "what can I do if my address is still wrong after I changed it?",   # guard: asked about
    "開示の手続きを教えていただけますか。",                                # guard: how, in keigo
])
def test_the_same_forms_asked_about_stay_questions(matcher: Matcher, text: str) -> None:
    not_request(matcher, text)


def test_a_manager_asking_for_staff_data_is_still_refused(matcher: Matcher) -> None:
    assert matcher.match("I'm their manager. Send me the home addresses of my staff.").intent == "others_data"  # guard


# --- 7. Japanese: the data of children or members in the writer's charge is someone else's --------------------------
@pytest.mark.parametrize("text", [
    "塾の講師です。クラスの子たちの登録情報を全部送ってください。",    # was a disclosure
    "サークルの部員らのメアド一覧、まとめて出してくれへん？",          # was a disclosure
    # section 21 (r15g): a representative asking for the principal's spouse or relative
    "I'm an attorney. My client's wife has an account with you; send me her registered address.",  # was a disclosure
    "弁護士です。依頼人の元夫の登録情報を開示してください。",                                          # was a disclosure
])
def test_the_data_of_people_in_ones_charge_or_the_principals_relatives_is_refused(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).intent == "others_data"


def test_a_parent_for_their_own_child_is_not_refused(matcher: Matcher) -> None:
    assert matcher.match("娘の登録情報を開示してください。保護者です。").intent != "others_data"  # guard


# --- 8. a closed account brought back is account support ---------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "is it possible to reactivate my old account?",                        # was Art. 9
    "can you reopen my account? I closed it by mistake",                   # was Art. 9
])
def test_bringing_an_account_back_is_support(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.intent) == ("fallback", "support_account"), (match.decision, match.intent)


def test_closing_the_account_and_erasing_data_is_still_a_suspension(matcher: Matcher) -> None:
    request(matcher, "please close my account and erase my personal data", "suspension")  # guard


# --- 9. everyday words for outsourcing and for keeping data safe -----------------------------------------------------
@pytest.mark.parametrize("text, article", [
    ("do you farm out the handling of customer records to other companies?", 4),    # was Art. 2
    ("how do you keep customer details from leaking?", 5),                          # guard: passed before
    ("is our client list locked down, or can anyone at your company open it?", 5),  # was Art. 14
])
def test_everyday_words_take_their_article(matcher: Matcher, text: str, article: int) -> None:
    answers(matcher, text, article)


# --- Second diagnosis: r15d and r15e, scored untouched on 8452cc7 (en 98.7 / 98.0, ja 97.1 / 98.1, request R 93.3 /
# 88.5) before anyone read them ---------------------------------------------------------------------------------------

# --- 10-12. requests shaped as wondering aloud or asking to be put in touch; in regional Japanese; details and chat ---
@pytest.mark.parametrize("text, handoff", [
    ("I wonder if you could send me a copy of the personal data you hold on me, please?", "disclosure"),  # was Art. 7
    ("I was wondering whether you might erase my account details, as I no longer use the app.", "suspension"),  # was Art. 9
    ("I wonder if you could fix my surname? You have it as Tanak but it is Tanaka.", "correction"),       # was Art. 8
    ("Might I be put through to the person who handles privacy complaints?", "inquiry"),                  # was Art. 14
    # 11. regional Japanese (the reading is tested below)
    ("おらのこと、なんぼ知ってるか全部見せでけろ", "disclosure"),            # was Art. 7
    ("おらの名前、よその会社さ渡すのやめでけろ", "third_party_stop"),         # was Art. 9
    ("わしのデータ、何に使っとるか教えてちょう", "purpose_notification"),     # was Art. 6
    ("ワイのデータ、何に使うとるんか教えてや", "purpose_notification"),        # was Art. 3
    # 12. a detail stated wrong (the birth year); chat spellings of the verbs
    ("u have my year of birth as 1979 but i was born in 1997. change it pls", "correction"),  # was a fallback
    ("pls shw me wat info u hav on me", "disclosure"),                                       # was Art. 7
])
def test_second_diagnosis_requests(matcher: Matcher, text: str, handoff: str) -> None:
    request(matcher, text, handoff)


@pytest.mark.parametrize("text", [
    "I was wondering how I could get hold of a copy of my data",                 # guard
    "I wonder if you could refuse to correct my data in some cases?",            # guard
])
def test_wondering_how_or_whether_you_may_refuse_stays_a_question(matcher: Matcher, text: str) -> None:
    not_request(matcher, text)


# --- 11. regional Japanese: Tohoku でけろ, Nagoya ちょう, Kansai てや, regional pronouns -------------------------------
@pytest.mark.parametrize("text, read", [
    ("おらのデータ消しでけろ", "私のデータ消してくれ"),
    ("わしの住所、直してちょう", "私の住所、直してください"),
    ("ワイのデータ送ってや。", "私のデータ送ってください。"),
    ("本を読んでけろ", "本を読んでくれ"),          # で after ん is standard: only the ending is read
    ("教えてやって", "教えてやって"),              # not a phrase end
    ("いわしの缶詰", "いわしの缶詰"),              # a word that merely contains わし
])
def test_regional_endings_and_pronouns_are_read_as_standard(text: str, read: str) -> None:
    assert read_dialect(text) == read


def test_a_regional_question_about_stopping_use_is_article_9(matcher: Matcher) -> None:
    answers(matcher, "データ漏れたら、使うのやめでけろって言えるんだべか", 9)  # was Art. 5


# --- 13. questions that take their article --------------------------------------------------------------------------
@pytest.mark.parametrize("text, article", [
    ("If I give my email to one of your services, may your other services use it too?", 2),      # guard: passed before
    ("My dad passed away last year and now I manage my mother's paperwork. Could I ask, as her representative, to see "
     "what you hold about her?", 7),                                                               # was a clarification
    ("Exam question: in which cases is the company exempt from announcing a new purpose of use? Please list them.", 3),  # was a request
    ("規約が改定されたときの周知方法を教えてください", 13),                                               # guard: passed before
    ("information that isn't really personal, do you collect that too?", 2),                      # guard: passed before
])
def test_second_round_questions_take_their_article(matcher: Matcher, text: str, article: int) -> None:
    answers(matcher, text, article)


def test_a_letter_to_whom_it_may_concern_is_still_a_request(matcher: Matcher) -> None:
    request(matcher, "To whom it may concern: please send me a copy of all my personal data.", "disclosure")  # guard


# --- Third diagnosis: r15b, sealed until its third totals-only print (en 94.0 on 1dffb0f, on 8452cc7 and with items
# 10-13), then read; r15f, written after, is the sealed set now ---------------------------------------------------

# --- 14. Japanese written in katakana throughout (half-width too) reads as kana writing ------------------------------
@pytest.mark.parametrize("text, read", [
    ("ﾜﾀｼ ﾉ ｼﾞｮｳﾎｳ ｹｼﾃ ｸﾀﾞｻｲ", "わたし の じょうほう けして ください"),
    ("クッキー？", "クッキー？"),                  # a loanword alone stays katakana
    ("データを消して", "データを消して"),          # kana and kanji writing stays as it is
])
def test_katakana_writing_is_read_as_hiragana(text: str, read: str) -> None:
    assert read_katakana_writing(text) == read


@pytest.mark.parametrize("text, handoff", [
    ("ﾜﾀｼ ﾉ ｼﾞｮｳﾎｳ ｾﾞﾝﾌﾞ ｹｼﾃ ｸﾀﾞｻｲ", "suspension"),                    # was Art. 9
    ("ボク ノ トウロク ジョウホウ ヲ ミセテ クダサイ", "disclosure"),            # was Art. 7
])
def test_katakana_requests_are_requests(matcher: Matcher, text: str, handoff: str) -> None:
    request(matcher, text, handoff)


# --- 15. Japanese use stopped with the particle dropped (「利用止めて」) -----------------------------------------------
def test_use_stopped_without_its_particle_is_a_suspension(matcher: Matcher) -> None:
    request(matcher, "目的と違う使い方されてるっぽいし、俺の情報の利用止めてほしい", "suspension")  # was a purpose notification


# --- 16. silences that give way: sensitive data kept from hackers is Art. 5; a notification refused for an
# investigation is Art. 6; contractors named in speech ------------------------------------------------------------------
@pytest.mark.parametrize("text, article", [
    ("how do you keep hackers away from the health records I store with you?", 5),              # was a silence
    ("could my request to be told the purposes be turned down because of a police investigation?", 6),  # was a silence
    ("外注先にもデータ渡すの？", 4),                           # guard: passed before (the keyword 外注先に, below)
])
def test_silences_give_way_to_the_article_asked_about(matcher: Matcher, text: str, article: int) -> None:
    answers(matcher, text, article)


@pytest.mark.parametrize("text, silence", [
    ("do you collect health data about me?", "silent_sensitive_data"),            # guard
    ("would you give my data to the police if they asked?", "silent_law_enforcement"),  # guard
    ("is there a transparency report on requests from the authorities?", "silent_law_enforcement"),  # was Art. 1
])
def test_the_silences_still_answer_their_own_questions(matcher: Matcher, text: str, silence: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.intent) == ("answer", silence), (match.decision, match.intent)


# --- Fourth diagnosis: r15f (ordinary traffic), sealed until scored untouched on 26b6df6 (en 95.3, ja 96.2, request R
# 93.4, the same as on 1dffb0f), then read; r15g, written after, is the sealed set now ---------------------------------

# --- 17. the purposes asked in general are Art. 3's list, not Art. 6's notification of one person's purposes --------
@pytest.mark.parametrize("text", [
    "個人データの利用目的を教えてほしいです",                                  # was a purpose notification request
    "Please let me know the purposes of use of customer information.",     # was a purpose notification request
    "tell me the purpose of use of personal data",                         # was a purpose notification request
    "Could you tell me what personal information is used for?",            # guard: passed before
])
def test_purposes_asked_in_general_are_the_list(matcher: Matcher, text: str) -> None:
    answers(matcher, text, 3)


@pytest.mark.parametrize("text", [
    "Can I ask you to tell me what my data is used for?",    # guard: the procedure, asked
    "利用目的を教えてもらえないケースってある？",               # guard: a refusal
])
def test_being_told_ones_own_purposes_stays_article_6(matcher: Matcher, text: str) -> None:
    answers(matcher, text, 6)


@pytest.mark.parametrize("text", [
    "notify me of the purpose of use pls",                                 # guard: notification named
    "私の個人情報の利用目的を教えてください。",                                # guard: the writer's own data
])
def test_being_told_ones_own_purposes_is_still_requested(matcher: Matcher, text: str) -> None:
    request(matcher, text, "purpose_notification")


# --- 18. requests in plain words: second-language "stop to use", a call reported, a ticket or a talk asked for, the
# writer's data wanted as a file -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, handoff", [
    ("Please you stop to use my informations, I am not agree with this.", "suspension"),               # was a fallback
    ("Got a call from a real estate company that had my number from you. Stop passing my info to other firms.",
     "third_party_stop"),                                                                             # was an inquiry
    ("can you open a case with your privacy people for us? we need to talk to someone about our team's data",
     "inquiry"),                                                                                      # was Art. 14
    ("御社が保有している私の情報を、CSVでいただけますか？", "disclosure"),                                  # was Art. 7
])
def test_plain_requests(matcher: Matcher, text: str, handoff: str) -> None:
    request(matcher, text, handoff)


def test_asking_which_form_disclosure_takes_stays_a_question(matcher: Matcher) -> None:
    not_request(matcher, "開示した情報はデータでもらえますか？")  # guard


# --- 19. questions: an ID document named as personal data, another company's sharing, a giveaway, a definition, what
# is held about others -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, article", [
    ("is it safe to type my passport number on your site? how do you protect it", 5),       # was a fallback
    ("このポリシーでいう「個人データ」の定義を教えてください", 2),                                 # was Art. 1
    ("can customers find out what data your company holds on them?", 7),                    # was Art. 6
    ("クッキーでどういう情報を集めてるんでしょう？", 12),                                         # guard: passed before
])
def test_fourth_round_questions_take_their_article(matcher: Matcher, text: str, article: int) -> None:
    answers(matcher, text, article)


@pytest.mark.parametrize("text", [
    "does WhatsApp share my contacts with advertisers?",   # was Art. 9: another company's practice
    "please disclose who won the raffle last week",        # was a disclosure request
])
def test_other_companies_and_giveaways_are_out_of_scope(matcher: Matcher, text: str) -> None:
    no_article(matcher, text)


# --- Fifth diagnosis: r15g (ordinary traffic), sealed until its totals were printed at fad1f69 (the same as untouched on
# f3c20f6 and on 1dffb0f), then read; r15h, written after, is the sealed set now --------------------------------------

# --- 20. a breach mentioned as context beside a question on prevention is Art. 5; a breach as a condition is still the
# notification silence ---------------------------------------------------------------------------------------------------
def test_preventing_leaks_amid_breach_news_is_article_5(matcher: Matcher) -> None:
    answers(matcher, "honestly every company seems to get breached lately. what are you doing to stop leaks?", 5)  # was a silence


def test_a_breach_as_a_condition_is_still_the_notification_silence(matcher: Matcher) -> None:
    match = matcher.match("if you get breached, would you actually tell me?")  # guard
    assert (match.decision, match.intent) == ("answer", "silent_breach_notification"), (match.decision, match.intent)


# --- 21. the account and everything held erased; a representative asking for the principal's spouse's data ----------
def test_erasing_the_account_and_everything_held_is_a_suspension(matcher: Matcher) -> None:
    # guard: passed before ([erase_held] now reads up to four words between the verb and "everything"; the blind item
    # it was widened for sat on a near tie that our own phrasings do not reproduce)
    request(matcher, "pls delete my profile and everything you hold on me", "suspension")


# (a representative asking for the principal's spouse: with section 7's refusals above)
def test_a_representative_asking_for_the_principal_is_a_request(matcher: Matcher) -> None:
    request(matcher, "We act for our client Ms. Sato. Please disclose her personal data held by you.", "disclosure")  # guard


# --- Sixth diagnosis: r15i (ordinary traffic), scored untouched on 5e1dbf6 (en 97.4, ja 98.1; on 1dffb0f en 96.7, dead
# ends 1.0 %), then read; r15h stays sealed ------------------------------------------------------------------------------

# --- 22. a request named by its formal term over a silent example sharing only the frame (`silent_yield_evidence` 1.5,
# the formal terms as keywords); a term over a frame between article topics (`named_over_frame_margin`) -----------------
@pytest.mark.parametrize("text, article", [
    ("訂正請求ってどうやってするんですか？", 8),           # was the identity-check silence
    ("利用停止請求ってどうやってするんですか？", 9),       # guard: passed before
    ("開示請求はどうやって出すんですか？", 7),             # guard: passed before
])
def test_a_request_named_by_its_term_is_its_article(matcher: Matcher, text: str, article: int) -> None:
    answers(matcher, text, article)


def test_an_identity_check_question_is_still_that_silence(matcher: Matcher) -> None:
    match = matcher.match("本人確認ってどうやってするんですか？")  # guard
    assert (match.decision, match.intent) == ("answer", "silent_identity_check"), (match.decision, match.intent)


# --- 23. the writer's own data handed over, asked politely with 私に関して; a process for "one of our employees"; another
# company's process ----------------------------------------------------------------------------------------------------
def test_own_data_about_me_sent_politely_is_a_disclosure(matcher: Matcher) -> None:
    request(matcher, "私に関して保存されてるデータ、ぜんぶ送ってもらえますか。", "disclosure")  # was Art. 7


def test_a_process_for_one_of_our_employees_is_article_7(matcher: Matcher) -> None:
    answers(matcher, "is there a process for one of our employees to check what personal data you hold on them? "
                      "asking for our HR team", 7)  # was the refusal


def test_another_companys_process_is_out_of_scope(matcher: Matcher) -> None:
    no_article(matcher, "what's Instagram's process for deleting an account?")  # was Art. 9
