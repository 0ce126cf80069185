"""The structure of a message: its sentences, which of them ask, and what is not the user's own ask.

People bury the question under context ("I've been a customer for six years… the support call was awful…
what do you use my data for?"), quote other people's words ("a template online says 'I hereby request
disclosure…' — is that enough?") and say what they are *not* asking ("I'm not asking you to delete my account,
I just don't want my info going to partners"). Reading the message whole lets the context outvote the ask.

`read(cleaned)` returns:
* `sentences` — the user's own sentences (English and Japanese sentence ends 。！？.!?, newlines; Slack `>` quote
  lines dropped);
* `own` — the text without quoted spans ("…", “…”, 「…」って/と) and without negated clauses ("I'm not asking
  for…", "not worried about…"): what request cues should read;
* `ask` — the ask sentences (questions, request forms, else the last sentence) of `own`, when the message has
  several sentences and some are context; empty when the whole message is the ask.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MAX_ASK_SENTENCES = 2
_QUOTE_LINE = re.compile(r"(?m)^\s*>.*$")
#: Sentence ends: after 。！？.!? (not inside a number or an abbreviation like "e.g."), and at newlines.
_SPLIT = re.compile(r"(?<=[。！？!?])|(?<=[^\s.\d][^\s.]\.)(?=\s)|\n+")
#: Someone else's words: double-quoted spans of three words or more, and Japanese quotes that are reported
#: speech (「…」って, 「…」と書いて…). Short quotes ("GA", 「齋藤」) are names or terms, kept.
_EN_QUOTE = re.compile(r"[\"“”]([^\"“”\n]{12,400})[\"“”]")
_JA_QUOTE = re.compile(r"「[^」\n]{4,200}」(?=\s*(?:って|と(?:言|書|いう|頼|お願い|送|伝|の(?:お問い合わせ|問い合わせ|ご質問|質問|ご相談|相談|ご依頼|依頼|こと|連絡|ご連絡|申し出))|という))")
#: A mail's envelope (round 7, `role7`): header lines, forward and reply separators, a signature after its "--" line and
#: confidentiality notices. Pasted with the mail, they are nobody's ask ("…please notify the sender and delete it").
_HEADER_LINE = re.compile(
    r"(?im)^[ \t]*(?:from|to|cc|bcc|date|sent|reply-to|差出人|送信者|宛先|送信日時|日時|cc)[ \t]*[:：].*$"
    r"|^[ \t]*-{2,}[ \t]*(?:forwarded message|original message|転送メッセージ|元のメッセージ|転送されたメッセージ)[ \t]*-*[ \t]*$"
    r"|^[ \t]*(?:begin forwarded message|forwarded message)[ \t]*:?[ \t]*$"
    r"|^[ \t]*on [^\n]{4,120} wrote:[ \t]*$")
_SIGNATURE = re.compile(r"(?m)^[ \t]*--[ \t]*$[\s\S]*")
_DISCLAIMER = re.compile(
    r"(?im)^[^\n]*(?:\b(?:this|the) (?:e-?mail|message|communication|transmission)\b[^\n]{0,80}\b(?:confidential|privileged|"
    r"intended (?:solely|only|for))|\bif you (?:have )?received (?:this|it) (?:e-?mail |message )?in error|"
    r"\bce (?:message|courriel)\b[^\n]{0,80}\bconfidentiel|本(?:メール|電子メール)[^\n]{0,40}(?:機密|秘密|守秘)|"
    r"誤って[^\n]{0,20}(?:受信|届)|(?:機密|秘密)情報が含まれ)[^\n]*$")
#: A customer's question relayed in quotes by a colleague (「…」とのお問い合わせ/ご質問です): the quoted question is the ask.
_RELAYED_JA = re.compile(r"「([^」\n]{4,200})」\s*(?:と(?:の|いう)|って)\s*(?:ご|お)?(?:問い?合わせ|問合せ|質問|相談|尋ね|こと)")
#: A colleague forwarding a customer's words for a named principal ("forwarding from the inbox, acct #4410:", 「会員番号
#: 1234のお客様より転送」): with no ask of their own, the forwarded lines are that customer's own words (round 7).
_FORWARD_NOTE = re.compile(r"(?i)\b(?:forward(?:ing|ed)?|fwd|fw|relaying|passing on|pasting|on (?:his|her|their) behalf"
                           r"|pass(?:ing)? (?:this|it|the following) (?:on|along))\b|転送|下記|以下")
#: The principal named by an account, customer or member number, a verified identity, or (round 11: "Our customer Jonas
#: Lind (jonas.lind@…) asked us to forward this", "a client of ours, Mr. Diaz", 「お客様（鈴木一郎様）より」) by name.
_PRINCIPAL_NAMED = re.compile(
    r"(?i)\b(?:acct|account|customer|cust|member|user|client|subscriber)s?\s*(?:id|no\.?|number|#)?\s*#?\s*\d{3,}\b"
    r"|\b(?:id|identity) (?:verified|confirmed|checked)\b|(?:会員|顧客|お客様|ユーザー)(?:番号|ID)\s*[:：]?\s*\d{3,}|本人確認済"
    r"|\b(?:customer|client|member|user|subscriber|employee|guest|patient|tenant)s?(?: of (?:ours|mine))?,? "
    r"(?:(?:mr|ms|mrs|mx|miss|dr)\.? (?-i:[A-Z][a-z]+)|(?-i:[A-Z][a-z]+ [A-Z][a-z]+))"
    r"|(?:お客様|会員様|ユーザー様|利用者様)(?:[（(][^）)\n]{1,20}[）)]|の?[一-龥]{1,4}\s?[一-龥]{0,4}様)")
#: The writer's own earlier mail pasted as quote lines ("(pasting what I emailed last week, nobody replied)", "resending
#: my request from Monday below", 「先週送ったメールを貼ります」): with no ask of the note's own, the quoted lines are the
#: writer's own words, read as if written now (round 16).
_OWN_EARLIER = re.compile(
    r"(?i)\b(?:pasting|copying|resending|re-sending|reposting|re-posting|forwarding|sending) (?:again )?(?:what|the (?:e-?mail|"
    r"message|letter|request|note)s?|my (?:(?:earlier|previous|original|last|first) )?(?:e-?mail|message|letter|request|note)s?)"
    r"(?: (?:that |which )?i (?:sent|emailed|e-mailed|wrote|mailed|submitted|posted))?\b"
    r"|\b(?:below|above|here) is (?:what|the (?:e-?mail|message|letter|request)) i (?:sent|emailed|wrote|mailed|submitted)\b"
    r"|\b(?:what|the (?:e-?mail|message|letter|request)) i (?:sent|emailed|wrote|mailed|submitted) (?:you |to you )?(?:last|on|a|two|three|earlier|before|yesterday)\b"
    r"|(?:先日|先週|以前|前回|昨日|前に)(?:お?送り?(?:した|しました|った)|お?送信した|書いた|問い合わせた)(?:メール|メッセージ|問い合わせ|お問い合わせ|内容|文面)(?:を|です|になります)")
#: A note's only ask beside the forwarded lines: that the company answer the principal directly ("Could you get back to
#: him directly?", 「鈴木様へ直接ご対応いただけますでしょうか」): part of passing the request on, no ask of the note's own.
_TO_PRINCIPAL = re.compile(
    r"(?i)\b(?:respond|reply|answer|write|get back|get in touch|reach out|revert|confirm)\b.{0,20}\b(?:to|with) "
    r"(?:him|her|them|the customer|the client|the user|mr|ms|mrs|dr)\b|\bconfirmation\b.{0,30}\bdirectly\b"
    r"|様(?:へ|に)(?:直接)?.{0,6}(?:ご?対応|ご?連絡|ご?回答|ご?返信)|(?:ご本人|本人)(?:様)?(?:へ|に)(?:直接)?.{0,6}(?:ご?対応|ご?連絡|ご?回答|ご?返信)")
#: A letter's own marker of its ask after the greetings and thanks (round 11): 「最後にひとつお願いがございます。」「さて、一点
#: ご依頼がございます。」 The sentences from there on are the ask; a person named in the thanks before it ("先日はサポートの方に
#: ご対応いただき", 「営業ご担当の方とご相談させていただく予定です」) asks for nobody.
_MARKED_ASK_JA = re.compile(
    r"(?:^|(?<=[。！？!?\n]))[ \t　]*(?:(?:最後に|さて|ところで|本題ですが|本日は|今回は|実は)[、,]?[ \t　]*)?(?:一点|ひとつ|1点|一つ|1つ|二点|ふたつ|2点)"
    r"(?:だけ)?(?:お願い|ご依頼|依頼|ご相談|相談)(?:したいこと|したい件|させていただきたいこと)?(?:が|を)?(?:ございます|ござい|あります|ありまして|させてください)")


#: Clauses that say what the message is NOT about; they are context, never the ask.
_NEGATED = re.compile(
    r"(?i)\b(?:i\s*['’]?\s*m|i am|im|we\s*['’]?\s*re|we are|this is|this isn\s*['’]?\s*t|it\s*['’]?\s*s|it is)\s+not\s+"
    r"(?:really\s+|just\s+|even\s+)?(?:asking|worried|talking|interested|concerned|looking|requesting|request|trying|"
    r"about|after|here)\b[^.;!?\n]*?(?=[.;!?\n]|(?:\s*[—–]|\s-{1,2})\s*(?:and\s+|but\s+|so\s+)?(?:is|are|can|could|do|does|did|will|would|how|what|where|which|who|why|when|may|should)\b|,\s*(?:i|but|just|rather|only)\b|\s+but\b|$)"
    r"|\bnot\s+(?:asking|requesting)\s+(?:for|you|to)\b[^.;!?\n]*?(?=[.;!?\n]|(?:\s*[—–]|\s-{1,2})\s*(?:and\s+|but\s+|so\s+)?(?:is|are|can|could|do|does|did|will|would|how|what|where|which|who|why|when|may|should)\b|,\s*(?:i|but|just)\b|\s+but\b|$)"
    # what the writer does not mean to do themselves ("I don't want to stop using the service", round 6): not "I don't
    # want you to use my data", which asks for something
    r"|\bi\s+(?:do\s+not|don\s*['’]?\s*t|dont)\s+(?:want|plan|intend|mean)\s+to\s+(?:stop|quit|leave|cancel|close|delete|"
    r"give\s+up|switch)\b[^.;!?\n]*?(?=[.;!?\n]|(?:\s*[—–]|\s-{1,2})\s*(?:and\s+|but\s+|so\s+)?(?:is|are|can|could|do|does|did|will|would|how|what|where|which|who|why|when|may|should)\b|,\s*(?:i|but|just)\b|\s+but\b|$)"
)
#: A matter the writer sets aside before the real question ("my invoice won't download (I'll raise that separately),
#: but…", "I already reset my password, so that part is handled. But…", 「ログインの件はサポートに問い合わせ済みです。」):
#: the clause up to its "but" or sentence end is context, read like a negated clause (not the topic, no cue).
_SET_ASIDE_EN = re.compile(
    r"(?i)\bi\s*['’]?\s*ll\s+(?:raise|report|ask about|deal with|handle|take up|sort out|follow up on|chase)\s+"
    r"(?:that|this|it)(?:\s+\w+){0,3}?\s+separately\b|\b(?:raise|report|handle|deal with|ask about|take up|chase)\s+"
    r"(?:that|this|it)\s+separately\b|\bthat(?:\s+part|\s+bit|\s+one|\s+issue)?\s*(?:is|['’]?s|has been|was)\s+"
    r"(?:already\s+)?(?:handled|sorted|fixed|resolved|taken care of|dealt with|solved|being handled)\b|"
    r"\b(?:that\s*['’]?s|that is|it\s*['’]?s|it is)\s+a\s+separate\s+(?:issue|matter|question|thing|ticket)\b|"
    r"\b(?:i\s*['’]?ve|i have|i)\s+already\s+(?:contacted|reported|raised|emailed|asked|told|written to)\s+"
    r"(?:your\s+|the\s+)?(?:support|helpdesk|help desk|customer service|support team)\b"
)
_SET_ASIDE_JA = re.compile(
    r"問い合わせ済|問合せ済|連絡済|解決済|対応済|報告済|相談済|(?:は|も)別途(?:問い合わせ|問合せ|連絡|相談)(?:します|する|いたします)|"
    r"(?:は|も)別件で(?:問い合わせ|問合せ|連絡|相談)(?:します|する|いたします|済)"
)
#: Where a set-aside clause ends: its "but" or its sentence end (English), its sentence end (Japanese).
_CLAUSE_END_EN = re.compile(r"(?i),?\s*\bbut\b|[.!?\n]")
_SENTENCE_END_JA = re.compile(r"[。！？\n]")


_ASK_EN = re.compile(
    r"(?i)\?|^\s*(?:(?:so|and|but|also|ok|okay|hi|hello|hey|anyway|basically|honestly|quick question)[,:]?\s+)*"
    r"(?:how|what|when|where|why|which|who|whom|whose|is|are|am|does|did|do|have|has|can|could|would|will|should|"
    r"may|might|please|pls|kindly|i\s*['’]?\s*d like|i would like|i want|i need|i\s*['’]?\s*d rather|send|give|"
    r"delete|erase|remove|stop|correct|fix|update|change|tell|let me know|provide|disclose|notify)\b"
    r"|\b(?:i (?:want|need|demand|request|hereby)|i\s*['’]?\s*d like|i would like|please|wondering|wonder whether|"
    r"wonder if|want to know|like to know)\b"
    # romaji Japanese
    r"|\b(?:kudasai|kudasaimasen|onegai|hoshii|oshiete|moraemasu|itadakemasu|desu ka|masu ka|deshou ka|dekimasu ka)\b"
)
_ASK_JA = re.compile(
    r"[？?]|(?:ますか|ですか|でしょうか|ますでしょうか|のか|かな|の$|の。|教えて|ください|下さい|ほしい|欲しい|"
    r"お願い|願います|求めます|請求します|してくれ|しておいて|よろしく|知りたい|いただけ|頂け|もらえ)"
)


#: A question or a hypothetical: what it says is not a statement of fact about the user's data.
#: ("Should be Kazuki." gives the right value: "should be/read/say" + a value with no question mark states it, round 9)
_NOT_STATEMENT_OPENING = (r"^\s*(?:(?:so|and|but|also|ok|okay|hi|hey)[,:]?\s+)*(?:how|what(?!\s+(?:i|we)\s*(?:['’]?m\s+|\s+am\s+|\s+are\s+|['’]?re\s+)?(?:\w+\s+)?"
                          r"(?:want|need|d like|would like|after|asking for|expect|require|requesting)\b[^?？]*$)|when|where|why|"
                          r"which|who|is|are|am|does|did|do|can|could|would|will|should(?!\s+(?:be|read|say)\s+(?!(?:able|allowed|possible|"
                          r"fine|ok|okay|safe|secure|enough|deleted|removed|erased|kept|stored|held|shared|used|sent|done|"
                          r"notified|told|informed|private|public|a|an|the|my|i|we|you|it|there|this|that)\b)[^?？]*$)|"
                          r"may|might|shall)\b")
#: ("say" as a condition, not what a record says: "your records say I live in Osaka" states the error, round 9)
_NOT_STATEMENT_WORDS = (r"\b(?:if|suppose|supposing|(?<!records )(?<!record )(?<!system )(?<!account )(?<!profile )"
                        r"(?<!file )(?<!files )(?<!they )(?<!database )say|hypothetically|imagine|assuming|in case|what if|"
                        r"let\s*['’]?\s*s say|whether)\b")
_NOT_STATEMENT_JA = (r"(?:か[。.！!]?$|かな|かしら|の[。]?$|たら|なら|れば|もし|仮に|場合|でしょう|ますか|ですか|んですか|のですか|"
                     r"できる|って言っ|と言っ)")
_NOT_STATEMENT = re.compile(rf"(?i)[?？]|{_NOT_STATEMENT_OPENING}|{_NOT_STATEMENT_WORDS}|{_NOT_STATEMENT_JA}")
# `_NOT_STATEMENT` one alternative at a time (a search finds an alternation exactly when it finds one of its
# alternatives): the question marks as substrings, the opening (anchored at the start: `^` without MULTILINE) with
# `match`, the Japanese endings (which `re` scans for by their first characters), the English words last. Read for
# every sentence of every message, most of them statements, which the whole alternation searched at every position.
_NOT_STATEMENT_PARTS = (re.compile(f"(?i){_NOT_STATEMENT_OPENING}").match, re.compile(f"(?i){_NOT_STATEMENT_JA}").search,
                        re.compile(f"(?i){_NOT_STATEMENT_WORDS}").search)


def is_statement(sentence: str) -> bool:
    """True for a sentence that states something (neither a question nor a hypothetical): `_NOT_STATEMENT` finds
    nothing in it."""
    sentence = sentence.strip()
    if "?" in sentence or "？" in sentence:
        return False
    return not any(part(sentence) for part in _NOT_STATEMENT_PARTS)


#: Politeness that looks like a condition but makes none ("if possible, could you…", 「よろしければ…」), and conditions
#: that only assume the data exists ("if you still have my data…", 「残っていたら」): the request stands.
_POLITE_CONDITION = re.compile(
    r"(?i)\bif\s+(?:(?:at\s+all\s+)?possible|you\s+(?:can|could|would|don\W?t\s+mind|please|still|have|hold|keep|store)"
    r"|so|that\W?s\s+(?:ok|okay|possible|fine)|there\W?s\s+any|there\s+is\s+any|any)\b"
    r"|(?:もし\s*)?(?:可能でしたら|可能であれば|可能なら|よろしければ|宜しければ|よければ|できれば|出来れば|できましたら|差し支えなければ|"
    r"あれば|あったら|あるなら|残って(?:い)?たら|残って(?:い)?るなら|お持ちでしたら|保有して(?:い)?(?:たら|るなら))"
)
_CONDITION = re.compile(
    r"(?i)\b(?:if|suppose|supposing|hypothetically|in\s+case|what\s+if|let\W?s\s+say|say\s+(?:i|my|you|someone))\b"
    r"|(?:たら|なら|れば|もし|仮に|場合|としたら)"
    # a request granted for the sake of the question (「通知をお願いしても、断られることってあります？」), round 12
    r"|(?:お願いし|請求し|申請し|申し出|頼ん|依頼し|求め)ても"
    # romaji conditionals ("teisei irai shitara sugu naoshite kureru?", "moshi machigatte itara"), round 6
    r"|\b(?:moshi|[a-z]+(?:shitara|ttara|itara|etara|dattara|ndara))\b"
)
_QUESTION_END = r"[?？]\s*$"
_QUESTION_OPENING = (r"^\s*(?:(?:so|and|but|also|ok|okay|hi|hey)[,:]?\s+)*(?:how|what|when|where|why|which|who|is|are|am|"
                     r"does|did|do|can|could|would|will|should|may|might|shall)\b.*(?:[?？]|$)")
_QUESTION_END_JA = r"(?:か|かな|かしら|の|でしょうか|ますか|ですか)[。.]?\s*$"
_QUESTION_ROMAJI = r"\b\w*(?:masu|desu|deshou|masen) ka\s*[.]?\s*$"  # romaji questions without a question mark
_QUESTION_FORM = re.compile(rf"(?i){_QUESTION_END}|{_QUESTION_OPENING}|{_QUESTION_END_JA}|{_QUESTION_ROMAJI}")
# `_QUESTION_FORM` one alternative at a time (see `_NOT_STATEMENT_PARTS`): the opening with `match`, the Japanese
# endings only where か or の occurs, the romaji one (`\w*` tried and given back at every word) only where " ka" does
# (under IGNORECASE "k" also matches K and the Kelvin sign, "a" only A: `str.lower` maps them all).
_QUESTION_END_SEARCH = re.compile(f"(?i){_QUESTION_END}").search
_QUESTION_OPENING_MATCH = re.compile(f"(?i){_QUESTION_OPENING}").match
_QUESTION_END_JA_SEARCH = re.compile(f"(?i){_QUESTION_END_JA}").search
_QUESTION_ROMAJI_SEARCH = re.compile(f"(?i){_QUESTION_ROMAJI}").search


def _question_form(sentence: str) -> bool:
    """`_QUESTION_FORM.search(sentence) is not None`, cheaper."""
    return _QUESTION_END_SEARCH(sentence) is not None or _QUESTION_OPENING_MATCH(sentence) is not None \
        or (("か" in sentence or "の" in sentence) and _QUESTION_END_JA_SEARCH(sentence) is not None) \
        or (" ka" in sentence.lower() and _QUESTION_ROMAJI_SEARCH(sentence) is not None)


#: A condition whose content is the error itself ("if there's any wrong info, can you fix it?", 「間違っとる情報あったら
#: 直してもらえるん？」) or an incident (「漏えいがあったら」): it asks what would happen if the data were wrong or leaked,
#: unlike 「データが残っていたら」, which only assumes the data exists.
_ERROR_CONDITION = re.compile(
    r"(?i)\bif\s+there\W?s?\s+(?:is\s+|are\s+)?(?:any\s+)?(?:\w+\s+)?(?:wrong|incorrect|inaccurate|mistakes?|errors?|"
    r"outdated|out\s+of\s+date)\b|(?:間違|まちが|まちご|誤|違|ちが|ちご|古|おかし)[^。、，,？?！!\s]{0,12}(?:あったら|あれば|あるなら)"
    # an incident that may never happen (「情報漏えいがあったら本人に連絡してもらえますか」, round 6): a question about it
    r"|(?:漏えい|漏洩|ろうえい|流出|漏れ|もれ|不正アクセス|ハッキング|事故|侵害)[^。、，,？?！!\s]{0,6}(?:あったら|あれば|あるなら|"
    r"起きたら|起こったら|おきたら|発生したら|したら)"
)


def is_hypothetical_question(sentence: str) -> bool:
    """True for a question about a case that may not exist ("if my birth date were wrong, could you fix it?",
    「間違ってたら直してもらえる？」): it asks what would happen, it makes no request now. Politeness ("if possible,
    could you delete…?", 「よろしければ…」) and conditions that only assume the data exists ("if you still have my
    data…") are not hypotheticals."""
    sentence = sentence.strip()
    if not _question_form(sentence):
        return False
    if _ERROR_CONDITION.search(sentence):
        return True
    return bool(_CONDITION.search(_POLITE_CONDITION.sub(" ", sentence)))


#: A sentence that is only a greeting or sign-off formula (「よろしくお願いいたします。」「お世話になっております。」
#: "Thanks in advance."): in a message with other sentences it asks for nothing; the other sentences say what.
_FORMULA = re.compile(
    r"(?i)^\s*(?:(?:いつも|大変|たいへん)?お世話になって(?:おります|います)|(?:何卒|なにとぞ|どうぞ|どうか)?\s*(?:よろしく|宜しく)"
    r"(?:お願い|御願い)(?:いた|致|申し上げ)?(?:します|します|ます|いたします|申し上げます)?|お忙しいところ.{0,20}|"
    r"(?:thanks|thank you)(?:\s+(?:so|very)\s+much)?(?:\s+in\s+advance)?|(?:kind\s+|best\s+)?regards(?:,?\s*\w+)?|"
    r"best|cheers|sincerely(?:,?\s*\w+)?|"
    # regards passed on in a sign-off (round 12): "please give my regards to the staff" asks nothing of the company
    # (the regards themselves are named: "please send to the team …" is no formula)
    r"(?:(?:thanks|thank\s+you)(?:\s+(?:so|very)\s+much)?,?\s+(?:and\s+)?)?(?:please\s+)?(?:(?:give|send|pass\s+on|extend)\s+"
    r"(?:my|our)\s+(?:kind\s+|best\s+|warm(?:est)?\s+)?(?:regards|thanks|greetings|best(?:\s+wishes)?|love)|say\s+(?:hi|hello))"
    r"\s+to\s+(?:the|your|all\s+the|everyone|all)\b.{0,30}|"
    r"(?:best|warm|kind)\s+wishes(?:,?\s*\w+)?|"
    # a mail's confidentiality footer (round 7): "If you have received this e-mail in error please notify the sender and
    # delete it", 「本メールを誤って受信された場合は…削除してください」 asks nothing of the company
    r"(?:(?:confidential(?:ity)?(?:\s+notice)?|disclaimer|important|notice)\s*[:：\-—]?\s*)?if\s+you\s+(?:have\s+)?received\s+(?:this|it)\b.{0,60}?\bin\s+error\b.*|"
    r"(?:本|この)メール.{0,30}?(?:誤って|誤送信|お心当たりのない).{0,80}|誤って(?:受信|届いた|送信された).{0,80}(?:削除|破棄|ご連絡|お知らせ).*)"
    r"\s*[。.!！]*\s*$"
)


#: Cheap test over a whole message: without any of these words no sentence is a hypothetical or a formula.
_MAY_NOT_ASK_WORDS = (r"if|suppose|supposing|hypothetically|in\s+case|let\W?s\s+say|say|thanks|thank|regards|best|cheers|"
                      r"sincerely|moshi")
#: Romaji conditionals (…shitara, …ttara): every ending ends in "ara", which `may_not_ask` looks for first.
_ROMAJI_CONDITIONAL = r"[a-z]*(?:shitara|ttara|itara|etara|dattara|ndara)"
_MAY_NOT_ASK_JA = r"(?:たら|なら|れば|もし|仮に|場合|お世話|よろしく|宜しく|お忙しい|(?:お願いし|請求し|申請し|申し出|頼ん|依頼し|求め)ても)"
MAY_NOT_ASK = re.compile(rf"(?i)\b(?:{_MAY_NOT_ASK_WORDS}|{_ROMAJI_CONDITIONAL})\b|{_MAY_NOT_ASK_JA}")
# `MAY_NOT_ASK` in two parts (a match of an alternation is a match of one of its alternatives): `re` tries the romaji
# alternative's `[a-z]*` and backtracks at every word boundary of every message (~10 µs of a message's ~13), so it
# is searched only when "ara" occurs (under IGNORECASE `a` and `r` match only themselves and `A`, `R`).
_MAY_NOT_ASK_PLAIN = re.compile(rf"(?i)\b(?:{_MAY_NOT_ASK_WORDS})\b|{_MAY_NOT_ASK_JA}")
_MAY_NOT_ASK_ROMAJI = re.compile(rf"(?i)\b{_ROMAJI_CONDITIONAL}\b")


def may_not_ask(text: str) -> bool:
    """`MAY_NOT_ASK.search(text) is not None`, cheaper."""
    return _MAY_NOT_ASK_PLAIN.search(text) is not None or (
        "ara" in text.lower() and _MAY_NOT_ASK_ROMAJI.search(text) is not None)


def is_formula(sentence: str) -> bool:
    """True for a greeting or sign-off formula and nothing else."""
    return bool(_FORMULA.match(sentence))


@dataclass(frozen=True)
class Structure:
    sentences: tuple[str, ...]
    own: str
    ask: str
    #: The message without the clauses that say what it is NOT about ("I'm not asking for a copy, …"); empty when
    #: it has none. The topic is read from it: the negated topic is not the one asked about. A customer's question
    #: relayed in quotes (「…」とのお問い合わせ) is read the same way: the topic is the quoted question's (round 7).
    unnegated: str = ""

    @property
    def focused(self) -> bool:
        """True when some sentences are context and `ask` holds the rest."""
        return bool(self.ask)


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SPLIT.split(text) if s and s.strip()]


