"""Directives made for tests through the services, at fixed dates (a deadline of 2019-12-17,
issued on 2019-12-13), and a tiny PNG to upload."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaign.directives import services
from tests.hazards.conftest import PNG_1X1

TZ = dt.timezone(dt.timedelta(hours=8))
ISSUED = dt.datetime(2019, 12, 13, 16, 0, tzinfo=TZ)
DEADLINE = dt.date(2019, 12, 17)
ON_TIME = dt.datetime(2019, 12, 16, 18, 0, tzinfo=TZ)
LATE = dt.datetime(2019, 12, 18, 9, 0, tzinfo=TZ)


def png(name="纪要.png"):
    return SimpleUploadedFile(name, PNG_1X1, content_type="image/png")


def issue(issuer, actor, receivers, *, title="召开专题研究会议", deadline=DEADLINE, uploads=()):
    return services.directive_issue(
        issuer=issuer,
        title=title,
        text="请于12月16日召开专题研究会议。",
        done_when="召开专题研究会议并上传会议纪要",
        deadline=deadline,
        receivers=receivers,
        uploads=uploads,
        actor=actor,
        now=ISSUED,
    )


def pass_on(receipt, actor, receivers=None, *, deadline=DEADLINE):
    if receivers is None:
        receivers = services.receivers_for(receipt.unit, "schools")
    return services.directive_pass_on(
        receipt=receipt, deadline=deadline, receivers=receivers, actor=actor, now=ISSUED
    )


def confirm(receipt, actor, *, now=ON_TIME, upload=None):
    return services.receipt_confirm(
        receipt=receipt,
        done_on=dt.date(2019, 12, 16),
        note="已召开专题研究会议。",
        upload=upload or png(),
        actor=actor,
        now=now,
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
