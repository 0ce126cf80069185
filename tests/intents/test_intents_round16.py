"""Round 16: families of failure found on the blind sets r16a, r16c and r16d (scored untouched first on 0d3f7e2: en
92.7 / 94.7 / 94.7, ja 99.0 / 100 / 98.1, request R 90.2 / 98.3 / 93.3), fixed with phrasings written for these tests:
not evaluation items (none is a copy of one), not catalog examples. r16b stays sealed.

Each family's first phrasings failed on `main` 0d3f7e2 (the comment says how); the guards beside them passed before and
must keep passing.
"""
from __future__ import annotations

import pytest

from intents.matcher import Matcher
from intents.typos import fix_learner_forms
from tests.intents.expect import answers, not_request, request


# --- 1. the writer's own earlier mail pasted as quote lines: their own words, read as written now ---------------------
@pytest.mark.parametrize("text", [
    "> To whom it may concern,\n> Please notify me of the purposes for which you process my personal data.\n\n"
    "(resending my email from Monday, no answer yet)",                                                     # was an answer
    "> Please delete every piece of personal data you hold about me.\n\nbelow is what I sent two weeks ago",  # was an answer
])
def test_the_writers_own_pasted_mail_is_their_request(matcher: Matcher, text: str) -> None:
    request(matcher, text, "purpose_notification" if "purposes" in text else "suspension")


def test_a_customer_quoted_without_a_note_of_ones_own_is_not_the_writers_request(matcher: Matcher) -> None:
    # guard: someone else's words quoted, with the writer's own question after them
    not_request(matcher, "> please delete all my data\nA customer wrote this to us. Do we have to do it within a month?")


# --- 2. a letter's narrative ("have generally been satisfied", "I became curious") is not a question -------------------
@pytest.mark.parametrize("text", [
    "Dear team, I have used your shop for years and have generally been happy with it. Lately I became curious about "
    "where my details go. I would like to be formally notified of the purposes for which my personal data is used.",  # was an answer
])
def test_a_letters_narrative_does_not_turn_its_request_into_a_question(matcher: Matcher, text: str) -> None:
    request(matcher, text, "purpose_notification")


def test_generally_asking_stays_a_question(matcher: Matcher) -> None:
    not_request(matcher, "In general, can people ask you to tell them what their data is used for?")  # guard


# --- 3. South Asian English: "share my details" asked of the company, "do the needful", "revert with", "utilised" -----
@pytest.mark.parametrize("folded, read", [
    ("kindly share my complete details available with you", "kindly send me my complete details available with you"),
    ("please share my data with your partners", "please share my data with your partners"),  # a recipient: unchanged
    ("do you share my data", "do you share my data"),                                        # a question: unchanged
    ("revert back with the purposes my data is utilised for", "reply with the purposes my data is used for"),
])
def test_south_asian_english_forms_are_read_as_the_standard_ones(folded: str, read: str) -> None:
    assert fix_learner_forms(folded) == read


def test_whether_you_share_data_is_not_a_disclosure(matcher: Matcher) -> None:
    not_request(matcher, "do you share my data?")  # guard


# --- 4. asking the company to tell the purposes, as a procedure: Art. 6, not the list of Art. 3 -----------------------
@pytest.mark.parametrize("text", [
    "Is there a rule under which a member can ask the company to inform them of the purpose of using their data?",  # was Art. 3
    "Can my solicitor ask you on my behalf to tell us what purposes you use my details for?",                       # was Art. 3
    "just wondering, could my attorney ask you which purposes my details are used for?",                           # guard
])
def test_asking_to_be_told_the_purposes_is_article_6(matcher: Matcher, text: str) -> None:
    answers(matcher, text, 6)


def test_the_purposes_themselves_stay_article_3(matcher: Matcher) -> None:
    answers(matcher, "what purposes do you use my data for?", 3)  # guard


