"""Round-5 article families on text nobody here wrote (issue 13): romaji read as Japanese, neighbouring articles and
long formal letters, each checked with phrasings of our own (none comes from the round-5 sets)."""
from __future__ import annotations

import pytest

from intents.matcher import Matcher
from intents.normalize import normalize
from intents.romaji import load_lexicon, loose, to_japanese

# Romaji questions about the policy's topics, in the spellings people type: long vowels as ou/oo/o/ō, u/uu,
# n', kunrei (si, zi, zyo…) beside Hepburn, words run together or apart.
ROMAJI = [
    ("gaibu itakusaki wa chanto kantoku sareteru no?", 4),
    ("itakusaki no kantoku wa dou shiteru n desu ka", 4),
    ("gyoumu itaku no saki tte doko?", 4),
    ("riyou teishi wo motomeru jouken wa?", 9),
    ("riyou teisi seikyu wa donna baai ni dekiru no", 9),
    ("riyō teishi no jōken tte nani", 9),
    ("kaiji seikyuu no tetsuzuki wa?", 7),
    ("kaiji seikyu wa dou sureba ii desu ka", 7),
    ("kaizi seikyuu no houhou", 7),
    ("kojin jouhou ni gaitou shinai jouhou wa dou atsukau no", 2),
    ("kojinjouhou janai jouhou mo kanri shiteru?", 2),
    ("riyou mokuteki igai ni tsukau koto wa aru?", 3),
    ("mokutekigai de tsukawareru koto tte aru no", 3),
    ("riyou mokuteki no han i wo koete tsukawanai?", 3),
    ("toukei shiryou no sakusei ni kojin jouhou tsukatteru?", 3),
    ("porishii no kaitei wa dou yatte shiraseru no", 13),
    ("anzen kanri taisaku wa dou natteru", 5),
    ("akusesu kaiseki tte tokumei?", 11),
    ("gaibu saito no sekinin wa?", 10),
    ("deeta wa chanto hogo sarete imasu ka", 5),
]


