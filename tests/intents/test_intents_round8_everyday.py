"""Round-8 off-topic family (issue 13, poly8): privacy-policy words in their everyday sense. The writer asks how to do
something with their own tools, files or site, about food, about another company's service or about the site's text,
not what this company does with their personal data: no article, never a request. Phrasings are our own (none comes
from the round-8 diagnosis sets)."""
from __future__ import annotations

import pytest

from intents.matcher import Matcher

EVERYDAY = {
    # cookies to eat
    "food": [
        "what's a good recipe for oatmeal raisin cookies?",
        "how long should I bake sugar cookies in the oven",
        "my cookie dough is too sticky, any tips?",
        "where can I get fresh cookies near the station?",
        "チョコチップクッキーの簡単な作り方を教えて",
        "渋谷でクッキーの美味しいお店ある？",
        "手作りクッキーが固くなってしまいます",
        "お土産用にクッキーを買いたいです",
    ],
    # the writer's own site and the tools on it
    "own_site": [
        "how can I add Google Analytics to my Shopify store?",
        "I want to install a tracking pixel on my own website, how?",
        "how do I put a cookie consent banner on my wordpress site",
        "setting up GA4 for my personal blog, where does the tag go?",
        "自分のブログにGoogleアナリティクスを設置する方法は？",
        "個人サイトにアクセス解析を入れたいです",
        "自分のホームページにクッキーバナーを付けたい",
        "ワードプレスにアナリティクスのタグを貼る手順を知りたい",
    ],
    # the writer's own things out of another company's service
    "other_service": [
        "how do I export my photos out of iCloud?",
        "how can I get my emails out of Gmail into a backup?",
        "what's the way to download everything from my Facebook account?",
        "is Google Takeout the way to save my YouTube videos",
        "Googleテイクアウトでデータをダウンロードするには？",
        "インスタの投稿をまとめてダウンロードする方法",
    ],
    # the writer's own file or device encrypted or locked
    "encrypt_file": [
        "how can I password-protect a zip file?",
        "what's the easiest way to encrypt an Excel spreadsheet before I send it",
        "how do I encrypt my laptop's hard drive",
        "can you tell me how to lock a Word document with a password?",
        "PDFにパスワードをかける方法を教えて",
        "メールに添付するファイルを暗号化したい",
        "USBメモリを暗号化するにはどうすればいい？",
        "ZIPファイルにパスワードを設定するやり方は？",
    ],
    # the writer's screen, calendar or files shared with colleagues
    "sharing": [
        "can I present my desktop to everyone during a video call?",
        "is screen sharing possible in a zoom meeting",
        "can I share my whole screen while on a call?",
        "Zoomで画面を共有できない",
        "how to share my calendar with my team",
        "how do I share a google doc with a colleague",
        "会議中に画面共有するにはどうすればいい？",
        "Teamsで画面を共有する方法",
        "カレンダーをチームに共有したい",
        "同僚にファイルを共有するやり方を教えて",
    ],
    # office IT that stops working
    "office_it": [
        "the wifi in our building keeps disconnecting, who should I talk to?",
        "my VPN won't connect from home, who can help",
        "our office printer has stopped printing since this morning, who should I tell?",
        "my laptop can't connect to the company network, who do I go to",
        "my work laptop won't turn on, who do I contact",
        "在宅勤務中にVPNが切れる件はどこに問い合わせればいい？",
        "社内のWi-Fiがすぐ切れるんだけど誰に聞けばいい？",
        "VPNにつながらないので、どこに連絡すればいいですか",
        "会社のプリンターが動かない。誰に言えばいい？",
        "社用PCがネットにつながりません、問い合わせ先は？",
    ],
    # the site's own text quoted as written and as it should read
    "site_text": [
        "your homepage says 'Contcat us' instead of 'Contact us', please fix it",
        "The footer says 'Privasy' — could you correct that?",
        "Found an error on the About page. 'Compnay' should be 'Company'. Please fix.",
        "ホームページの表記が間違ってます。「会社概要」が「会社概用」になっています。直してください",
        "トップページに脱字があります。「ご利用ください」が「ご利用くださ」になってます。修正お願いします",
        "サイトの誤字を見つけました。「お知らせ」が「お知せら」です。訂正してください",
        "ブログ記事にタイポがあります。「株式会社」が「株式会者」になっています。訂正お願いします",
    ],
}


@pytest.mark.parametrize("text", [t for texts in EVERYDAY.values() for t in texts])
def test_everyday_sense_gets_no_article(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.article is None and match.handoff is None, match
    assert match.decision == "fallback", match


# The same words asked of this company's handling of personal data keep their article or request.
@pytest.mark.parametrize(("text", "article", "handoff"), [
    ("do you use cookies to track me?", 12, None),
    ("what cookies does your website set?", 12, None),
    ("can I turn off cookies on your site?", 12, None),
    ("クッキーで私の行動を追跡していますか", 12, None),
    ("is my data encrypted?", 5, None),
    ("how is my password stored, is it encrypted?", 5, None),
    ("私の個人情報は暗号化されていますか", 5, None),
    ("do you share my data with other companies?", 9, None),
    ("私のデータを第三者に共有していますか", 9, None),
    ("are you running Google Analytics on my visits?", 11, None),
    ("does your site track me with Google Analytics?", 11, None),
    ("does google get my data through your analytics?", 11, None),
    ("Googleアナリティクスで私のアクセスを解析していますか", 11, None),
    ("how do I download my personal data from your service?", 7, None),
    ("there's a typo in my name on my account, please correct it", 8, "correction"),
    ("登録されている私の名前が「田中」ではなく「田仲」になっています。訂正してください", 8, "correction"),
])
def test_privacy_questions_sharing_the_words_keep_their_article(matcher: Matcher, text: str, article: int,
                                                                handoff: str | None) -> None:
    match = matcher.match(text)
    assert (match.article, match.handoff) == (article, handoff), match


# Abuse aimed at the assistant, the company or its policy, asking nothing: "privacy policy" in it names no topic.
ABUSE = [
    "this bot is trash and so is your privacy policy",
    "to hell with this bot and its pointless privacy policy",
    "what a joke of a privacy policy, you worthless assistant",
    "you are worthless, and your privacy policy is rubbish",
    "プライバシーポリシーとかどうでもいいんだよ、役立たずのボット",
    "このポンコツAI、プライバシーポリシーもゴミ",
    "お前もプライバシーポリシーも役に立たない",
    "このAIほんと使えない、プライバシーポリシーもくだらない",
]


@pytest.mark.parametrize("text", ABUSE)
def test_abuse_that_asks_nothing_gets_no_article(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.article is None and match.handoff is None, match
    assert match.decision == "fallback" and "abuse" in match.flags, match


# Abuse beside a question, a request, a person asked for or another sentence is read as usual.
@pytest.mark.parametrize(("text", "article", "handoff"), [
    ("your privacy policy is garbage, delete my account now", 9, "suspension"),
    ("I hate your stupid policy. when did it last change", 13, None),
    ("you useless bot. tell me what cookies you use", 12, None),
    ("ポンコツAIだな。クッキーは何に使ってるの", 12, None),
    ("screw you, I want to talk to a human", 14, "inquiry"),
    ("お前使えないな、担当者につないで", 14, "inquiry"),
])
def test_abuse_beside_a_question_or_request_keeps_it(matcher: Matcher, text: str, article: int,
                                                      handoff: str | None) -> None:
    match = matcher.match(text)
    assert (match.article, match.handoff) == (article, handoff), match