# --- 5. a representative writing for a relative: the relative's wish relayed, their data read as theirs ----------------
@pytest.mark.parametrize("text, handoff", [
    # family 3, South Asian English requests
    ("Kindly share my complete profile data that is stored with you. Do the needful.", "disclosure"),       # was a fallback
    ("Please revert with the purposes my personal data is being utilised for. Do the needful.", "purpose_notification"),  # was an answer
    # family 5, a representative's relayed wish
    ("I'm writing for my aunt, who asked me to take care of this. She would like to be told what her personal data is "
     "used for by your company.", "purpose_notification"),                                                  # was an answer
    ("I'm contacting you for my grandfather, Mr Sato. He would like to be shown everything you store about him.",
     "disclosure"),                                                                                         # was Art. 9
    ("I'm writing on behalf of my grandmother, who has asked me to deal with this. She would like to be sent a copy of "
     "the personal data you hold on her.", "disclosure"),                                                  # guard
    ("My father (79) asked me to help him get everything you keep about him. He has given me power of attorney.",
     "disclosure"),                                                                                         # was an answer
])
def test_south_asian_english_and_relayed_wishes_are_requests(matcher: Matcher, text: str, handoff: str) -> None:
    request(matcher, text, handoff)


def test_a_relatives_wish_without_authority_is_not_a_request(matcher: Matcher) -> None:
    not_request(matcher, "My husband would like to be sent a copy of his data. How does he do that?")  # guard


@pytest.mark.parametrize("text", [
    "My dad is 88 and can't manage emails. Could I request a copy of his information for him, as his representative?",  # was Art. 14
    "父の代わりに開示の請求をすることはできますか。父は高齢でパソコンが使えないので。",                                  # was a fallback
])
def test_asking_for_a_relatives_data_as_their_representative_is_article_7(matcher: Matcher, text: str) -> None:
    answers(matcher, text, 7)


def test_a_broken_computer_stays_out_of_scope(matcher: Matcher) -> None:
    match = matcher.match("会社のパソコンが使えないので直してください")  # guard
    assert match.article is None and match.handoff is None


# --- 6. filler adverbs inside a phrase ("what do you actually use…", "how do you even…") --------------------------------
@pytest.mark.parametrize("text, article", [
    ("what do you really use members info for", 3),                           # was a fallback
    ("how do you actually get my details, is it legal", 2),                    # was a fallback
    ("so what do you honestly use customers data for", 3),                    # guard
    ("what do you use customers data for", 3),                                # guard
])
def test_filler_adverbs_do_not_break_a_phrase(matcher: Matcher, text: str, article: int) -> None:
    answers(matcher, text, article)


def test_fillers_are_left_out_of_keywords_and_messages_alike() -> None:
    from intents.keywords import FILLERS
    assert {"actually", "really", "even"} <= FILLERS and not FILLERS & {"not", "never", "only", "still"}


# --- 7. hostile words in a worried question or a story: "without telling anyone?", "with everyone's details" -----------
@pytest.mark.parametrize("text, article", [
    ("could you start using my data for a whole new purpose one day without telling anyone?", 3),         # was hostile
    ("Is customer data ever taken home on laptops? A friend's employer lost a bag with everybody's records in it.", 5),  # was hostile
])
def test_a_worried_question_is_not_hostile(matcher: Matcher, text: str, article: int) -> None:
    answers(matcher, text, article)


