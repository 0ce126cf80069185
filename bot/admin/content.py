"""Admin pages for what the matcher learns: example phrasings per intent, and the unanswered questions (fallback
and clarify messages, redacted, grouped and counted, newest first) that an admin attaches to an intent in one
click, which adds the message as an example phrasing of that intent.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from bot.admin.context import AdminContext, NotFound
from bot.admin.ops import LANG_NAMES, MAX_PHRASING, Refused
from bot.admin.views import FLASH, PAGE_SIZE, UNANSWERED_KEY
from bot.staff.views import Form, read_form
from handoff.content import UnansweredGroup
from intents.catalog import Intent
from intents.matcher import Matcher

MAX_TRY = 500


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def best_guess(matcher: Matcher, text: str, lang: str) -> str | None:
    """The intent an admin most likely attaches `text` to: the matcher's pick, else its best non-smalltalk
    candidate (a fallback still ranks the topics)."""
    match = matcher.match(text, lang)
    if match.intent:
        return match.intent
    ranked = [c for c in match.candidates if c.kind != "smalltalk"]
    return ranked[0].intent if ranked else None


def _intents(ctx: AdminContext) -> list[Intent]:
    order = {"question": 0, "request": 1, "smalltalk": 2}
    return sorted(ctx.services.catalog, key=lambda i: (order.get(i.kind, 3), i.article or 0, i.paragraph or 0, i.id))


def add_content_routes(router: APIRouter, ctx: AdminContext) -> None:
    pages, ops, store = ctx.pages, ctx.phrasings, ctx.services.store

    def matcher() -> Matcher:
        return ctx.services.conversation.matcher  # the live one, with every phrasing added so far

    # -- example phrasings ---------------------------------------------------------------------------------
    @router.get("/phrasings")
    def phrasing_list(request: Request) -> Response:
        user = ctx.current_admin(request)
        added: dict[str, int] = {}
        for phrasing in store.list_phrasings():
            added[phrasing.intent] = added.get(phrasing.intent, 0) + 1
        return pages.render("phrasings.html", user=user, intents=_intents(ctx), added=added)

    def intent_page(request: Request, intent_id: str, *, status_code: int = 200, error: str | None = None,
                    problems: tuple[object, ...] = (), text: str = "", lang: str = "en") -> Response:
        user = ctx.current_admin(request)
        try:
            intent = ops.intent(intent_id)
        except KeyError:
            raise NotFound() from None
        tried = request.query_params.get("try", "")[:MAX_TRY].strip()
        match = matcher().match(tried) if tried else None
        return pages.render("intent.html", status_code=status_code, user=user, intent=intent,
                            phrasings=store.list_phrasings(intent.id),
                            flash=FLASH.get(request.query_params.get("done", "")),
                            error=error, problems=problems, text=text, lang=lang, langs=LANG_NAMES, tried=tried,
                            match=match, catalog=ctx.services.catalog, max_phrasing=MAX_PHRASING)

    @router.get("/phrasings/{intent_id}")
    def show_intent(intent_id: str, request: Request) -> Response:
        return intent_page(request, intent_id)

    @router.post("/phrasings/{intent_id}")
    def add_phrasing(intent_id: str, request: Request, form: Form = Depends(read_form)) -> Response:
        user = ctx.checked(request, form)
        text, lang = form.get("text"), form.get("lang")
        try:
            ops.add(intent_id, lang, text, author=user.username)
        except Refused as exc:
            if intent_id not in ctx.services.catalog:
                raise NotFound() from None
            return intent_page(request, intent_id, status_code=400, error="Not added.", problems=exc.problems,
                               text=text[:MAX_PHRASING * 2], lang=lang if lang in LANG_NAMES else "en")
        return _redirect(f"/admin/phrasings/{intent_id}?done=added")

    @router.post("/phrasings/{intent_id}/{phrasing_id}/remove")
    def remove_phrasing(intent_id: str, phrasing_id: int, request: Request,
                        form: Form = Depends(read_form)) -> Response:
        ctx.checked(request, form)
        known = intent_id in ctx.services.catalog
        if not known or not any(p.id == phrasing_id for p in store.list_phrasings(intent_id)):
            raise NotFound()
        ops.remove(phrasing_id)
        return _redirect(f"/admin/phrasings/{intent_id}?done=removed")

    # -- unanswered questions ----------------------------------------------------------------------------------
    def unanswered_page(request: Request, *, status_code: int = 200, error: str | None = None,
                        problems: tuple[object, ...] = ()) -> Response:
        user = ctx.current_admin(request)
        raw = request.query_params.get("page", "1")
        page = int(raw) if raw.isdigit() and 0 < len(raw) <= 4 and int(raw) > 0 else 1
        groups = store.list_unanswered(limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
        live = matcher()
        guesses = {g.key: best_guess(live, g.text, g.lang) for g in groups[:PAGE_SIZE]}
        return pages.render("unanswered.html", status_code=status_code, user=user, groups=groups[:PAGE_SIZE],
                            guesses=guesses, intents=_intents(ctx), page=page, has_next=len(groups) > PAGE_SIZE,
                            flash=FLASH.get(request.query_params.get("done", "")), error=error, problems=problems)

    @router.get("/unanswered")
    def unanswered(request: Request) -> Response:
        return unanswered_page(request)

    def group_or_404(key: str) -> UnansweredGroup:
        group = store.get_unanswered(key) if UNANSWERED_KEY.fullmatch(key) else None
        if group is None:
            raise NotFound()
        return group

    @router.post("/unanswered/{key}/attach")
    def attach(key: str, request: Request, form: Form = Depends(read_form)) -> Response:
        user = ctx.checked(request, form)
        group = group_or_404(key)
        intent_id = form.get("intent")
        try:
            ops.add(intent_id, group.lang, group.text, author=user.username)
        except Refused as exc:
            return unanswered_page(request, status_code=400, error="Not attached.", problems=exc.problems)
        store.dismiss_unanswered(key)
        return _redirect("/admin/unanswered?done=attached")

    @router.post("/unanswered/{key}/dismiss")
    def dismiss(key: str, request: Request, form: Form = Depends(read_form)) -> Response:
        ctx.checked(request, form)
        group_or_404(key)
        store.dismiss_unanswered(key)
        return _redirect("/admin/unanswered?done=dismissed")
