"""The weekly report's own pages: the officer's list, the report page (fill, save, submit),
its files. The reviewer's pages are reporting.weekly.review_views; oversight is its own part."""

from reporting.weekly.views.attachments import week_attach, week_attachment, week_detach
from reporting.weekly.views.mine import week_mine
from reporting.weekly.views.report import week_report, week_save, week_submit

__all__ = [
    "week_attach",
    "week_attachment",
    "week_detach",
    "week_mine",
    "week_report",
    "week_save",
    "week_submit",
]