def _envelope_removed(text: str) -> str:
    """`text` without a pasted mail's header lines, separators, signature and confidentiality notices."""
    if "\n" not in text:
        return text
    stripped = _DISCLAIMER.sub(" ", _SIGNATURE.sub(" ", _HEADER_LINE.sub(" ", text)))
    return stripped if stripped.strip() else text


def _forwarded_for_principal(text: str) -> str | None:
    """The forwarded lines, when the rest is only a colleague's note forwarding them for a named principal, or the
    writer's note pasting their own earlier mail (`_OWN_EARLIER`)."""
    if not _QUOTE_LINE.search(text):
        return None
    note = _QUOTE_LINE.sub(" ", text)
    if not ((_FORWARD_NOTE.search(note) and _PRINCIPAL_NAMED.search(note)) or _OWN_EARLIER.search(note)) or any(
            _asks(s) and not _TO_PRINCIPAL.search(s) for s in split_sentences(note)):
        return None
    forwarded = "\n".join(line.lstrip(" \t>") for line in text.splitlines() if _QUOTE_LINE.match(line))
    return forwarded if forwarded.strip() else None


def _unquoted(text: str) -> str:
    """`text` without quote lines and quoted spans (and a pasted mail's envelope); a colleague's note forwarding
    quoted lines for a named principal is read as those lines."""
    text = _envelope_removed(text)
    forwarded = _forwarded_for_principal(text)
    if forwarded is not None:
        return forwarded
    text = _QUOTE_LINE.sub(" ", text)
    text = _EN_QUOTE.sub(lambda m: " " if len(m.group(1).split()) >= 3 else m.group(0), text)
    return _JA_QUOTE.sub(" ", text)


