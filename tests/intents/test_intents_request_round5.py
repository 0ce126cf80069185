"""Formal requests made now vs questions about them (issue 13, round 5 families).

Phrasings are written for these tests: not evaluation items, not catalog examples. Each family is a general mechanism:
a bare imperative after a want-statement, an assurance asked for ("make sure…"), a written answer for the writer's
own account, a wrong address told as a complaint, a person asked for in a long polite letter or a casual complaint,
romaji request nouns (…wo seikyuu shimasu), the request type following what is asked, and questions about the
process or conditional questions in dialect that are no requests.
"""
from __future__ import annotations

import pytest

from intents.cues import load_cues
from intents.matcher import Matcher
from tests.intents.expect import request as _request
from intents.structure import is_hypothetical_question


@pytest.mark.parametrize("text, handoff", [
    # a want-statement, then a bare imperative pointing back at it ("Do it.", "Make it happen.")
    ("I want every trace of my account wiped. Make it happen. :angry:", "suspension"),
    ("I need my details deleted from your systems. Get it done.", "suspension"),
    ("I want you to stop handing my info to advertisers. Just do it.", "third_party_stop"),
    ("Want a copy of everything you hold on me. Sort it out. :angry:", "disclosure"),
    (":rage: my profile data needs to be gone from your servers. do it now", "suspension"),
    ("個人情報を削除してほしい。さっさとやって。:rage:", "suspension"),
])
def test_a_want_statement_with_a_bare_imperative(matcher: Matcher, text: str, handoff: str) -> None:
    _request(matcher, text, handoff)


def test_do_it_is_an_imperative_not_a_question() -> None:
    cues = load_cues()
    for text in ("Do it.", "do that now", "Just do it"):
        assert cues.score(text, text).question == 0, text
    # "do …" that asks stays a question
    assert cues.score("do it for free?", "do it for free?").question > 0


@pytest.mark.parametrize("text", [
    "From now on make sure none of my details reach your advertisers.",
    "Kindly ensure my data is not shared with your business partners anymore.",
    "make sure my email address is never handed over to outside companies again",
    "私の情報が提携先に渡らないようにしてください",
    "今後、私のデータを第三者に提供しないよう徹底してください",
])
def test_a_third_party_stop_asked_for_as_an_assurance(matcher: Matcher, text: str) -> None:
    _request(matcher, text, "third_party_stop")


def test_data_no_longer_passed_on_names_the_third_party_stop() -> None:
    cues = load_cues()
    text = "Ensure my records are no longer handed over to affiliated companies."
    assert "third_party_stop" in cues.request_types(cues.score(text, text))


@pytest.mark.parametrize("text", [
    "I want a written statement of the purposes you use my personal data for. Mine, not the policy's general list.",
    "Tell me in writing what my account data is being used for. Specific to me, not boilerplate.",
    "Which purposes does my phone number serve for you? I expect a written reply about my account specifically, "
    "not the standard FAQ.",
    "私のデータを何に使っているのか、一般論ではなく私のアカウントについて書面で回答してください。",
])
def test_purpose_notification_for_my_own_account(matcher: Matcher, text: str) -> None:
    _request(matcher, text, "purpose_notification")


@pytest.mark.parametrize("text", [
    "For three years your statements have been posted to my old address. I moved in 2021. The correct address is "
    "12 Elm Road, Leeds. Please fix your records.",
    "Hello. Your parcels and letters keep arriving at a flat I moved out of ages ago, and my neighbour is fed up. "
    "My current address is 4-5-6 Honcho, Nakano-ku.",
    "I've been a member since 2015. Every bill still goes to an address I left two years ago even though I changed "
    "it in settings. It's 9 Kita-machi now.",
    "何年も前に引っ越した住所にまだ郵便が届いています。現住所は東京都中野区本町4-5-6です。",
])
def test_a_wrong_address_told_as_a_complaint_is_a_correction(matcher: Matcher, text: str) -> None:
    _request(matcher, text, "correction")


