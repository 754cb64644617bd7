"""Forms of the meeting pages: a new meeting (with the units summoned to it), the minutes,
a request for leave and the attendance sheet."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.forms.directives import (
    RECEIVERS_CHOSEN,
    MultipleFileField,
    _date_widget,
    _ReceiversMixin,
)
from campaign.models import Meeting, MeetingSummons
from core.forms import PlausibleDateField, PortalForm, bootstrap_fields

SUMMON_NONE = "none"
Attendance = MeetingSummons.Attendance


def _label(name):
    return Meeting._meta.get_field(name).verbose_name


def _area(rows=3):
    return forms.Textarea(attrs={"rows": rows})


class MeetingForm(_ReceiversMixin, PortalForm):
    unit = forms.ChoiceField(label=_("Holding unit"))
    kind = forms.ChoiceField(label=_label("kind"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=_label("title"), max_length=200)
    held_on = PlausibleDateField(label=_label("held_on"), widget=_date_widget())
    starts_at = forms.TimeField(
        label=_label("starts_at"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Units may ask for leave until the meeting starts."),
    )
    place = forms.CharField(label=_label("place"), max_length=200, required=False)
    convenor = forms.CharField(
        label=_label("convenor"),
        max_length=100,
        required=False,
        help_text=_("Who chairs the meeting."),
    )
    agenda = forms.CharField(
        label=_label("agenda"), max_length=20000, required=False, widget=_area()
    )
    receivers = forms.ChoiceField(label=_("Units summoned"), widget=forms.RadioSelect)
    chosen = forms.MultipleChoiceField(
        label=_("Chosen units"), required=False, widget=forms.CheckboxSelectMultiple
    )
    expected_attendee = forms.CharField(
        label=_("Expected attendee of each unit"),
        max_length=100,
        required=False,
        help_text=_("E.g. the leader in charge of safety and the head of the safety section."),
    )
    files = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, units, summoning, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {u.code: u for u in units}
        self.summoning = {u.code for u in summoning}
        self.fields["unit"].choices = [(u.code, u.name) for u in units]
        if len(units) == 1:
            self.fields["unit"].initial = units[0].code
        self._set_receivers(summoning)
        self.fields["receivers"].choices = [
            (SUMMON_NONE, _("none (a meeting of our own)")),
            *self.fields["receivers"].choices,
        ]
        self.fields["receivers"].initial = SUMMON_NONE
        bootstrap_fields(self.fields.values())

    def clean_unit(self):
        return self.units[self.cleaned_data["unit"]]

    def clean(self):
        data = super().clean()
        if data.get("receivers") == SUMMON_NONE:
            data["chosen_units"] = []
            return data
        data = self._clean_receivers(data)
        unit = data.get("unit")
        if unit is None:
            return data
        if unit.code not in self.summoning:
            self.add_error("receivers", _("Only a city or a county summons units to its meetings."))
        elif data.get("receivers") == RECEIVERS_CHOSEN:
            foreign = [u for u in data["chosen_units"] if u.parent_id != unit.pk]
            if foreign:
                self.add_error(
                    "chosen",
                    _("%(unit)s is not directly under %(holder)s.")
                    % {"unit": foreign[0].name, "holder": unit.name},
                )
        if not (data.get("expected_attendee") or "").strip():
            self.add_error("expected_attendee", _("Say whom each unit is to send."))
        return data


class MinutesForm(PortalForm):
    minutes = forms.CharField(
        label=_label("minutes"), max_length=20000, required=False, widget=_area(6)
    )
    decisions = forms.CharField(
        label=_label("decisions"), max_length=20000, required=False, widget=_area(4)
    )
    attendees = forms.CharField(
        label=_label("attendees"), max_length=20000, required=False, widget=_area(2)
    )
    files = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_fields(self.fields.values())


class LeaveForm(PortalForm):
    reason = forms.CharField(label=_("Reason for leave"), max_length=2000, widget=_area(3))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_fields(self.fields.values())


MARKS = [
    (Attendance.ATTENDED, Attendance.ATTENDED.label),
    (Attendance.ON_LEAVE, Attendance.ON_LEAVE.label),
    (Attendance.ABSENT, Attendance.ABSENT.label),
]


class AttendanceForm(PortalForm):
    """One mark and one name per summoned unit (fields ``mark_<id>`` / ``who_<id>``); a unit
    left unmarked is recorded absent without leave unless its leave was approved."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for summons in rows:
            initial = summons.attendance if summons.attendance != Attendance.PENDING else ""
            if not initial and summons.leave == MeetingSummons.Leave.APPROVED:
                initial = Attendance.ON_LEAVE
            self.fields[f"mark_{summons.pk}"] = forms.ChoiceField(
                label=summons.unit.name,
                choices=MARKS,
                required=False,
                initial=initial,
                widget=forms.RadioSelect,
            )
            self.fields[f"who_{summons.pk}"] = forms.CharField(
                label=_("Who attended"),
                max_length=100,
                required=False,
                initial=summons.attendee,
            )
        bootstrap_fields(self.fields.values())

    def marks(self):
        data = self.cleaned_data
        return {
            s.pk: (data.get(f"mark_{s.pk}") or "", data.get(f"who_{s.pk}") or "") for s in self.rows
        }

    def lines(self):
        """(summons, mark field, name field) per row, for the template."""
        return [(s, self[f"mark_{s.pk}"], self[f"who_{s.pk}"]) for s in self.rows]


class MeetingFilterForm(PortalForm):
    kind = forms.ChoiceField(
        label=_label("kind"), required=False, choices=[("", _("all")), *Meeting.Kind.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_fields(self.fields.values())

    def chosen_kind(self):
        return (self.cleaned_data["kind"] or None) if self.is_valid() else None