@pytest.mark.parametrize("text", [
    "export a sheet with everybody's phone numbers and mail it to me",   # guard
    "change my coworker's address, and do it without telling her",      # guard
])
def test_handing_over_everyones_data_or_acting_behind_someones_back_stays_hostile(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.article is None and match.handoff is None and "hostile" in match.flags, (match.decision, match.flags)


# --- 8. everyday words that named no article: site traffic, a VPN and IPs ------------------------------------------------
@pytest.mark.parametrize("text, article", [
    ("What software do you use to analyse website traffic?", 11),                                  # was a fallback
    ("Which service do you use for visitor statistics on the site?", 11),                          # was Art. 3
    ("im on a VPN, does it change what you collect? do you log IPs", 12),                          # was a fallback
    ("using a vpn - do you still collect my ip?", 12),                                             # was a fallback
    ("what's the address of your office?", 14),                                                    # guard
])
def test_everyday_words_name_the_article(matcher: Matcher, text: str, article: int) -> None:
    answers(matcher, text, article)


def test_a_broken_vpn_stays_out_of_scope(matcher: Matcher) -> None:
    match = matcher.match("my VPN keeps disconnecting")  # guard
    assert (match.decision, match.article) == ("fallback", None)


# --- 9. a letter through the contact form, and the purposes asked to be notified in Japanese ---------------------------
@pytest.mark.parametrize("text, handoff", [
    ("突然のご連絡失礼いたします。お問い合わせフォームより失礼いたします。私のデータを全部削除してください。", "suspension"),  # was Art. 14
    ("私の個人情報がどういう目的で利用されているのかご通知ください。", "purpose_notification"),                          # was Art. 3
    ("お問い合わせフォームから失礼します。私の情報が何の目的で使われているのか、通知していただけますでしょうか。",
     "purpose_notification"),                                                                                         # guard
])
def test_japanese_letters_asking_for_a_request(matcher: Matcher, text: str, handoff: str) -> None:
    request(matcher, text, handoff)


def test_where_the_contact_form_is_stays_article_14(matcher: Matcher) -> None:
    answers(matcher, "お問い合わせフォームはどこにありますか？", 14)  # guard


# --- 10. everything the account holds, shown ------------------------------------------------------------------------
def test_showing_what_the_account_holds_is_article_7(matcher: Matcher) -> None:
    match = matcher.match("Could you show me everything my account holds on your end, even the hidden stuff?")
    assert match.article == 7, (match.decision, match.intent)  # was Art. 9


# --- 11. questions read as requests: a procedure named in romaji, a Kyushu question, whether a reason is enough -------
@pytest.mark.parametrize("text, article", [
    ("sakujo wo onegai suru tejun wo oshiete", 9),                                               # was a request
    ("データ消してもらうことってできると？", 9),                                                     # was a request
    ("my contract ended, would that be grounds to ask you to stop using my data?", 9),            # was a request
    ("What are the cases where customer can request stopping of usage of personal data?", 9),    # was Art. 7
])
def test_a_question_about_a_request_is_not_the_request(matcher: Matcher, text: str, article: int) -> None:
    answers(matcher, text, article)


@pytest.mark.parametrize("text, handoff", [
    ("sakujo onegai shimasu", "suspension"),       # guard
    ("データ消してくれん？", "suspension"),            # guard
])
def test_the_requests_themselves_stay_requests(matcher: Matcher, text: str, handoff: str) -> None:
    request(matcher, text, handoff)


def test_kyushu_questions_are_read_as_standard_ones() -> None:
    from intents.dialect import read_dialect
    assert read_dialect("どこに送ればよかと？") == "どこに送ればよかの？"
    assert read_dialect("私と？") == "私と？"  # not after a verb: left alone


# --- 12. asking to be told the purposes, again: "if I asked what purpose…", "could he ask on my behalf what my data's
# used for" (round 16, second sets) ------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "if i asked what purpose you're storing my details for, would you actually answer me?",   # was Art. 3
    "my son helps with my paperwork. could he ask on my behalf what my data's used for?",      # was Art. 3
    "if I asked you what purpose you hold my email for, would you answer?",                    # was Art. 3 first
])
def test_asking_to_be_told_the_purposes_again_is_article_6(matcher: Matcher, text: str) -> None:
    answers(matcher, text, 6)


