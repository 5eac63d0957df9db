import factory

from accounts.choices import HospitalTier, OrganizationKind, Ownership, Role
from accounts.demo import demo_uscc
from accounts.models import Organization, User
from core import clock

PASSWORD = "Correct-Horse-9"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = OrganizationKind.MANUFACTURER
    name = factory.Sequence(lambda n: f"测试企业{n}")
    region_code = "320106"
    uscc = factory.LazyAttributeSequence(lambda o, n: demo_uscc(f"test-{n}", "91", o.region_code))


class HospitalFactory(OrganizationFactory):
    kind = OrganizationKind.HOSPITAL
    name = factory.Sequence(lambda n: f"测试医院{n}")
    tier = HospitalTier.TIER_3
    ownership = Ownership.PUBLIC
    uscc = factory.LazyAttributeSequence(lambda o, n: demo_uscc(f"hosp-{n}", "12", o.region_code))


class DistributorFactory(OrganizationFactory):
    kind = OrganizationKind.DISTRIBUTOR


class BureauFactory(OrganizationFactory):
    kind = OrganizationKind.BUREAU
    name = factory.Sequence(lambda n: f"测试医保局{n}")
    region_code = "320100"
    uscc = factory.LazyAttributeSequence(lambda o, n: demo_uscc(f"bur-{n}", "11", o.region_code))


class AgencyFactory(BureauFactory):
    kind = OrganizationKind.AGENCY


DEFAULT_ROLE = {
    OrganizationKind.HOSPITAL: Role.HOSPITAL_PURCHASER,
    OrganizationKind.MANUFACTURER: Role.SUPPLIER_SALES,
    OrganizationKind.DISTRIBUTOR: Role.SUPPLIER_SALES,
    OrganizationKind.BUREAU: Role.BUREAU_OFFICER,
    OrganizationKind.AGENCY: Role.AGENCY_FINANCE,
}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    organization = factory.SubFactory(HospitalFactory)
    roles = factory.LazyAttribute(lambda o: [DEFAULT_ROLE[o.organization.kind]])
    password_changed_at = factory.LazyFunction(clock.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def user_with_role(role: str, organization: Organization | None = None) -> User:
    """A user holding ``role`` in a fitting organisation (created unless given)."""
    kind = {
        Role.HOSPITAL_PURCHASER: HospitalFactory,
        Role.HOSPITAL_FINANCE: HospitalFactory,
        Role.SUPPLIER_SALES: OrganizationFactory,
        Role.BUREAU_OFFICER: BureauFactory,
        Role.AGENCY_FINANCE: AgencyFactory,
        Role.PLATFORM_ADMIN: BureauFactory,
    }[role]
    return UserFactory(organization=organization or kind(), roles=[role])
