"""Forms of the plan screens: the plan itself, its team, manual targets, re-checks, sealing.

Plain forms: ``inspections.services`` do every write and have the final word on state and
permission; a form only turns what was typed into the services' arguments (and keeps it when
the services refuse).
"""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaign.models import OrgUnit
from core.forms import PlausibleDateField, PortalForm
from hazards.models import HazardCategory
from inspections.models import DEFAULT_WEIGHTS, ChecklistTemplate, InspectionPlan

Kind = OrgUnit.Kind

WEIGHT_LABELS = {
    "base": _("every school (base weight)"),
    "zero_data": _("on the zero-data list"),
    "overdue": _("has an overdue open hazard"),
    "major_open": _("has an open major hazard"),
    "bad_score": _("last inspection scored below 60"),
    "not_inspected": _("not inspected for a year or never"),
}


def _bootstrap(fields):
    for field in fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def _label(name):
    return InspectionPlan._meta.get_field(name).verbose_name


class CountyChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class PlanForm(PortalForm):
    """A plan's title, round, period, scope, focus areas, checklist, draw size and weights."""

    title = forms.CharField(label=_label("title"), max_length=120)
    round = forms.CharField(
        label=_label("round"), max_length=60, help_text=_("For example: 2019年第四季度")
    )
    period_start = PlausibleDateField(
        label=_label("period_start"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = PlausibleDateField(
        label=_label("period_end"), widget=forms.DateInput(attrs={"type": "date"})
    )
    counties = CountyChoices(
        label=_("Counties in scope"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the whole city."),
    )
    focus_areas = forms.ModelMultipleChoiceField(
        label=_label("focus_areas"),
        queryset=HazardCategory.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    checklist = forms.ModelChoiceField(label=_label("checklist"), queryset=None)
    draw_size = forms.IntegerField(
        label=_label("draw_size"),
        min_value=1,
        max_value=500,
        help_text=_("Between 1 and 500 schools."),
    )

    def __init__(self, *args, city, plan=None, **kwargs):
        if plan is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(plan)
        super().__init__(*args, **kwargs)
        self.city = city
        self.fields["counties"].queryset = OrgUnit.objects.filter(
            kind=Kind.COUNTY, is_active=True, path__startswith=city.path
        ).order_by("code")
        self.fields["focus_areas"].queryset = HazardCategory.objects.filter(
            parent__isnull=True, is_active=True
        ).order_by("order", "id")
        self.fields["checklist"].queryset = ChecklistTemplate.objects.filter(
            Q(is_active=True) | Q(pk=getattr(plan, "checklist_id", None)), city=city
        )
        defaults = plan.effective_weights() if plan is not None else DEFAULT_WEIGHTS
        for key in DEFAULT_WEIGHTS:
            self.fields[f"weight_{key}"] = forms.DecimalField(
                label=WEIGHT_LABELS[key],
                min_value=0,
                max_value=100,
                decimal_places=2,
                initial=defaults[key],
                widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
            )
        self.fields["weight_base"].min_value = 0
        _bootstrap(self.fields)

    @staticmethod
    def initial_for(plan):
        initial = {
            name: getattr(plan, name)
            for name in ("title", "round", "period_start", "period_end", "draw_size")
        }
        initial["checklist"] = plan.checklist_id
        initial["counties"] = list(plan.counties.values_list("pk", flat=True))
        initial["focus_areas"] = list(plan.focus_areas.values_list("pk", flat=True))
        return initial

    def weight_fields(self):
        return [self[f"weight_{key}"] for key in DEFAULT_WEIGHTS]

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        base = data.get("weight_base")
        if base is not None and base <= 0:
            self.add_error(
                "weight_base",
                _("The base weight must be above 0, or some schools could never be drawn."),
            )
        return data

    def weights(self):
        """Only the weights that differ from the defaults are stored with the plan."""
        out = {}
        for key, default in DEFAULT_WEIGHTS.items():
            value = float(self.cleaned_data[f"weight_{key}"])
            if value != float(default):
                out[key] = value
        return out

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "title": data["title"],
            "round": data["round"],
            "period_start": data["period_start"],
            "period_end": data["period_end"],
            "checklist": data["checklist"],
            "draw_size": data["draw_size"],
            "counties": list(data["counties"]),
            "focus_areas": list(data["focus_areas"]),
            "weights": self.weights(),
        }


def team_candidates(city, search=""):
    """Active users holding any role in the city's tree (inspectors first), by name."""
    from campaign.roles import Role

    users = (
        get_user_model()
        .objects.filter(is_active=True, role_grants__unit__path__startswith=city.path)
        .distinct()
    )
    search = (search or "").strip()[:40]
    if search:
        users = users.filter(
            Q(full_name__icontains=search) | Q(username__icontains=search) | Q(phone=search)
        )
    inspectors = set(
        get_user_model()
        .objects.filter(
            role_grants__role=Role.INSPECTOR, role_grants__unit__path__startswith=city.path
        )
        .values_list("pk", flat=True)
    )
    rows = sorted(users, key=lambda u: (u.pk not in inspectors, u.display_name, u.pk))
    return rows, inspectors


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class UserChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class TeamForm(PortalForm):
    members = UserChoices(
        label=_("Team members"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    leader = UserChoice(label=_("Team leader"), queryset=None, widget=forms.RadioSelect)

    def __init__(self, *args, city, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The city's people, and whoever is on the team already (they may be of other units).
        wanted = Q(role_grants__unit__path__startswith=city.path)
        if plan is not None:
            wanted |= Q(pk__in=plan.team.values("user_id"))
        users = get_user_model().objects.filter(wanted, is_active=True).distinct()
        self.fields["members"].queryset = users
        self.fields["leader"].queryset = users
        self.fields["leader"].error_messages["required"] = _("Choose the team leader.")

    def members_and_leader(self):
        leader = self.cleaned_data["leader"]
        members = list(self.cleaned_data["members"])
        if leader not in members:
            members.append(leader)
        return members, leader


class TargetForm(PortalForm):
    """Add a school by its code, or take a target off the list; always with a reason."""

    action = forms.ChoiceField(
        choices=[("add", _("add")), ("remove", _("remove"))], widget=forms.HiddenInput
    )
    school = forms.CharField(label=_("School code"), max_length=40)
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].error_messages["required"] = _("Give the school's code.")
        self.fields["reason"].error_messages["required"] = _("Say why.")
        _bootstrap(self.fields)

    def clean_school(self):
        return self.cleaned_data["school"].strip().upper()


class RecheckForm(PortalForm):
    hazard = forms.CharField(
        label=_("Hazard number"),
        max_length=40,
        help_text=_("A closed hazard at a school in the plan's scope, e.g. NT-2019-000123."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hazard"].error_messages["required"] = _("Give the hazard number.")
        _bootstrap(self.fields)

    def clean_hazard(self):
        return self.cleaned_data["hazard"].strip().upper()


class SealForm(PortalForm):
    confirm = forms.BooleanField(
        label=_(
            "I have checked the targets and the team: seal the plan. The list can no longer change."
        ),
        error_messages={"required": _("Tick the box to confirm the sealing.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self.fields)