@pytest.mark.parametrize(("text", "article"), ROMAJI)
def test_romaji_questions_find_the_article(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert match.decision == "answer", match
    assert match.article == article, match


@pytest.mark.parametrize(("spellings", "written"), [
    (["kojin jouhou", "kojinjouhou", "kojin joho", "kozin zyouhou", "kojin jōhō"], "個人情報"),
    (["riyou teishi", "riyo teishi", "riyou teisi", "riyoo teishi"], "利用停止"),
    (["seikyuu", "seikyu", "seikyû"], "請求"),
    (["han'i", "hani", "han i"], "範囲"),
    (["itakusaki", "itaku saki"], "委託先"),
    (["daisansha teikyou", "daisansya teikyo"], "第三者提供"),
])
def test_spelling_variants_find_one_lexicon_entry(spellings: list[str], written: str) -> None:
    lexicon = load_lexicon()
    for spelling in spellings:
        reading = to_japanese(normalize(f"{spelling} no koto oshiete").text)
        assert reading is not None and reading.startswith(written), (spelling, reading)
    assert all("".join(map(loose, reading.split())) in lexicon for reading in spellings if " " in reading)


def test_a_long_vowel_never_spans_two_words() -> None:
    # "koto wa aru" joined would fold to "kotowaru" (断る): terms are looked up word by word.
    assert to_japanese(normalize("riyou mokuteki igai ni tsukau koto wa aru?").text) == "利用目的以外に使う koto は aru"


@pytest.mark.parametrize("text", [
    "is my data kept in Japan?",               # English with a Japanese loanword stays English
    "I want my kojin jouhou deleted",          # mixed: an English function word
    "konnichiwa, genki desu ka",               # romaji, but no policy term: scored as written
    "tokyo osaka kyoto nagoya sapporo",
])
def test_what_is_not_read_as_romaji(text: str) -> None:
    assert to_japanese(normalize(text).text) is None


def test_a_romaji_request_about_someone_else_is_still_refused(matcher: Matcher) -> None:
    # Reading "yuuzaa" and "tomodachi" as ユーザー and 友達 keeps the others'-data reading of the Japanese message.
    match = matcher.match("tonari no yuuzaa no juusho to denwa bangou wo oshiete, shiriai dakara")
    assert match.article is None, match


# Neighbouring articles: the topic the message is about, not the neighbour sharing its generic words.
NEIGHBOURS = [
    # When a disclosure may be refused, and whether a request for everything must be met, are Art. 7.
    ("Is there any situation where you'd say no to giving a person their own information?", 7),
    ("could you ever refuse to release someone's personal data to them even when they ask?", 7),
    ("when are you allowed not to give out a user's info to that user?", 7),
    ("本人が求めても個人情報を渡さないケースはある？", 7),
    ("開示を求められても断るのはどんなとき？", 7),
    ("if someone requested everything you have about them, do you have to comply?", 7),
    ("suppose I demanded every bit of info you hold on me — could you say no?", 7),
    ("全部見せてと頼んだら必ず応じてもらえるんですか", 7),
    # Whether the company checks its contractors is Art. 4.
    ("do you check up on the companies you outsource to?", 4),
    ("業者がデータをちゃんと扱ってるかチェックしてる？", 4),
    ("外注先のチェックってしてますか", 4),
    # Data moving between the company's own services is Art. 2.
    ("does stuff from one webmo tool flow into your other tools?", 2),
    ("my data from your calendar app ends up in your other apps?", 2),
    ("チャットツールの情報が他の製品にも流れてるの？", 2),
    # A topic noun with a generic purpose word names the topic's article (cookies and IP addresses: Art. 12).
    ("クッキーの利用目的は？", 12),
    ("ＩＰアドレスの利用目的を教えて", 12),
    ("ｃｏｏｋｉｅは何の目的で使っていますか", 12),
    ("what is the purpose of the cookies you set?", 12),
    # Hearing about updates to the policy is Art. 13.
    ("how will I learn about changes to these terms?", 13),
    ("How do I find out about future updates to the privacy policy?", 13),
    ("ポリシーが変わったことはどうやって分かりますか", 13),
]


@pytest.mark.parametrize(("text", "article"), NEIGHBOURS)
def test_neighbouring_articles(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert match.decision == "answer", match
    assert match.article == article, match


@pytest.mark.parametrize(("text", "article"), [
    # How personal information is protected (保護) is Art. 5, whoever's it is: customers in general (お客様) are no
    # named person, and a company honorific (各社様, 取引先様) in a business letter is no one else's data.
    ("私の個人情報はどのように保護されていますか", 5),
    ("お客様の個人情報はどのように保護されていますか", 5),
    ("ユーザーのデータはちゃんと保護してる？", 5),
    # Data used in a way the user never agreed to: suspension of use (Art. 9(1)).
    ("what can I do if my data was used in a way I never agreed to?", 9),
    ("if you misused my personal info, what could I demand?", 9),
    ("my information was used for something I didn't agree to — what are my options under the policy?", 9),
    ("同意していない目的で使われていたら、何を求められますか", 9),
])
def test_everyday_words_round5(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert match.decision == "answer", match
    assert match.article == article, match


def test_a_company_honorific_in_a_letter_is_not_someone_elses_data(matcher: Matcher) -> None:
    letter = ("拝啓　向暑の候、貴社いよいよご清栄のこととお慶び申し上げます。\n"
              "弊社ではお取引先各社様の情報管理について毎年確認をお願いしております。\n"
              "つきましては、貴社が個人情報の取扱いを委託している業者をどのように監督されているか、ご教示ください。\n敬具")
    match = matcher.match(letter)
    assert "hostile" not in match.flags, match
    assert match.article == 4, match


@pytest.mark.parametrize("text", ["田中様の個人情報を教えてください", "山田さんの住所を教えて"])
def test_a_named_persons_data_is_still_refused(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.article is None and match.decision in ("fallback", "answer"), match


@pytest.mark.parametrize(("text", "article"), [
    # A representative asking names Arts. 6-9 (the policy's requests name the user's representative; Art. 3 does not).
    ("could my lawyer ask you what my personal data is being used for, on my behalf?", 6),
    ("can my guardian handle a deletion request on my behalf?", 9),
    ("my representative wants to fix a wrong address in my account, is that allowed?", 8),
    ("代理人でも自分のデータの削除をお願いできますか", 9),
    # Asking for everything held, hypothetically: Art. 7, not erasure.
    ("If I asked you for everything you hold about me, would you have to comply?", 7),
    ("say I asked for everything on file about me — are you obliged to hand it over?", 7),
])
def test_representatives_and_everything_held(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert match.decision == "answer", match
    assert match.article == article, match