#: What the writer may do afterwards, named as the time of the ask ("before I decide whether to close my account, I want
#: to see…", 「退会する前に…」): the time, not the ask (round 16).
_BEFORE_LEAVING = re.compile(
    r"(?i)\bbefore (?:i|we) (?:(?:decide|make up my mind|choose) (?:whether|if) to |(?:finally |actually )?(?:go ahead and )?)"
    r"(?:close|delete|cancel|deactivate|leave|quit|terminate|end|remove)\b(?: (?:my|our|the))? "
    r"(?:account|accounts|subscription|membership|profile|plan|contract)\b"
    r"|(?:退会|解約|アカウント(?:を)?削除|アカウントを消)(?:する|の手続きの|手続きの|の)?(?:前|まえ)に")


def _unnegated(text: str) -> str:
    """`text` without negated clauses, the matters set aside and the leaving named as the ask's time."""
    text = _NEGATED.sub(" ", text)
    if "前に" in text or "before" in text.lower():
        text = _BEFORE_LEAVING.sub(" ", text)
    return _set_aside(text)


#: Cheap test: without one of these words no clause is set aside (most messages stop here).
_SET_ASIDE_GATE_EN = re.compile(r"(?i)separate|handled|sorted|fixed|resolved|taken care|dealt with|solved|already")
_SET_ASIDE_GATE_JA = re.compile(r"済|別途|別件")


