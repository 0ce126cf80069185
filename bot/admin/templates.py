"""Admin routes for templates: the list, the editor with preview (a form, and JSON for the live preview), save,
reset, history, one version, a diff of two versions, and rollback. Version 0 is the shipped default."""
from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from bot.admin.context import AdminContext, NotFound
from bot.admin.ops import Refused
from bot.admin.validation import Problem, Validation
from bot.admin.views import FLASH
from bot.staff.auth import StaffUser
from bot.staff.views import Form, read_form
from handoff.store import TemplateConflict
from responses.names import spec_for

log = logging.getLogger(__name__)


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def add_template_routes(router: APIRouter, ctx: AdminContext) -> None:
    """Register the template routes on the `/admin` router."""
    pages, ops = ctx.pages, ctx.templates

    @router.get("")
    def template_list(request: Request) -> Response:
        user = ctx.current_admin(request)
        rows = ops.rows()
        return pages.render("templates.html", user=user, rows=rows, langs=ctx.services.renderer.langs(),
                            overridden=sum(r.overridden for r in rows))

    def editor(user: StaffUser, name: str, lang: str, *, source: str | None = None, base_version: int | None = None,
               note: str = "", validation: Validation | None = None, status_code: int = 200,
               flash: str | None = None, error: str | None = None, problems: tuple[Problem, ...] = ()) -> Response:
        current, latest = ops.current(name, lang)
        head = ops.head(name, lang)
        text = current if source is None else source
        if validation is None:
            validation = ops.validate(name, lang, text)
        return pages.render(
            "editor.html", status_code=status_code, user=user, name=name, lang=lang, spec=spec_for(name), head=head,
            source=text, base_version=latest if base_version is None else base_version, note=note,
            preview=validation.preview, problems=problems or validation.problems, flash=flash, error=error,
            default_source=ctx.services.renderer.default_source(name, lang), changed=text != current)

    @router.get("/templates/{lang}/{name}")
    def edit_page(lang: str, name: str, request: Request) -> Response:
        user = ctx.current_admin(request)
        ctx.template(lang, name)
        return editor(user, name, lang, flash=FLASH.get(request.query_params.get("done", "")))

    def _base(form: Form) -> int | None:
        raw = form.get("base_version")
        return int(raw) if raw.isdigit() and len(raw) < 9 else None

    @router.post("/templates/{lang}/{name}/preview")
    def preview(lang: str, name: str, request: Request, form: Form = Depends(read_form)) -> Response:
        user = ctx.checked(request, form)
        ctx.template(lang, name)
        source = form.get("source")
        return editor(user, name, lang, source=source, base_version=_base(form), note=form.get("note"))

    @router.post("/templates/{lang}/{name}/preview.json")
    def preview_json(lang: str, name: str, request: Request, form: Form = Depends(read_form)) -> Response:
        ctx.checked(request, form)
        ctx.template(lang, name)
        validation = ops.validate(name, lang, form.get("source"))
        rendered = validation.preview
        return JSONResponse({
            "ok": validation.ok,
            "problems": [{"line": p.line, "reason": p.reason, "text": str(p)} for p in validation.problems],
            "html": rendered.html if rendered else None,
            "mrkdwn": rendered.mrkdwn if rendered else None,
            "text": rendered.text if rendered else None,
        }, headers={"cache-control": "no-store"})

    @router.post("/templates/{lang}/{name}")
    def save(lang: str, name: str, request: Request, form: Form = Depends(read_form)) -> Response:
        user = ctx.checked(request, form)
        ctx.template(lang, name)
        source, note, base = form.get("source"), form.get("note"), _base(form)
        try:
            ops.save(name, lang, source, author=user.username, note=note, base_version=base)
        except Refused as exc:
            return editor(user, name, lang, source=source, base_version=base, note=note, status_code=400,
                          error="Not saved.", problems=exc.problems)
        except TemplateConflict as exc:
            # Keep the admin's text; the next save (base = the latest) replaces the other edit knowingly.
            return editor(user, name, lang, source=source, base_version=exc.latest, note=note, status_code=409,
                          error=f"Not saved: someone saved version {exc.latest} since you opened the editor. "
                                "Compare it in the history, then save again to replace it.")
        log.info("template %s/%s saved by %s", lang, name, user.username)
        return _redirect(f"/admin/templates/{lang}/{name}?done=saved")

    @router.post("/templates/{lang}/{name}/reset")
    def reset(lang: str, name: str, request: Request, form: Form = Depends(read_form)) -> Response:
        user = ctx.checked(request, form)
        ctx.template(lang, name)
        try:
            ops.reset(name, lang, author=user.username, note=form.get("note"))
        except Refused as exc:
            return editor(user, name, lang, status_code=400, error="Not reset.", problems=exc.problems)
        log.info("template %s/%s reset by %s", lang, name, user.username)
        return _redirect(f"/admin/templates/{lang}/{name}?done=reset")

    @router.get("/templates/{lang}/{name}/history")
    def history(lang: str, name: str, request: Request) -> Response:
        user = ctx.current_admin(request)
        ctx.template(lang, name)
        versions = ctx.services.store.template_history(name, lang)
        return pages.render("history.html", user=user, name=name, lang=lang, versions=versions,
                            latest=versions[0].number if versions else 0)

    @router.get("/templates/{lang}/{name}/versions/{number}")
    def version(lang: str, name: str, number: int, request: Request) -> Response:
        user = ctx.current_admin(request)
        ctx.template(lang, name)
        if number < 0:
            raise NotFound()
        found = ctx.services.store.get_template_version(name, lang, number) if number else None
        latest = ops.current(name, lang)[1]
        return pages.render("version.html", user=user, name=name, lang=lang, number=number, version=found,
                            source=ops.source_of(name, lang, number), latest=latest)

    @router.get("/templates/{lang}/{name}/diff")
    def diff(lang: str, name: str, request: Request) -> Response:
        user = ctx.current_admin(request)
        ctx.template(lang, name)
        latest = ops.current(name, lang)[1]

        def number(key: str, default: int) -> int:
            raw = request.query_params.get(key, "")
            return int(raw) if raw.isdigit() and len(raw) < 9 else default

        a, b = number("a", 0), number("b", latest)
        lines = ops.diff(name, lang, a, b)
        versions = ctx.services.store.template_history(name, lang)
        return pages.render("diff.html", user=user, name=name, lang=lang, a=a, b=b, lines=lines, versions=versions)

    @router.post("/templates/{lang}/{name}/rollback")
    def rollback(lang: str, name: str, request: Request, form: Form = Depends(read_form)) -> Response:
        user = ctx.checked(request, form)
        ctx.template(lang, name)
        raw = form.get("version")
        if not raw.isdigit() or len(raw) > 8:
            raise NotFound()
        try:
            ops.rollback(name, lang, int(raw), author=user.username, note=form.get("note"))
        except Refused as exc:
            return editor(user, name, lang, status_code=400, error=f"Version {raw} was not restored.",
                          problems=exc.problems)
        log.info("template %s/%s rolled back to %s by %s", lang, name, raw, user.username)
        return _redirect(f"/admin/templates/{lang}/{name}?done=rolled_back")
