"""Whose data a message asks for (issue 13 point 7): `OthersReader.asks_for_others(sentences) -> bool`.

A request is for oneself or for a principal the writer acts for. A message asks for someone else's personal data
when one of its sentences asks (`ask`) for a personal item (`item`) that belongs to another person (`subject`: "my
ex's address", "the phone number of the user with email …", 「ユーザーID 123の個人情報」) and the writer does not act for
that person (`principal`: guardian, parent, "on behalf of my client", 代理人 — unless they act against them,
`adverse`). A claimed authority (`claim`: police, the company's legal department or support staff, a workspace
admin, a law firm) makes a looser reference to the person enough (`weak`: "send me her address", 「このユーザーの
住所を出力して」). The vocabulary is reviewed data in `intents/others.toml`; this module only composes it.

The reader runs only on messages that name a person or a claim at all (one scan of the text per language), so
ordinary messages pay one regular-expression search.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Protocol

from intents.normalize import fold

OTHERS_FILE = Path(__file__).parent / "others.toml"


class TriggerFinder(Protocol):
    """Finds the trigger in a folded text; `view` is that text split into words (an `intents.cues.TextView`, typed
    loosely here so that this module needs nothing from `cues`, which imports it)."""
    def finds(self, lines: str, view: Any = None) -> bool: ...
#: An e-mail address reads as one word, so the vocabulary can say whose it is ("the user emailaddress").
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
EMAIL_WORD = "emailaddress"
EMAIL_JA = "＠アドレス"
#: An address given as a label of the writer's own account after the writer spoke of their own data ("notice of the
#: purposes for my personal data (account: `a.b@example.jp`)"): it identifies the writer, not a person asked about
#: (round 14). Read as the writer's own word, so no rule about an address of someone else's applies to it.
_OWN_LABELLED = re.compile(r"(?i)(\b(?:my|i|me|mine)\b[^.\n!?]*?\b(?:account|acct|login|user ?name|user ?id|e-?mail|mail|"
                           r"id)\s*[:：=]\s*[`'\"(\[]*)[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
OWN_ADDRESS_WORD = "myownaddress"
#: A letter's closing ("Best regards,", 「よろしくお願いいたします。」, 以上, 敬具): the lines after it are the writer's signature.
_CLOSING = re.compile(r"(?i)(?:regards|thanks|thank you|sincerely|cheers|best|best wishes|yours(?: truly| faithfully| "
                      r"sincerely)?|respectfully|warmly)\s*[,.!]?\s*$|よろしくお願い|宜しくお願い|以上|敬具|草々|かしこ")
#: How far from the end a signature reaches: the closing within these last lines, the address on a line of its own after it.
_SIGNATURE_LINES = 6
#: A closing stands on a short line of its own ("Many thanks,", 「以上、よろしくお願いいたします。」), not at the end of a sentence
#: ("…which option is best").
_CLOSING_CHARS = 30


def _signed_addresses(text: str) -> str:
    """`text` with each e-mail address in its signature written as the writer's own (`OWN_ADDRESS_WORD`): an address on
    a short line of its own after the letter's closing is the writer's, not a person asked about (round 18: "Many
    thanks,\nGrace Liu\nCompliance Officer\ngrace@example.com", 「以上、よろしくお願いいたします。\n法務部 宮下\nmiyashita@…」)."""
    lines = text.rstrip().split("\n")
    tail = max(0, len(lines) - _SIGNATURE_LINES)
    closed = False
    for n in range(tail, len(lines)):
        line = lines[n]
        if closed and "@" in line and len(_EMAIL.sub("", line).strip()) <= 30:
            lines[n] = _EMAIL.sub(f" {OWN_ADDRESS_WORD} ", line)
        elif len(line.strip()) <= _CLOSING_CHARS and _CLOSING.search(line.strip()):
            closed = True
    return "\n".join(lines)
#: A user named by a handle in quotes or after @ ("user 'hiro_t'", "member @kenji88", 'username: "aya_k"'): the handle
#: reads as one word after its noun, so the vocabulary can say whose item it is ("the phone number of user userhandle").
#: (or bare after the noun, when a dot or an underscore inside it says it is a handle: "the personal data of user
#: yuki.tanaka", round 17; "user: m_tanabe" with a colon is a label, the writer giving their own)
_BARE = r"[a-z][a-z0-9]*[._][a-z0-9][\w.]{0,28}\b(?![.@]\w)"
_HANDLE = re.compile(r"(?i)\b(user(?:name)?|member|account|customer|subscriber|handle|screen name|nickname)(?:\s*[:=]?\s*"
                     r"(?:['\"‘“][\w.\-]{2,30}['\"’”]|@[\w.\-]{2,30}\b)|\s+" + _BARE + ")")
HANDLE_WORD = "userhandle"
#: A bare handle after its noun (`_HANDLE`'s last form), looked for where the noun is: `_HANDLE` searched over a long
#: message tries every position (about 0.1 ms on a 4,000-character one), and most messages have a dot.
_BARE_NOUNS = ("user ", "username ", "member ", "customer ", "subscriber ", "handle ", "screen name ", "nickname ")
_BARE_HANDLE = re.compile(r"\s*" + _BARE)


def _bare_handle(lowered: str) -> bool:
    """Whether `lowered` (the text in lower case) names someone by a bare handle after its noun ("user yuki.tanaka")."""
    for noun in _BARE_NOUNS:
        start = lowered.find(noun)
        while start != -1:
            if (start == 0 or not lowered[start - 1].isalnum()) and _BARE_HANDLE.match(lowered, start + len(noun)):
                return True
            start = lowered.find(noun, start + 1)
    return False
#: Sentence ends, as the request cues split them (once the e-mail addresses are words: their dots end nothing).
_SENTENCE_END = re.compile(r"(?<=[.!?。！？\n])")
#: A title's full stop ends no sentence (round 9): "disclose Ms. Price's data" is one sentence, read whole; before,
#: "Ms." ended one and the item was left without its owner.
_TITLE_DOT = re.compile(r"\b(Mr|Ms|Mrs|Mx|Dr|Prof|Sgt|Det|Insp|Capt|Lt|Sen|Rep|Gov|Hon|Rev|Jr|Sr|St)\.(?=\s)")
#: A person's title with its full stop, looked for with `in` before `_TITLE_DOT` (a regular expression over a long
#: message: 0.05 ms).
_PERSON_TITLES = ("Mr.", "Ms.", "Mrs.", "Mx.", "Dr.", "Prof.")
#: Initials after a title end no sentence either (round 17): "Mr. R. Ishida", "Dr J. K. Rowe" are one name.
_TITLE_INITIALS = re.compile(r"\b(?:Mr|Ms|Mrs|Mx|Dr|Prof)\.?\s+(?:[A-Z]\.\s*){1,3}(?=[A-Z][a-z])")


def _initials_undotted(match: re.Match[str]) -> str:
    return match.group().replace(".", " ")


#: A person named by two or three capitalised words ("Robert Chen", "Mary Ann O'Brien"): each word must be no word the
#: catalog writes in lower case, no function word and none of `not_names` (others.toml), so "Google Analytics" or
#: "Privacy Policy" are no one. Written `personname` for the vocabulary (a `subject`), unless the writer gives it as
#: their own name ("my name is …", "I'm …", "this is …", "I, …,", a closing "Regards, …", a line of its own at the
#: end): a request signed with the writer's name asks for the writer's data (round 9).
_NAME_WORD = r"[A-Z](?:[a-z]+|['’][A-Z][a-z]+)(?:[A-Z][a-z]+)?"
_TITLES = r"(?:Mr|Ms|Mrs|Mx|Miss|Dr|Prof|Sgt|Det|Insp|Capt|Lt|Sen|Rep|Gov|Hon|Rev|Sir|Dame|Lord|Lady)\b"
_NAME = re.compile(rf"(?<![\w@.'’])(?!{_TITLES})(?:{_NAME_WORD})(?:[ ](?:{_NAME_WORD})){{1,2}}(?![\w@])(?!['’](?!s\b))")
_SELF_NAMED = re.compile(
    r"(?i:\bmy name is|\bmy name's|\bname's|\bi am|\bi'm|\bi’m|\bim|\bthis is|\bit's|\bit’s|\bsigned|regards,?|"
    r"thanks,?|thank you,?|sincerely,?|cheers,?|best,?|\bi,|\bme,|from:)\s+$")
NAME_WORD = "personname"
#: Words of the catalog written in lower case (read once from intents/data), which no name is made of.
_CATALOG_DIR = Path(__file__).parent / "data"
_LOWER_WORD = re.compile(r"(?<![A-Za-z])[a-z][a-z']+")
#: After a name, what makes it the writer's own: "Jane Ford here", "Jane Ford (me)", "Jane Ford, that's me".
_SELF_SIGNED = re.compile(r"(?i)\s*(?:here\b|\(me\)|,? that'?s me\b|,? that’s me\b)")
#: Prepositions that attach an item to its owner ("the address OF the user…", "the data you hold ON him").
_OF = r"(?:of|for|on|about|belonging to|registered to|associated with|linked to|under|held for)"
#: The writer's own account named by its address ("account is under …", "I'm registered as …"): no other owner.
_OWN_ACCOUNT = (r"(?<!\baccount is )(?<!\baccount s )(?<!\bi m )(?<!\bi am )(?<!\bim )(?<!\bregistered )"
                r"(?<!\bsigned up )")
#: A question whose object is the item ("what's her current address?", "which email is he registered with?").
_WHAT_EN = r"\b(?:what|what s|whats|what is|what are|which|where is|where does|where do) (?:\w+ ){0,3}?"
#: Japanese items a person is reached or found by: beside a person named without の, only these count (「友人に勧めら
#: れて登録したデータを見せて」 asks for the writer's own data).
_CONTACT_JA = r"(?:住所|電話番号|電話|携帯(?:番号)?|連絡先|メールアドレス|メアド|名前|氏名|本名|生年月日|居場所|勤務先|勤め先)"


class OthersError(ValueError):
    """others.toml is malformed; the message names the entry."""


@dataclass(frozen=True)
class _Language:
    trigger: re.Pattern[str]         # a person or a claim named at all: nothing else is read without it
    subject: re.Pattern[str]         # a specific other person named anywhere
    claim: re.Pattern[str]
    represented: re.Pattern[str]
    #: the person a parent speaks for is an adult ("my son is 31", 「成人した娘」), round 9: a parent then acts for no one
    #: unless a formal `mandate` (guardianship, power of attorney, 委任状) says so
    adult: re.Pattern[str]
    mandate: re.Pattern[str]
    #: whether a specific other person uses the service at all (「友達がこのサービス使ってるか調べて」), round 9; None in English
    membership: re.Pattern[str] | None
    #: a person asked for to talk to about someone ("I'd like to talk with your privacy team about his account"), round 9:
    #: no hand-over unless a `handover` verb is in the same sentence
    talk: re.Pattern[str]
    handover: re.Pattern[str]
    adverse: re.Pattern[str]
    reported: re.Pattern[str]
    ask: re.Pattern[str]             # a sentence that asks for something: `retrieve`, or a question about an item
    retrieve: re.Pattern[str]
    owned: re.Pattern[str]           # an item of a specific other person
    owned_pronoun: re.Pattern[str]   # an item of her / him
    owned_weak: re.Pattern[str]      # an item of "their", "the user" …
    whereabouts: re.Pattern[str] | None  # where a specific other person lives or works now ("where does she live now?")
    #: an item the other person is the subject of ("which email did she sign up with?", "the number he uses"), round 7
    their_own: re.Pattern[str] | None
    bulk: re.Pattern[str]            # everyone's data at once ("the user list", 全利用者): only beside a claim
    generic: re.Pattern[str]         # a person in general ("someone … their data"): "their" is then anyone's
    access: re.Pattern[str]          # who can get at the data (a question about access control, not a hand-over)
    #: how or whether a group's data is handled, asked by their organisation ("could you confirm how you protect our
    #: employees' data?", 「弊社社員の個人情報の安全管理はどのように」), round 18: a question on the practice, no hand-over
    practice: re.Pattern[str]
    item: re.Pattern[str]
    own: re.Pattern[str] | None      # the writer's own (Japanese: 私の…)
    trigger_parts: tuple[str, ...] = ()  # `trigger`'s alternatives, the entries it is made of
    #: The entries of the other patterns made of entries (`subject`, `claim`), for `OthersReader.with_trigger_finder`.
    parts: tuple[tuple[str, tuple[str, ...]], ...] = ()


class _Vocabulary:
    def __init__(self, doc: dict[str, Any], lang: str) -> None:
        self.doc, self.lang = doc, lang

    def entries(self, key: str) -> tuple[str, ...]:
        entries = self.doc.get(self.lang, {}).get(key, [])
        if not entries or not all(isinstance(e, str) for e in entries):
            raise OthersError(f"{OTHERS_FILE.name}: [{self.lang}].{key} must be a non-empty list of regex strings")
        for entry in entries:
            self.compile(entry, key)
        return tuple(entries)

    def __getitem__(self, key: str) -> str:
        return "(?:" + "|".join(f"(?:{e})" for e in self.entries(key)) + ")"

    def compile(self, pattern: str, what: str) -> re.Pattern[str]:
        try:
            return re.compile(pattern)
        except re.error as exc:
            raise OthersError(f"{OTHERS_FILE.name}: [{self.lang}] {what}: bad regex: {exc}") from exc


def _language(doc: dict[str, Any], lang: str) -> _Language:
    v = _Vocabulary(doc, lang)
    subject, pronoun, weak, item, retrieve = v["subject"], v["pronoun"], v["weak"], v["item"], v["retrieve"]
    if lang == "en":
        question = rf"{_WHAT_EN}{item}"
        # "… my info, account is under <address>" names the writer's own account, not an owner of the item (round 6)
        of_subject = rf"{_OWN_ACCOUNT}{_OF} (?:{subject}|(?:the )?{EMAIL_WORD})"
        # "my ex's current address", "customer 4411's info", "my coworker Tanaka's data" (a name between, round 18);
        # "the address … of the user with …", "the data you have on our former employee"; "the phone number my ex
        # registered with"
        owned = rf"{subject}(?: s| [a-z]+ s)? {item}|{item}(?: \w+){{0,5}}? {of_subject}|{item} (?:that |which )?{subject}"
        owned_pronoun = rf"{pronoun} {item}"
        owned_weak = rf"{weak}(?: s)? {item}|{item}(?: \w+){{0,5}}? {_OF} {weak}"
        # where a person lives or works is their address or workplace asked for (round 6, roles)
        whereabouts = v.compile(rf"\bwhere (?:does|do|did|is|are) (?:he|she|they|{subject})(?: \w+){{0,2}}? "
                                rf"(?:live|lives|living|work|works|working|stay|stays|staying|moved|move)\b", "whereabouts")
        # "which email did she sign up with?", "what number is he registered under?", "the address he gave you"
        # (or a person named: "what email does the customer <name> have on file?", round 9)
        their_own = v.compile(rf"{item} (?:that |which )?(?:did |does |do |is |was |has |had )?(?:she|he|they|(?:(?:the|this|"
                              rf"that|your|a) (?:user|customer|member|client|subscriber|person|guy|man|woman|lady) )?"
                              rf"{NAME_WORD}) (?:\w+ ){{0,2}}?(?:signed|signs|sign|registered|registers|register|uses|used|"
                              rf"use|using|gave|gives|give|entered|enter|put|provided|logs|logged|log|have|has|had|got|"
                              rf"keep|keeps|list|lists|listed)\b", "their_own")
        own = None
    else:
        question = rf"{item}(?:は|って|を).{{0,6}}(?:どこ|何|なに|なん|どれ)"
        # 「元夫の登録している住所」「ユーザーID 123の個人情報」「部下のアカウント情報」 (a subject may end in its の); a person named without の and a contact item sought in
        # the same sentence (「隣の人が使ってるはずやけど、電話番号調べて」)
        owned = rf"{subject}(?:.{{0,3}}の|(?<=の)).{{0,10}}?{item}|{subject}.{{0,30}}?{_CONTACT_JA}"
        owned_pronoun = rf"{pronoun}.{{0,10}}?{item}"
        owned_weak = rf"{weak}.{{0,10}}?{item}"
        whereabouts = v.compile(v["whereabouts"], "whereabouts")
        their_own = None
        own = v.compile(v["own"], "own")
    # the trigger is made of these entries (one source: `OthersReader` runs them as a cue set)
    trigger_parts = v.entries("subject") + v.entries("weak") + v.entries("claim")
    return _Language(
        trigger=v.compile("|".join(f"(?:{e})" for e in trigger_parts), "trigger"),
        subject=v.compile(subject, "subject"),
        claim=v.compile(v["claim"], "claim"),
        represented=v.compile(v["principal"], "principal"),
        adult=v.compile(v["adult"], "adult"),
        mandate=v.compile(v["mandate"], "mandate"),
        membership=v.compile(v["membership"], "membership") if lang == "ja" else None,
        talk=v.compile(v["talk"], "talk"),
        handover=v.compile(v["handover"], "handover"),
        adverse=v.compile(v["adverse"], "adverse"),
        reported=v.compile(v["reported"], "reported"),
        ask=v.compile(f"{retrieve}|{question}", "ask"),
        retrieve=v.compile(retrieve, "retrieve"),
        owned=v.compile(owned, "owned"),
        owned_pronoun=v.compile(owned_pronoun, "owned_pronoun"),
        owned_weak=v.compile(owned_weak, "owned_weak"),
        whereabouts=whereabouts,
        their_own=their_own,
        bulk=v.compile(v["bulk"], "bulk"),
        generic=v.compile(v["generic"], "generic"),
        access=v.compile(v["access"], "access"),
        practice=v.compile(v["practice"], "practice"),
        item=v.compile(item, "item"),
        own=own,
        trigger_parts=trigger_parts,
        parts=(("subject", v.entries("subject")), ("claim", v.entries("claim")), ("trigger", trigger_parts)),
    )


#: The whole-text searches run as a finder of their entries (`OthersReader.with_trigger_finder`) rather than as one
#: alternation, where that measured faster on long messages (1,200 characters: the English `subject` 700 -> 130 µs,
#: the Japanese `subject` 330 -> 170, `claim` 190 -> 80, `trigger` 280 -> 170, with the text split into words once;
#: the others measured as fast or faster as one alternation and stay so). The English trigger always has its finder.
_FOUND_BY_ENTRIES = {"en": ("subject",), "ja": ("subject", "claim", "trigger")}


@dataclass(frozen=True)
class OthersReader:
    en: _Language
    ja: _Language

    #: What finds the English trigger in a folded text. `intents.cues` gives a cue set of the trigger's entries
    #: (`with_trigger_finder`), which runs only the entries whose word gates the text passes: the trigger as one
    #: pattern has no gate, and `re` tried it at every position, ~27 µs a message. Injected rather than imported:
    #: `cues` imports this module, and the import graph stays acyclic (tests/test_import_rules.py).
    en_finder: "TriggerFinder | None" = None
    #: (language, pattern name, finder of its entries) for the searches in `_FOUND_BY_ENTRIES`; `view` splits a text
    #: into words once for the finders that read it (`intents.cues.TextView`).
    finders: tuple[tuple[str, str, "TriggerFinder"], ...] = ()
    view: "Callable[[str], Any] | None" = None
    #: Words no person's name starts with (`_NAME`): the catalog's lower-case words and `not_names` (others.toml).
    not_names: frozenset[str] = frozenset()
    #: Words no name contains ("Please Send", "For Her"): `not_names`' function words.
    function_words: frozenset[str] = frozenset()
    #: Words that make a capitalised run an organisation or a place ("Hoshino Logistics"): `org_words` (others.toml).
    org_words: frozenset[str] = frozenset()

    def with_trigger_finder(self, make: "Callable[[tuple[str, ...]], TriggerFinder]",
                            view: "Callable[[str], Any] | None" = None) -> "OthersReader":
        """This reader with the English trigger found by `make(entries)` (same matches as `en.trigger`), and, given
        `view`, the searches of `_FOUND_BY_ENTRIES` too (a search of an alternation finds a match exactly when a
        search of one of its alternatives does)."""
        finders = tuple((name, key, make(entries)) for name, lang in (("en", self.en), ("ja", self.ja))
                        for key, entries in lang.parts if key in _FOUND_BY_ENTRIES[name]) if view is not None else ()
        return replace(self, en_finder=make(self.en.trigger_parts), finders=finders, view=view)

    def _searcher(self, name: str, text: str) -> "Callable[[str], bool]":
        """`key -> getattr(lang, key).search(text) is not None` for language `name`, through the finders it has (the
        text split into words once, when one of them reads it)."""
        lang = self.en if name == "en" else self.ja
        finders = {key: finder for owner, key, finder in self.finders if owner == name}
        views: list[Any] = []

        def search(key: str) -> bool:
            finder = finders.get(key)
            if finder is None or self.view is None:
                return getattr(lang, key).search(text) is not None
            if not views:
                views.append(self.view(text))
            return finder.finds(text, views[0])

        return search

    def _en_trigger_found(self, folded: str, view: Any) -> bool:
        if self.en_finder is not None:
            return self.en_finder.finds(folded, view)
        return self.en.trigger.search(folded) is not None

    def _named(self, text: str) -> str:
        """`text` with each person named by capitalised words (`_NAME`) written `personname`, except the names the writer
        gives as their own (anywhere in the message)."""
        own: set[str] = set()
        found: list[re.Match[str]] = []
        for match in _NAME.finditer(text):
            words = match.group().split()
            if words[0].casefold() in self.not_names or words[0].isupper() \
                    or any(w.casefold() in self.function_words or w.casefold() in self.org_words for w in words):
                continue
            before = text[max(0, match.start() - 20):match.start()]
            after = text[match.end():match.end() + 12]
            signature = not text[match.end():].strip(" \t.!") and text[:match.start()].rstrip(" \t").endswith(
                ("\n", "-", "—", "–", ","))
            if _SELF_NAMED.search(before) or _SELF_SIGNED.match(after) or signature:
                own.add(match.group().casefold())
            found.append(match)
        for match in reversed(found):
            if match.group().casefold() not in own:
                text = f"{text[:match.start()]} {NAME_WORD} {text[match.end():]}"
        return text

    def asks_for_others(self, own_text: str, folded: str, japanese: bool, view: Any = None) -> bool:
        """True when a sentence of `own_text` (the user's own words, NFKC) asks for another person's personal data
        and the writer does not act for them. `folded` is the same text folded (what the English trigger reads, and
        most messages end there); `view` is `folded` split into words (`intents.cues.TextView`) when the caller has
        it."""
        handle = (("'" in own_text or '"' in own_text or "@" in own_text or "‘" in own_text or "“" in own_text)
                  and _HANDLE.search(own_text) is not None) \
            or (("." in own_text or "_" in own_text) and any(noun in folded for noun in _BARE_NOUNS)
                and _bare_handle(own_text.lower()))
        named = _NAME.search(own_text) is not None
        # (a title's full stop splits `folded` into sentences: "dr\nj\nsmith" is read again below with the name whole)
        titled = "." in own_text and any(title in own_text for title in _PERSON_TITLES) \
            and _TITLE_DOT.search(own_text) is not None
        if "@" in own_text:
            own_text = _signed_addresses(own_text)
        if "@" in own_text or handle or named or titled or self._en_trigger_found(folded, view):
            text = _EMAIL.sub(f" {EMAIL_WORD} ", _OWN_LABELLED.sub(rf"\1 {OWN_ADDRESS_WORD} ", own_text))
            if handle:
                text = _HANDLE.sub(rf"\1 {HANDLE_WORD}", text)
            if "." in text:
                text = _TITLE_DOT.sub(r"\1", _TITLE_INITIALS.sub(_initials_undotted, text))
            if named:
                text = self._named(text)
            if self._reads("en", [fold(s) for s in _sentences(text)]):
                return True
        if not japanese:
            return False
        if "@" in own_text:
            own_text = _EMAIL.sub(EMAIL_JA, own_text)
        return self._searcher("ja", own_text)("trigger") and self._reads("ja", _sentences(own_text))

    def _reads(self, name: str, sentences: list[str]) -> bool:
        return _reads(self.en if name == "en" else self.ja, sentences, self._searcher(name, "\n".join(sentences)))


    def acts_for(self, own_text: str, folded: str, japanese: bool) -> bool:
        """True when the writer says they act for another person (a representative, guardian, 代理人, 委任状) and
        not against them."""
        if _represents(self.en, lambda key: getattr(self.en, key).search(folded) is not None):
            return True
        return japanese and _represents(self.ja, lambda key: getattr(self.ja, key).search(own_text) is not None)


def _reads(lang: _Language, sentences: list[str], search: "Callable[[str], bool] | None" = None) -> bool:
    """Whether one of `sentences` asks for another person's data; `search(key)` is whether `lang`'s pattern `key`
    is found in the sentences joined by newlines (`OthersReader._searcher`)."""
    text = "\n".join(sentences)
    found: Callable[[str], bool] = search if search is not None else (
        lambda key: getattr(lang, key).search(text) is not None)
    if _represents(lang, found):
        return False  # a guardian, a parent, a lawyer for the person: a representative's request
    # a parent speaking for an adult child names a specific other person (round 9)
    specific = found("subject") or (found("adult") and not found("mandate"))
    claimed = found("claim")
    reported = found("reported")
    for sentence in sentences:
        if specific and not reported and lang.whereabouts is not None and lang.whereabouts.search(sentence) \
                and (lang.own is None or lang.retrieve.search(sentence)):
            return True  # "my ex still uses your app. where does she live now?", 「隣の人…何買ってるか教えて」
        if specific and not reported and lang.membership is not None and lang.membership.search(sentence) \
                and lang.retrieve.search(sentence) and not (lang.own is not None and lang.own.search(sentence)):
            return True  # 「友達がこのサービス使ってるか調べて」: whether someone else is a user at all
        if lang.talk.search(sentence) and not lang.handover.search(sentence):
            continue  # a person to talk to about someone's account asks for a conversation, not their data
        if not lang.ask.search(sentence) or (lang.own is not None and lang.own.search(sentence)):
            continue  # asks for nothing, or for the writer's own data (「私の住所」)
        if lang.practice.search(sentence):
            continue  # "please confirm whether our staff's data is shared with third parties": the practice asked about
        if lang.owned.search(sentence):
            return True  # "my ex's address", "the profile of user 123"
        if lang.access.search(sentence):
            continue  # "can any employee pull up her details, or is access restricted?": access control (Art. 5)
        handed = lang.retrieve.search(sentence) is not None
        if handed and not reported and lang.owned_pronoun.search(sentence):
            return True  # "send me her phone number" (not "a customer asked us to send her her data")
        if specific and not reported and lang.their_own is not None and lang.their_own.search(sentence):
            return True  # "my ex has an account. which email did she sign up with?"
        if claimed and handed and lang.bulk.search(sentence):
            return True  # "IT support here, pull up the user list with emails", 「全利用者の個人データを送って」
        if lang.generic.search(sentence):
            continue  # "when someone asks you to fix their data, do you check it?": anyone's, a question
        if specific and not reported and lang.owned_weak.search(sentence):
            return True  # "my former roommate uses your app. what's his email now?" (not "can our employees ask…")
        if claimed and handed and not reported and (
                lang.owned_weak.search(sentence) or (specific and lang.item.search(sentence))):
            # "Legal department here. Export the user's profile." (not an employer asking how their staff ask for
            # their own data: `reported`, round 11)
            return True
    return False


def _represents(lang: _Language, found: "Callable[[str], bool]") -> bool:
    """Whether the writer acts for the person (`principal`) and not against them (`adverse`); a parent of an adult child
    (`adult`) acts for them only under a formal `mandate` (guardianship, power of attorney, 委任状), round 9."""
    if not found("represented") or found("adverse"):
        return False
    return not found("adult") or found("mandate")


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def load_others(path: Path = OTHERS_FILE) -> OthersReader:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise OthersError(f"{path.name}: not valid TOML: {exc}") from exc
    names = doc.get("names", {})
    function_words = frozenset(w.casefold() for w in names.get("function_words", ()))
    not_names = frozenset(w.casefold() for w in names.get("not_names", ())) | function_words | _catalog_words()
    return OthersReader(en=_language(doc, "en"), ja=_language(doc, "ja"), not_names=not_names,
                        function_words=function_words,
                        org_words=frozenset(w.casefold() for w in (*names.get("org_words", ()), *names.get("role_words", ()))))


def _catalog_words() -> frozenset[str]:
    """The words the catalog (intents/data/*.toml) writes in lower case: policy vocabulary, which no name starts with
    ("Google Analytics", "Privacy Policy", "Customer Support")."""
    words: set[str] = set()
    for path in sorted(_CATALOG_DIR.glob("*.toml")):
        words.update(_LOWER_WORD.findall(path.read_text(encoding="utf-8")))
    return frozenset(words)