def _set_aside(text: str) -> str:
    """`text` without the matters the writer sets aside (`_SET_ASIDE_EN`/`_JA`: from the sentence start to the
    clause's "but" or the sentence end); unchanged when nothing would be left."""
    english, japanese = _SET_ASIDE_GATE_EN.search(text), _SET_ASIDE_GATE_JA.search(text)
    if not (english or japanese):
        return text
    spans: list[tuple[int, int]] = []
    for mark in _SET_ASIDE_EN.finditer(text) if english else ():
        begin = max(text.rfind(c, 0, mark.start()) for c in ".!?\n") + 1
        stop = _CLAUSE_END_EN.search(text, mark.end())
        spans.append((begin, stop.start() if stop else len(text)))
    for mark in _SET_ASIDE_JA.finditer(text) if japanese else ():
        begin = max(text.rfind(c, 0, mark.start()) for c in "。！？\n") + 1
        stop = _SENTENCE_END_JA.search(text, mark.end())
        spans.append((begin, stop.end() if stop else len(text)))
    if not spans:
        return text
    kept, at = [], 0
    for begin, stop in sorted(spans):
        if begin > at:
            kept.append(text[at:begin])
        at = max(at, stop)
    kept.append(text[at:])
    result = " ".join(kept)
    return result if result.strip(" ,.。、") else text