@pytest.mark.parametrize("text", [
    # long polite letters whose ask is to have a person handle it
    "Good afternoon,\n\nI've gone through your FAQ and the chat assistant, but my situation involves an account I "
    "shared with my late father. I'm not asking for anything to be deleted yet. I'd be grateful if someone from "
    "your privacy office could contact me to discuss it.\n\nRegards,\nT. Ono",
    "Dear team,\n\nI have read your policy carefully and I understand the general rules. My case is unusual, "
    "though, and an automated assistant cannot weigh it. I would prefer to have a member of your staff handle "
    "this personally.\n\nSincerely,\nR. Patel",
    "Hello,\nI appreciate the quick answers so far, but this concerns a dispute over an account opened in my name by "
    "someone else. I would simply like a human being on your side to look into it and get back to me.\nBest,\nK. Lee",
    "突然のご連絡失礼いたします。\n貴社サービスの個人情報の取扱いについて、チャットでは解決が難しい事情がございます。\n"
    "つきましては、本件をご担当の部署の方に直接ご対応いただけますと幸いです。\n何卒よろしくお願い申し上げます。",
    "いつもお世話になっております。\n家族で共有しているアカウントの件で、定型のご回答では判断がつかない状況です。\n"
    "恐縮ですが、個人情報保護の責任者の方とお話しする機会を賜りたく存じます。",
    # casual complaints asking for the proper contact
    "あかん、らちあかんわ。責任者出してや。",
    "話にならんわ。ちゃんと分かる人に代わってくれへん？",
    "窓口の人と直接話させてほしいねん",
    "ugh forget it, just put me through to whoever handles privacy complaints properly",
    "this bot is going in circles. get me someone from your privacy team, I want to complain",
])
def test_a_person_asked_for_in_a_letter_or_a_complaint(matcher: Matcher, text: str) -> None:
    _request(matcher, text, "inquiry")


@pytest.mark.parametrize("text, handoff", [
    # romaji: a request by its noun, the verb that makes it (seikyuu shimasu / shitai, motomemasu)
    ("sakujo wo seikyuu shimasu", "suspension"),
    ("deeta no shoukyo, seikyuu itashimasu", "suspension"),
    ("teisei seikyuu shitai desu. juusho ga chigaimasu", "correction"),
    ("riyou mokuteki no tsuuchi wo seikyuu shimasu", "purpose_notification"),
    ("kojin jouhou no kaiji wo motomemasu", "disclosure"),
])
def test_romaji_requests(matcher: Matcher, text: str, handoff: str) -> None:
    _request(matcher, text, handoff)


