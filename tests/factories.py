"""Factories for the tests: units are created through the service so their paths are right."""

import factory

from campaign import services
from campaign.models import OrgUnit, User

PASSWORD = "demo-pass-2019"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrgUnitFactory(factory.Factory):
    class Meta:
        model = OrgUnit

    kind = OrgUnit.Kind.COUNTY
    name = factory.Sequence(lambda n: f"单位{n}")
    code = factory.Sequence(lambda n: f"U{n:05d}")
    parent = None

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.orgunit_create(actor=None, **kwargs)


class CityFactory(OrgUnitFactory):
    kind = OrgUnit.Kind.CITY
    name = factory.Sequence(lambda n: f"城市{n}")


class CountyFactory(OrgUnitFactory):
    kind = OrgUnit.Kind.COUNTY
    name = factory.Sequence(lambda n: f"县区{n}")
    parent = factory.SubFactory(CityFactory)


class SchoolFactory(OrgUnitFactory):
    kind = OrgUnit.Kind.SCHOOL
    name = factory.Sequence(lambda n: f"实验小学{n}")
    parent = factory.SubFactory(CountyFactory)
    category = OrgUnit.Category.PRIMARY
    ownership = OrgUnit.Ownership.PUBLIC
    students = 800
    staff = 60
    address = "南通市某路1号"
    principal_name = "张校长"
    principal_phone = "0513-80000000"
    safety_officer_name = "李安全"
    safety_officer_phone = "13800000000"


def grant(user, role, unit):
    services.role_grant(user=user, role=role, unit=unit, actor=None)
    return user