#: Punctuation spoken into a dictation app ("okay webmo comma explain why you hold my details period my login is…",
#: round 8, `req8`): in a message with no punctuation of its own, the spoken marks are written as the marks, so the
#: request cues read the sentences and clauses where the speaker put them. "period" is a mark only where it cannot be
#: the noun ("the retention period", "a 30 day period", "the period of"): after a word that is no determiner or noun
#: qualifier, and not before "of"/"for"/"in"/"is"…; and only beside another spoken mark or at the message end.
_TYPED_PUNCTUATION = re.compile(r"[,;:!?？。、！]|\.(?:\s|$)")
_SPOKEN_MARK = re.compile(r"(?i)\s*\b(?:comma|question mark|exclamation (?:mark|point)|full stop)\b")
_SPOKEN_PERIOD = re.compile(
    r"(?i)(?<!\ba)(?<!\ban)(?<!\bthe)(?<!\bthis)(?<!\bthat)(?<!\bany)(?<!\bsome)(?<!\beach)(?<!\bwhat)(?<!\bwhich)"
    r"(?<!\bsame)(?<!\bsuch)(?<!\byour)(?<!\bour)(?<!\btheir)(?<!\bmy)(?<!\bits)(?<!\bretention)(?<!\bstorage)"
    r"(?<!\bholding)(?<!\btrial)(?<!\bgrace)(?<!\bnotice)(?<!\bwaiting)(?<!\bcooling off)(?<!\btime)(?<!\bbilling)"
    r"(?<!\bcontract)(?<!\bshort)(?<!\blong)(?<!\blonger)(?<!\blimited)(?<!\bcertain)(?<!\bset)(?<!\bfixed)"
    r"(?<!\bday)(?<!\bweek)(?<!\bmonth)(?<!\byear)(?<!\bresponse)(?<!\breview)(?<!\bprocessing)(?<!\bdeletion)"
    r"\s+period\b(?!\s+(?:of|for|in|during|when|is|was|are|were|will|would|has|have|lasts?|ends?|starts?|begins?|expires?)\b)")