@pytest.mark.parametrize("text", [
    # a question form beside the wish outweighs it
    "kaiji seikyuu shitai n desu kedo dou sureba ii desu ka",
    "sakujo seikyuu wa dou yatte shimasu ka",
])
def test_romaji_questions_about_a_request(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.decision != "request", (match.intent, match.cues)


@pytest.mark.parametrize("text", [
    # the verbs name purpose notification; a phrasing shared with another request does not move it
    "Formal request: what are you doing with my data, and why? Answer for my account in particular.",
    "what do you use my email address for? I'm asking formally, treat this as my request.",
    "正式な請求です。私の個人情報を何に使っているのか教えてください。",
])
def test_the_request_type_follows_what_is_asked(matcher: Matcher, text: str) -> None:
    _request(matcher, text, "purpose_notification")


@pytest.mark.parametrize("text, article", [
    # a question about the process, with "just <verb>" in it
    ("disclosure process: do you just email the file or does someone check my ID first?", 7),
    ("when I ask for deletion, do you just wipe it right away or does a person review it first?", 9),
    ("if a correction is requested, do u just update the record or is it checked first?", 8),
    # conditional questions, in dialect too: the condition is the error itself
    ("住所まちごうとったら、直してくれるん？", 8),
    ("登録の名前に誤りあったら直してもらえるん？", 8),
    ("違う情報あれば訂正してくれるの？", 8),
    ("電話番号おかしいとこあったら直してくれる？", 8),
    ("if there's any wrong info on my account, can you fix it?", 8),
])
def test_process_and_conditional_questions_are_answers(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article) == ("answer", article), (match.decision, match.intent, match.cues)


@pytest.mark.parametrize("sentence, hypothetical", [
    ("間違っとる情報あったら直してもらえるん？", True),
    ("古い住所のままのとこあったら、直してもらえるんかな？", True),
    ("if there's any incorrect info on my account, can you fix it?", True),
    # a condition that only assumes the data exists is no hypothetical
    ("データが残っていたら消してもらえますか？", False),
    ("If you still hold my records, can you erase them?", False),
])
def test_a_condition_on_an_error_is_hypothetical(sentence: str, hypothetical: bool) -> None:
    assert is_hypothetical_question(sentence) is hypothetical


@pytest.mark.parametrize("text, handoff", [
    # data taken off the company's systems, a bare "stop" closing the sentence
    ("honestly just want my stuff off your servers", "suspension"),
    ("Whoever you're giving my data to — stop.", "third_party_stop"),
    # asking to be contacted, even as a question
    ("Can someone from your team call me? It's about my personal data.", "inquiry"),
    # a clear demand whose verb names one request, with no keyword of its own: not a dead end
    ("My email changed to new@example.com, please update your records.", "correction"),
    # Kansai negative request (〜んといて for 〜ないで)
    ("もう私の情報使わんといて", "suspension"),
    # a wish not to have the data held on to; "no sharing my …"; a new detail stated after a move
    ("hey team — I'd rather you didn't hold onto my phone number anymore. thx", "suspension"),
    ("no sharing my stuff with partners anymore ok?", "third_party_stop"),
    ("The address on file is from before I moved. New one: 1-2-3 Shibuya.", "correction"),
    # casual negative requests, in Japanese and romaji; a change asked for in romaji
    ("ちょっと！勝手に私の情報使わないでくれる？", "suspension"),
    ("mou watashi no deeta tsukawanaide", "suspension"),
    ("juusho ga furui mama desu. atarashii juusho ni kaete kudasai", "correction"),
    # a polite letter that lands on the contact topic by its generic words, with no one to talk to: the request a
    # close topic gives that the verbs name (for what purpose → purpose notification, Art. 3's declared request)
    # a prefix before the imperative; put in touch with whoever is responsible; asking with please
    ("tl;dr delete my account data kthx", "suspension"),
    ("Please put me in touch with whoever is responsible for personal data at your company.", "inquiry"),
    ("Could I please have a copy of my records?", "disclosure"),
    # the writer's own data ranked near "someone else's data" by shared vocabulary alone; the verb names the type
    ("これ以上、私のメールアドレスを使わないでください。", "suspension"),
    ("先日からメールが何通も届くのですが、私のメールアドレスをどのような目的で利用されているのか、文書にてご回答いただけますと"
     "幸いです。", "purpose_notification"),
])
def test_more_requests_from_our_own_stress_phrasings(matcher: Matcher, text: str, handoff: str) -> None:
    _request(matcher, text, handoff)


@pytest.mark.parametrize("text", [
    "How do you ensure my data isn't shared with partners?",
    "do you make sure partners don't misuse my data?",
    "Is there a written answer I can get about the purposes?",
    "Who is the privacy contact?",
    "I moved to Osaka last year — does the policy still apply to me?",
    "The correct address is the one on my profile, right?",
    "Will my account have to be deleted if I change plans?",
    "Do I get a written answer when I ask what my data is used for?",
    "what are you using my data for?",
    "my neighbour keeps forwarding my post, anyway how long do you keep data?",
    "正式な請求ですか？",
    "文句を言いたい時はどこに連絡すればいいですか？",
    "窓口の人って何時まで対応してますか？",
    "現住所はどこで変更できますか？",
    "when will the sharing stop?",
    "how do I get my data off your servers?",
    "could someone tell me what cookies you use?",
    "My email changed to new@example.com. How do I update my records?",
    "is there no sharing of my data with partners?",
    # what it takes or costs to have it done
    "開示してもらうのにお金かかる？",
    "消してもらう場合、何か書類はいりますか",
    "訂正をお願いした場合、どのくらいで反映されますか？",
    "利用目的の通知をお願いするのに、手数料はかかりますか？",
    "データ消してもらえるんやったら、どうやって頼んだらええの？",
    "kaiji shite moraeru no?",
    # without "please", "can I get …?" asks whether (house convention, as 〜てもらえますか)
    "Can I get a copy of my data?",
])
def test_the_new_cues_open_no_request_for_a_question(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.decision != "request", (match.intent, match.cues)


def test_forwarding_post_is_not_forwarding_a_customer() -> None:
    cues = load_cues()
    own = "My old neighbours keep forwarding my post to me. The correct address is 3 Oak Lane."
    forwarded = "Forwarding from a customer: please erase my account. Do we have to?"
    assert cues.score(own, own).question == 0
    assert cues.score(forwarded, forwarded).question >= 3


def test_a_request_verb_on_a_support_object_is_no_privacy_request(matcher: Matcher) -> None:
    # beside a support topic, a request verb whose object names no personal data changes a setting
    match = matcher.match("please change my password")
    assert (match.decision, match.handoff) == ("fallback", None), (match.intent, match.cues)
    # a request that names personal data beside the support word still comes first
    _request(matcher, "please send me my data within 14 days, my subscription ends then", "disclosure")


def test_someone_elses_data_is_still_refused_without_a_keyword(matcher: Matcher) -> None:
    # ranked first on vocabulary, naming no data of the writer's own: still the refusal
    match = matcher.match("ano yuuzaa no juusho to denwa bangou wo shiritai")
    assert match.decision != "request" and match.handoff is None
