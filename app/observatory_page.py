"""What the observatory's two pages share (the organisers' one, with exact figures, and the
public one, small counts hidden): the period asked and the page drawn from the same figures."""
from flask import render_template, request

from .services import observatory


def chosen_period():
    """(period or None, the error in French or "") from the « de » and « a » years asked."""
    try:
        return observatory.period(request.args.get("de", ""), request.args.get("a", "")), ""
    except observatory.BadPeriod as bad:
        return None, str(bad)


def render(template: str, for_public: bool, **context):
    """The page, with status 400 and the reason next to the years when they cannot be shown."""
    # reportlab draws the charts: loaded by the workers that show them, not by every worker.
    from .documents.charts import chart_for, to_svg

    chosen, error = chosen_period()
    found = observatory.build(chosen, for_public=for_public) if chosen else None
    charts = {t.key: to_svg(chart) for t in found.tables if (chart := chart_for(t))} if found else {}
    return render_template(
        template, observatory=found, charts=charts, error=error, years=observatory.held_years(),
        asked={"de": request.args.get("de", "")[:20], "a": request.args.get("a", "")[:20]},
        nothing_yet=observatory.NOTHING_YET, **context,
    ), 400 if error else 200