_SPOKEN_SYMBOL = {"comma": ",", "question mark": "?", "exclamation mark": "!", "exclamation point": "!", "full stop": "."}


def _spoken_punctuation(text: str) -> str:
    """`text` with punctuation spoken into a dictation app written as the marks; unchanged when the message has
    punctuation of its own or no spoken mark."""
    if _TYPED_PUNCTUATION.search(text):
        return text
    other = _SPOKEN_MARK.search(text) is not None
    if not other and not re.search(r"(?i)\bperiod\s*$", text):
        return text
    text = _SPOKEN_MARK.sub(lambda m: _SPOKEN_SYMBOL[" ".join(m.group(0).split()).lower()], text)
    if other:
        text = _SPOKEN_PERIOD.sub(".", text)
    else:
        text = re.sub(_SPOKEN_PERIOD.pattern + r"\s*$", ".", text)
    return text


def _asks(sentence: str) -> bool:
    return bool(_ASK_EN.search(sentence) or _ASK_JA.search(sentence))


def _last_asking(sentences: tuple[str, ...]) -> list[str]:
    """`([s for s in sentences if _asks(s)] or [sentences[-1]])[-MAX_ASK_SENTENCES:]`, reading from the end and
    stopping at the `MAX_ASK_SENTENCES`th asking sentence (a long message's earlier sentences are not read)."""
    asking: list[str] = []
    for sentence in reversed(sentences):
        if _asks(sentence):
            asking.append(sentence)
            if len(asking) == MAX_ASK_SENTENCES:
                break
    asking.reverse()
    return asking or [sentences[-1]]


