"""The reporting app's URLs: each part's patterns, their names prefixed by the part
(``week_``, ``month_``, ``briefing_``, ``calendar_``) so that they share one namespace."""

from reporting.briefings import urls as briefings_urls
from reporting.calendar import urls as calendar_urls
from reporting.monthly import urls as monthly_urls
from reporting.weekly import review_urls
from reporting.weekly import urls as weekly_urls
from reporting.weekly.oversight import urls as oversight_urls

app_name = "reporting"

urlpatterns = (
    review_urls.urlpatterns
    + oversight_urls.urlpatterns
    + weekly_urls.urlpatterns
    + monthly_urls.urlpatterns
    + briefings_urls.urlpatterns
    + calendar_urls.urlpatterns
)
