"""The reasons staff may give for rejecting a request: the exceptions the policy lists under each article.

APPI Art. 36 asks the company to explain a refusal; the reasons it can rely on are the exceptions in its own
policy, so a rejection must name one of these grounds (plus free text). Labels follow the English policy's
wording; Art. 37 (identification of the person or agent) applies to every request type.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from handoff.tickets import REQUEST_TYPES


@dataclass(frozen=True)
class RejectionGround:
    id: str
    article: str  # where the exception is written, e.g. "6(1)", "9(3)", "APPI 37"
    en: str
    ja: str

    def label(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


def _g(id: str, article: str, en: str, ja: str) -> RejectionGround:
    return RejectionGround(id, article, en, ja)


IDENTITY_NOT_CONFIRMED = _g(
    "identity_not_confirmed", "APPI 37",
    "The identity of the requester, or the representative's authority, could not be confirmed.",
    "ご本人（または代理人の権限）を確認できませんでした。")

_ART9_3 = _g(
    "art9_3_not_applicable", "9(3)",
    "Article 9(3): none of its situations applies (the data is still needed, no leak occurred, "
    "and the person's rights or legitimate interests are not likely to be harmed).",
    "第9条第3項：同項各号の事由（利用の必要がなくなった場合、漏えいが生じた場合、ご本人の権利または正当な利益が"
    "害されるおそれがある場合）のいずれにも該当しません。")

_BY_TYPE: dict[str, tuple[RejectionGround, ...]] = {
    "purpose_notification": (
        _g("art6_1", "6(1)", "Article 6 item 1: the purpose of using the personal information is unclear.",
           "第6条第1号：個人情報等の利用目的が明らかでない場合に該当します。"),
        _g("art6_2", "6(2)", "Article 6 item 2: notifying or announcing the purpose of use may harm the life, body, "
           "property or other rights or interests of the user or a third party.",
           "第6条第2号：利用目的の通知または公表により、ご本人または第三者の生命、身体、財産その他の権利利益を"
           "害するおそれがあります。"),
        _g("art6_3", "6(3)", "Article 6 item 3: notifying or announcing the purpose of use may harm the Company's "
           "rights or legitimate interests.",
           "第6条第3号：利用目的の通知または公表により、当社の権利または正当な利益を害するおそれがあります。"),
        _g("art6_4", "6(4)", "Article 6 item 4: it would impede affairs prescribed by law that the Company must "
           "cooperate with a national agency or local public entity in executing.",
           "第6条第4号：法令の定める事務を遂行する国の機関または地方公共団体への協力に支障を及ぼすおそれがあります。"),
    ),
    "disclosure": (
        _g("art7_1", "7(1)", "Article 7 item 1: disclosure may harm the life, body, property or other rights or "
           "interests of the user or a third party.",
           "第7条第1号：開示により、ご本人または第三者の生命、身体、財産その他の権利利益を害するおそれがあります。"),
        _g("art7_2", "7(2)", "Article 7 item 2: disclosure risks significantly hindering how the Company's business "
           "is carried out.",
           "第7条第2号：開示により、当社の業務の適正な実施に著しい支障を及ぼすおそれがあります。"),
        _g("art7_3", "7(3)", "Article 7 item 3: disclosure would violate a law or statute.",
           "第7条第3号：開示が法令に違反することとなります。"),
    ),
    "correction": (
        _g("art8_content_true", "8", "Article 8: the investigation found the content to be true, so no correction, "
           "addition or deletion is due.",
           "第8条：調査の結果、内容が事実と認められたため、訂正等は行いません。"),
        _g("art8_not_own_data", "8", "Article 8: the information concerned is not the requester's personal "
           "information.",
           "第8条：対象の情報はご本人の個人情報ではありません。"),
    ),
    "suspension": (
        _g("art9_1_not_valid", "9(1)", "Article 9(1): the investigation found the petition not valid (no use without "
           "consent, beyond the purpose of use, or in a false or unlawful manner).",
           "第9条第1項：調査の結果、申立てに理由があると認められませんでした（同意のない利用、目的外の利用、"
           "偽りその他不正な手段による利用は確認されませんでした）。"),
        _ART9_3,
    ),
    "third_party_stop": (
        _g("art9_2_not_valid", "9(2)", "Article 9(2): the investigation found the petition not valid (the "
           "information was obtained with consent and lawfully).",
           "第9条第2項：調査の結果、申立てに理由があると認められませんでした（同意を得て適法に取得されていました）。"),
        _ART9_3,
    ),
    "inquiry": (
        _g("out_of_scope", "14", "Article 14: the inquiry is outside the scope of this privacy policy.",
           "第14条：本プライバシーポリシーの対象外のお問い合わせです。"),
    ),
}

#: Request type -> the grounds a rejection of that type may name, identity confirmation last.
REJECTION_GROUNDS: Mapping[str, tuple[RejectionGround, ...]] = {
    t: _BY_TYPE[t] + (IDENTITY_NOT_CONFIRMED,) for t in REQUEST_TYPES
}


def find_ground(request_type: str, ground_id: str) -> RejectionGround | None:
    """The ground `ground_id` if a request of `request_type` may be rejected on it, else None."""
    return next((g for g in REJECTION_GROUNDS.get(request_type, ()) if g.id == ground_id), None)
