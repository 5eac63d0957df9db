from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc

from accounts.choices import (
    REGULATOR_KINDS,
    SUPPLIER_KINDS,
    AuditResult,
    HospitalTier,
    OrganizationKind,
    Ownership,
    Role,
    SecurityEventKind,
)
from core import clock, history
from core.regions import is_valid_region, jurisdiction_prefix, region_full_name
from core.tenancy import REGULATOR_ROLES, TenantQuerySet, scope_q


def uscc_validator(value: str) -> None:
    """Model-level check, so that every form (admin included) refuses a bad code."""
    if not uscc.is_valid(value):
        raise ValidationError(
            _("%(value)s is not a valid unified social credit code."),
            code="uscc_invalid",
            params={"value": value},
        )


def region_validator(value: str) -> None:
    if not is_valid_region(value):
        raise ValidationError(
            _("%(value)s is not a current GB/T 2260 region code."),
            code="region_invalid",
            params={"value": value},
        )


class OrganizationQuerySet(TenantQuerySet):
    def hospitals(self):
        return self.filter(kind=OrganizationKind.HOSPITAL)

    def suppliers(self):
        return self.filter(kind__in=SUPPLIER_KINDS)


@history.track()
class Organization(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        help_text=_("18 characters, with its check character (GB 32100-2015)."),
        validators=[uscc_validator],
    )
    region_code = models.CharField(
        _("region code"), max_length=6, db_index=True, validators=[region_validator]
    )
    tier = models.CharField(
        _("hospital tier"), max_length=10, choices=HospitalTier.choices, blank=True
    )
    ownership = models.CharField(
        _("ownership"), max_length=10, choices=Ownership.choices, blank=True
    )
    insurance_code = models.CharField(_("insurance-designated code"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(region_code__regex=r"^[0-9]{6}$"),
                name="org_region_code_6_digits",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=OrganizationKind.HOSPITAL) | ~models.Q(tier=""),
                name="org_hospital_has_tier",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def tenant_q(cls, actor) -> models.Q:
        scope = scope_q(actor, org_field="id", region_field="region_code")
        # Suppliers trade nationally: the bureau and agency oversee every supplier on their
        # platform, wherever it is registered, but only their own region's hospitals.
        org = getattr(actor, "organization", None)
        if org is not None and org.is_regulator and set(actor.roles) & set(REGULATOR_ROLES):
            scope |= models.Q(kind__in=SUPPLIER_KINDS)
        return scope

    @property
    def is_hospital(self) -> bool:
        return self.kind == OrganizationKind.HOSPITAL

    @property
    def is_supplier(self) -> bool:
        return self.kind in SUPPLIER_KINDS

    @property
    def is_regulator(self) -> bool:
        return self.kind in REGULATOR_KINDS

    @property
    def jurisdiction(self) -> str:
        return jurisdiction_prefix(self.region_code)

    @property
    def region_display(self) -> str:
        return region_full_name(self.region_code)

    @property
    def uscc_display(self) -> str:
        return uscc.format(self.uscc) if hasattr(uscc, "format") else self.uscc


class UserQuerySet(TenantQuerySet):
    pass


class YangguangUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


@history.track(exclude=["password", "last_login"])
class User(AbstractUser):
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )
    roles = ArrayField(
        models.CharField(max_length=30, choices=Role.choices),
        verbose_name=_("roles"),
        default=list,
        blank=True,
    )
    # Set for the technical user behind an HIS API client; such a user never logs in.
    is_service_account = models.BooleanField(_("service account"), default=False)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)

    objects: ClassVar[YangguangUserManager] = YangguangUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @classmethod
    def tenant_q(cls, actor) -> models.Q:
        if actor.has_role(Role.PLATFORM_ADMIN):
            return models.Q()
        return models.Q(organization_id=actor.organization_id)

    def has_role(self, *roles: str) -> bool:
        return bool(self.is_active and set(self.roles) & set(roles))

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in self.roles if r in Role.values]


@history.track(exclude=["key_hash", "last_used_at"])
class ApiClient(models.Model):
    """A hospital information system calling the API with a per-hospital key.

    Only a SHA-256 digest of the key is stored: keys are 256-bit random tokens, so a slow
    password hash would add latency to every request without adding safety.
    """

    name = models.CharField(_("name"), max_length=100)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="api_clients",
    )
    user = models.OneToOneField(
        User, verbose_name=_("service account"), on_delete=models.PROTECT, related_name="api_client"
    )
    key_prefix = models.CharField(_("key prefix"), max_length=16, unique=True)
    key_hash = models.CharField(_("key digest"), max_length=64)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["organization", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix})"

    @classmethod
    def tenant_q(cls, actor) -> models.Q:
        return scope_q(actor, org_field="organization_id", region_field="organization__region_code")

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class SecurityEvent(models.Model):
    """Logins, logouts, failures and refusals: the audit trail 等保 2.0 asks for (GB/T
    22239-2019 8.1.4.3: who, in which role, when, from where, what, on what, with what result).

    Append-only (core.history.append_only and the runtime role's privileges), and a keyed hash
    chain [R-AUDIT-CHAIN]: each row has the next ``seq`` and ``chain_hash`` = HMAC-SHA-256 of
    the previous row's hash and this row's canonical fields (accounts.audit), so an edited,
    deleted or inserted row shows (``accounts.selectors.audit_chain_verify``). Written only by
    ``accounts.services.security_event_record``. Rows from before the chain have no ``seq``.
    """

    at = models.DateTimeField(_("time"), default=clock.now, db_index=True)
    kind = models.CharField(_("event"), max_length=30, choices=SecurityEventKind.choices)
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    roles = ArrayField(
        models.CharField(max_length=30),
        verbose_name=_("roles"),
        default=list,
        db_default=models.Value([], output_field=ArrayField(models.CharField(max_length=30))),
        blank=True,
    )
    ip = models.GenericIPAddressField(_("address"), null=True)
    path = models.CharField(_("path"), max_length=300, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True, db_default="")
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_default="")
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_default="")
    result = models.CharField(
        _("result"),
        max_length=10,
        choices=AuditResult.choices,
        default=AuditResult.SUCCESS,
        db_default=AuditResult.SUCCESS,
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True, db_default="")
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    # The chain [R-AUDIT-CHAIN]: null/empty on the rows written before it began.
    seq = models.BigIntegerField(_("sequence number"), null=True, unique=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True, db_default="")
    chain_hash = models.CharField(_("chain hash"), max_length=64, blank=True, db_default="")
    key_id = models.CharField(_("key id"), max_length=16, blank=True, db_default="")

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at"]
        triggers = [history.append_only()]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(seq__isnull=True)
                | (models.Q(seq__gte=1) & ~models.Q(chain_hash="") & ~models.Q(key_id="")),
                name="securityevent_chained_row_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.username}"

    @property
    def role_labels(self) -> list[str]:
        """The roles held then, by their names."""
        return [str(Role(r).label) for r in self.roles if r in Role.values]
