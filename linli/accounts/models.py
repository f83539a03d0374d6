import hashlib
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from linli.accounts.roles import Grants, Role


class UserManager(DjangoUserManager):
    def _create_user_object(self, username, email, password, **extra_fields):
        # create_user() sets the hash directly, not through set_password(): date it here.
        user = super()._create_user_object(username, email, password, **extra_fields)
        if password is not None:
            user.password_changed_at = timezone.now()
        return user


class User(AbstractUser):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    # Empty: never chosen, so the site's default language (Chinese) applies.
    language = models.CharField(
        _("interface language"), max_length=10, choices=settings.LANGUAGES, blank=True, default=""
    )
    # Bumped when the account is disabled or its password changes: every session that
    # carries an older value is ended (see SessionTimeoutMiddleware).
    session_epoch = models.PositiveIntegerField(default=0)
    # When the password was last set by its owner. None means unknown or chosen by an
    # administrator: under the strict password policy that counts as expired.
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True)

    objects = UserManager()

    def __str__(self) -> str:
        return self.full_name or self.username

    @cached_property
    def grants(self) -> Grants:
        # cached_property: one query per request, since each request loads its own user.
        rows = self.role_assignments.filter(ended_at__isnull=True, node__retired_at__isnull=True)
        return Grants([(role, path) for role, path in rows.values_list("role", "node__path")])

    def set_password(self, raw_password):
        # Every way a password is set (services, createsuperuser, the admin) dates it here;
        # callers setting a password for someone else clear the date again.
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    @property
    def may_administer_accounts(self) -> bool:
        return self.is_superuser or bool(self.grants.paths("account", "administer"))

    def place_labels(self) -> list[str]:
        rows = self.role_assignments.filter(ended_at__isnull=True).select_related("node")
        return [f"{row.node.name} · {row.get_role_display()}" for row in rows]


class RoleAssignment(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    node = models.ForeignKey("territory.Node", on_delete=models.PROTECT, related_name="role_assignments")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "node"],
                condition=models.Q(ended_at__isnull=True),
                name="one_active_assignment_per_user_role_node",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.node}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now(), user__is_active=True)


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored: a database dump does not leak tokens."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