# --- 13. leaving named as the time of the ask ("before I decide whether to delete my account, I want to see…") --------
def test_the_leaving_named_as_the_asks_time_is_not_the_request(matcher: Matcher) -> None:
    request(matcher, "before i decide whether to delete my account i want to see all the personal data you have on me. "
                     "mail it to me pls", "disclosure")  # was a suspension


def test_leaving_itself_stays_the_request(matcher: Matcher) -> None:
    request(matcher, "I've decided: close my account and delete all my data.", "suspension")  # guard


# --- 14. obtaining data fairly, in everyday words: Art. 2 ----------------------------------------------------------
def test_obtained_fairly_in_everyday_words_is_article_2(matcher: Matcher) -> None:
    answers(matcher, "do you get people's info illegally or is it all above board", 2)  # was a fallback


# --- 15. how identity is checked stays the policy's silence (Art. 3's "confirming identity" keywords beside it) --------
def test_how_identity_is_checked_stays_silent(matcher: Matcher) -> None:
    match = matcher.match("how will you verify my identity when I ask for my data?")  # guard
    assert (match.article, match.intent) == (None, "silent_identity_check")


# --- 16. someone claiming to be the company's legal or compliance team asking for the log of others' requests --------
@pytest.mark.parametrize("text", [
    "Webmo compliance here. Pull the deletion request history for every customer and send it over.",               # was a request
    "I'm in your legal department. For the audit, forward me the last 50 access requests you received, with names.",  # was a request
])
def test_staff_claims_for_the_request_log_are_refused(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.article is None and match.handoff is None and match.intent == "others_data", (match.decision, match.intent)


def test_ones_own_request_log_is_not_refused(matcher: Matcher) -> None:
    match = matcher.match("how long do you keep the request log for my account?")  # guard
    assert match.intent != "others_data"


# --- 17. everyday words for Arts. 1, 2, 4, 7 and 13 -------------------------------------------------------------------
@pytest.mark.parametrize("text, article", [
    ("how do i find out when you update this", 13),                                        # was a fallback
    ("個人情報ってどこまでを指してますか？電話番号も入りますか？", 2),                          # was Art. 14
    ("do I have a right to know what you've collected about me?", 7),                         # was Art. 2
    ("if you hire another company for support do they get my info", 4),                        # was Art. 9
    ("signed up for a newer service of yours last week. does this main policy apply there too?", 1),  # was Art. 2 first
])
def test_everyday_words_name_the_article_too(matcher: Matcher, text: str, article: int) -> None:
    answers(matcher, text, article)


# --- 18. the particle とか is no start of a kana noun (「閲覧履歴とかって」 holds no 勝手) --------------------------------
def test_toka_is_read_as_the_particle(matcher: Matcher) -> None:
    from intents.normalize import normalize
    read = matcher._kana.read(normalize("閲覧履歴とかって取られてるんですか").text)
    assert read is None or "勝手" not in read, read
    assert "勝手" in (matcher._kana.read(normalize("情報をかってに使わないで").text) or "")  # guard: the noun itself


# --- 19. how the company handles such a request, asked in general, is no ask for someone's data ----------------------
def test_grounds_to_decline_a_request_are_a_question(matcher: Matcher) -> None:
    answers(matcher, "I act for a number of clients who use your apps. Before anything formal, on what grounds may the "
                      "Company decline a request to disclose a user's personal information?", 7)  # was the refusal


def test_a_named_users_data_is_still_refused(matcher: Matcher) -> None:
    match = matcher.match("Send me the personal information of the user kenji_88 now.")  # guard
    assert match.intent == "others_data"


# --- 20. a detail missing part of it, with its right value, amid thanks for an order: a correction --------------------
def test_a_detail_missing_part_with_its_right_value_is_a_correction(matcher: Matcher) -> None:
    request(matcher, "Thanks for the quick delivery yesterday! By the way my postcode is missing a letter, it should be "
                     "SW1A 1AA.", "correction")  # was a suspension


# --- 21. a courteous letter asking that someone at the company contact the writer; an account held jointly -------------
@pytest.mark.parametrize("text", [
    "I have tried for days to understand what happened to my details. I would however be very grateful if a member of "
    "your team who looks after personal information could ring me.",                                    # was Art. 9
    "I would be grateful if somebody from your privacy team could call me back about my data.",        # guard
])
def test_grateful_if_someone_would_contact_me_is_an_inquiry(matcher: Matcher, text: str) -> None:
    request(matcher, text, "inquiry")


def test_an_account_held_jointly_is_the_writers_own(matcher: Matcher) -> None:
    request(matcher, "the email on the account my housemate and I share is out of date. we both want it updated to "
                     "pat.lee@example.com", "correction")  # was the refusal


def test_someone_elses_data_is_still_refused(matcher: Matcher) -> None:
    match = matcher.match("my housemate has an account with you. send me the email address on it")  # guard
    assert match.handoff is None and match.intent == "others_data", (match.decision, match.intent)


# --- 22. third wave (r16i): the writer's own case over the general list, asking for one's data as a hypothetical, staff
# looking at will, a person looped in, details said not to be personal, a project the user made ---------------------
@pytest.mark.parametrize("text, article", [
    ("is there a way to learn the purpose you use MY info for specifically, not just the general list?", 6),  # was Art. 3
    ("just curious, if I asked for all my data would you have to hand it over?", 7),                          # was a fallback
    ("would you ever say no if I asked for my personal data?", 7),                                            # was Art. 6
    ("can your staff look at my account info whenever they feel like it?", 5),                                # was Art. 14
])
def test_third_wave_questions_name_their_article(matcher: Matcher, text: str, article: int) -> None:
    answers(matcher, text, article)


def test_a_person_looped_in_is_an_inquiry(matcher: Matcher) -> None:
    request(matcher, "hey, could you loop in someone from your privacy team? we'd rather discuss this with a person",
            "inquiry")  # was Art. 14


def test_deleting_a_project_one_made_is_product_support(matcher: Matcher) -> None:
    match = matcher.match("how do I delete a project I created?")  # was Art. 9
    assert (match.decision, match.article) == ("fallback", None), (match.decision, match.intent)


# --- 23. fourth wave (r16l, read after its score) ---------------------------------------------------------------------
def test_a_claimed_investigator_asking_for_a_named_account_holder_is_refused(matcher: Matcher) -> None:
    # "Mark" is a word of the catalog, so the name is not found by its capitals: the role names the person
    match = matcher.match("I'm a private investigator. Send me everything you hold on your account holder Mark Ellis.")
    assert match.handoff is None and match.intent == "others_data", (match.decision, match.intent)  # was a disclosure


def test_what_is_kept_on_account_holders_in_general_is_no_refusal(matcher: Matcher) -> None:
    match = matcher.match("what data do you keep on your account holder after they close the account?")  # guard
    assert match.intent != "others_data"


@pytest.mark.parametrize("text, handoff", [
    ("so i've used your app for years and got kind of paranoid about how much these apps know about me lol. anyway can "
     "you just send me every bit of personal info you've got on my account", "disclosure"),  # was an answer
    ("人につないでもらえますか？アカウントの件です", "inquiry"),                                   # was Art. 14
])
def test_fourth_wave_requests(matcher: Matcher, text: str, handoff: str) -> None:
    request(matcher, text, handoff)


# --- 24. the product compared with another is out of scope; data between the company's own products stays Art. 2 ------
def test_the_product_compared_with_another_is_out_of_scope(matcher: Matcher) -> None:
    match = matcher.match("how is your app different from Notion?")  # was Art. 2
    assert (match.decision, match.article) == ("fallback", None), (match.decision, match.intent)


def test_data_between_the_companys_products_stays_article_2(matcher: Matcher) -> None:
    answers(matcher, "is my data shared between your products?", 2)  # guard
