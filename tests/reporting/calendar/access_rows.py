"""Access-matrix rows of the calendar part's URLs (reporting/calendar/urls.py) and of core's
run-now page (core/urls.py: schedule_list, schedule_run_now): tests/test_access_matrix.py adds
them to MATRIX.

A function, so that this module may import the matrix's Row and cell constants without a
circular import; keep the objects the rows need (their kwargs, prepare and check helpers) here.
"""

# The calendar's pages: every signed-in user; the content is scoped (an outsider's is empty).
PAGE = "200 200 200 200 200 200 200 200 302"
# Making a new feed address: every signed-in user, for themselves (a redirect back).
ROTATE = "302 302 302 302 302 302 302 302 302"
# The feed needs no session: the token is the credential. "in": 通州区's county staff's current
# token; "out": their token before it was rotated — 404 for everyone, like a token never made.
FEED = "200/404 200/404 200/404 200/404 200/404 200/404 200/404 200/404 200/404"
# The run-now page: city administrators only.
RUN_NOW_PAGE = "200 403 403 403 403 403 403 403 302"
# Pressing "run now" (here for a schedule that does not exist, so that the matrix sends nothing
# to the broker: a redirect back with a message); everyone else 403.
RUN_NOW = "302 403 403 403 403 403 403 403 302"


def rows():
    from tests.test_access_matrix import IN, Row

    def feed_tokens(o):
        if not hasattr(o, "calendar_tokens"):
            from reporting.calendar import feed

            old = feed.rotate(o.county_staff).token
            o.calendar_tokens = {"out": old, "in": feed.rotate(o.county_staff).token}
        return o.calendar_tokens

    def feed_kwargs(o, scope):
        return {"token": feed_tokens(o)["in" if scope == IN else "out"]}

    def feed_holds_only_the_county(response, o, user, scope):
        from icalendar import Calendar

        uids = [str(e["UID"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]
        rudong = f"u{o.tree.rudong.pk}"
        assert uids, "the feed is empty: nothing was checked"
        assert not any("NT-RD" in uid or rudong in uid for uid in uids), uids

    return {
        "reporting:calendar_month": Row(PAGE),
        "reporting:calendar_month_of": Row(PAGE, kwargs=lambda o, s: {"year": 2026, "month": 12}),
        "reporting:calendar_list": Row(PAGE),
        "reporting:calendar_feed_rotate": Row(ROTATE, method="POST"),
        "reporting:calendar_feed": Row(
            FEED, kwargs=feed_kwargs, login=None, check=feed_holds_only_the_county
        ),
        "core:schedule_list": Row(RUN_NOW_PAGE),
        "core:schedule_run_now": Row(RUN_NOW, method="POST", data={"name": "no such task"}),
    }
