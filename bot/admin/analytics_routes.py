"""Routes of the analytics page: `GET /admin/analytics` (filters in the query string, so a view can be bookmarked)
and `GET /admin/analytics/{table}.csv` for each table. Admins only, like every `/admin` page."""
from __future__ import annotations

from fastapi import APIRouter, Request
from markupsafe import Markup
from starlette.responses import Response

from bot.admin import charts
from bot.admin.analytics import (
    ARTICLES, DAY_BUCKETS, LANGS, OUTCOMES, PRESETS, Filters, Report, bucket_of_day, build_report,
)
from bot.admin.context import AdminContext, NotFound

TABLE_ORDER = ("questions", "dead_ends", "requests", "resolution", "on_time")


def _fraction(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def draw(report: Report) -> dict[str, Markup]:
    """One chart per table, from the table's own numbers (so chart and table cannot disagree)."""
    t = report.tables
    q, d, r, res, on = (t[n] for n in TABLE_ORDER)
    weeks = [str(row[0]) for row in q.rows]
    dead_rows = [(int(row[1]), int(row[2]), int(row[3])) for row in d.rows]
    highest = max([0.0] + [max(f, o) / m for m, f, o in dead_rows if m])
    top = next(t for t in (0.05, 0.1, 0.2, 0.25, 0.5, 1.0) if highest <= t)  # a round top for the axis
    return {
        "questions": charts.heatmap("questions", q.title, weeks, [str(a) for a in ARTICLES],
                                    [[int(v) for v in row[1:-1]] for row in q.rows]),
        "dead_ends": charts.lines("dead_ends", d.title, weeks,
                                  [("dead ends (fallback)", [_fraction(f, m) for m, f, _ in dead_rows]),
                                   ("out of scope", [_fraction(o, m) for m, _, o in dead_rows])],
                                  top=top),
        "requests": charts.stacked_bars("requests", r.title, [str(row[0]) for row in r.rows], list(OUTCOMES),
                                        [[int(v) for v in row[1:-1]] for row in r.rows]),
        "resolution": charts.histogram("resolution", res.title, [str(row[0]) for row in res.rows],
                                       [int(row[1]) for row in res.rows], [int(row[2]) for row in res.rows],
                                       marker_after=bucket_of_day(report.sla_days),
                                       marker_label=f"due after {report.sla_days} days"),
        "on_time": charts.lines("on_time", on.title, weeks,
                                [("closed by the due date", [_fraction(int(row[2]), int(row[1])) for row in on.rows])]),
    }


def add_analytics_routes(router: APIRouter, ctx: AdminContext) -> None:
    store, settings = ctx.services.store, ctx.services.settings

    @router.get("/analytics")
    def analytics(request: Request) -> Response:
        user = ctx.current_admin(request)
        filters, problems = Filters.parse(request.query_params, now=ctx.clock())
        report = build_report(store, filters, sla_days=settings.sla_days)
        return ctx.pages.render("analytics.html", user=user, report=report, charts=draw(report), order=TABLE_ORDER,
                                problems=problems, presets=PRESETS, langs=LANGS, buckets=DAY_BUCKETS)

    @router.get("/analytics/{name}.csv")
    def analytics_csv(name: str, request: Request) -> Response:
        ctx.current_admin(request)
        if name not in TABLE_ORDER:
            raise NotFound()
        filters, _ = Filters.parse(request.query_params, now=ctx.clock())
        table = build_report(store, filters, sla_days=settings.sla_days).tables[name]
        filename = f"analytics-{name}-{filters.first_date}-{filters.last_date}-{filters.lang or 'all'}.csv"
        return Response(table.csv(), media_type="text/csv; charset=utf-8",
                        headers={"content-disposition": f'attachment; filename="{filename}"'})