def _from_marked_ask(text: str) -> str:
    """`text` from a letter's own marker of its ask on (`_MARKED_ASK_JA`), when context comes before it; else `text`."""
    if "お願い" not in text and "依頼" not in text and "相談" not in text:
        return text
    marked = _MARKED_ASK_JA.search(text)
    if marked is None or not text[:marked.start()].strip() or not text[marked.end():].strip(" \t\n　。、"):
        return text
    return text[marked.start():].lstrip()


def read(cleaned: str) -> Structure:
    """The structure of an NFKC-cleaned message (see the module docstring). Never raises for str input."""
    original, cleaned = cleaned, _from_marked_ask(cleaned)
    unquoted = _unquoted(cleaned)
    own = _unnegated(unquoted)
    # The topic reads the message as written (`unnegated` below); the sentences and the cues read the spoken marks.
    spoken = _spoken_punctuation(own)
    sentences = tuple(split_sentences(spoken))
    ask = ""
    relayed = _RELAYED_JA.search(cleaned) if "「" in cleaned else None
    if relayed is not None:
        # 「…」とのお問い合わせがありました。回答案をお願いします: the customer's question, not the note around it
        ask = relayed.group(1)
    elif len(sentences) >= 2:
        # The last two asking sentences: people end with what they want, and a long ask would cost as much
        # to score as the whole message.
        asking = _last_asking(sentences)
        if len(asking) < len(sentences):
            ask = "\n".join(asking)
    # Without quotes the text is `cleaned` itself, and `own` is already this (the same two steps of the same text).
    unnegated = own if unquoted == cleaned else _unnegated(cleaned)
    if relayed is not None:
        # the topic is the relayed question's, not the note's (「サポート窓口の…です」 names no topic asked about)
        unnegated = relayed.group(1)
    # (a letter read from its marked ask on is read so for its topic too: `unnegated` is then that part, not the letter)
    return Structure(sentences=sentences, own=spoken, ask=ask, unnegated=unnegated if unnegated != original else "")
