import math
import textwrap
import time
from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_otp import login as otp_login

from linli.accounts import selectors, services
from linli.accounts.forms import (
    AccountCreateForm,
    LoginForm,
    OTPCodeForm,
    OwnPasswordChangeForm,
    PasswordResetForm,
    ReasonForm,
    RoleGrantForm,
)
from linli.accounts.middleware import SESSION_EPOCH
from linli.accounts.password_validation import password_expired
from linli.core.errors import DomainError

# The first step of a login with two-factor: who passed the password, when, where to go.
PENDING_LOGIN = "linli_pending_login"
PENDING_SECONDS = 300
PENDING_MAX_TRIES = 5


def _safe_next(request, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _keep_this_session(request, user) -> None:
    """After a write that ended every session of the account (password change, two-factor
    set-up), let the session that made it continue: new key, new epoch, new auth hash."""
    update_session_auth_hash(request, user)
    request.session[SESSION_EPOCH] = user.session_epoch


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if selectors.has_two_factor(user):
            # The password was right; the account is not logged in until the code is.
            self.request.session[PENDING_LOGIN] = {
                "user": user.pk,
                "backend": user.backend,
                "at": int(time.time()),
                "next": self.get_redirect_url(),
                "tries": 0,
            }
            return redirect("accounts:login_verify")
        return super().form_valid(form)


@never_cache
@require_http_methods(["GET", "POST"])
def login_verify(request):
    """Second step of the login: the code from the authenticator app."""
    pending = request.session.get(PENDING_LOGIN)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING_LOGIN, None)
        messages.info(request, _("Log in again."))
        return redirect("accounts:login")
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_LOGIN, None)
        return redirect("accounts:login")
    form = OTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.two_factor_verify(user=user, code=form.cleaned_data["code"])
        if device is not None:
            request.session.pop(PENDING_LOGIN)
            auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            target = pending.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = resolve_login_redirect()
            return redirect(target or resolve_login_redirect())
        # A wrong code counts towards the lockout like a wrong password.
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=request
        )
        pending["tries"] += 1
        if pending["tries"] >= PENDING_MAX_TRIES:
            request.session.pop(PENDING_LOGIN)
            messages.error(request, _("Too many wrong codes. Log in again."))
            return redirect("accounts:login")
        request.session[PENDING_LOGIN] = pending
        form.add_error("code", _("The code is not correct, or it was already used. Wait for the next one."))
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/login_verify.html", {"form": form}, status=status)


def resolve_login_redirect() -> str:
    return reverse(settings.LOGIN_REDIRECT_URL)


def lockout_response(request, credentials=None, *args, **kwargs):
    """django-axes calls this when an account or address is locked out."""
    minutes = max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    message = _("Too many failed attempts. This account is locked for %(minutes)d minutes.") % {
        "minutes": minutes
    }
    if hasattr(request, "session"):
        request.session.pop(PENDING_LOGIN, None)
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked", "message": message}, status=423)
    return render(request, "accounts/locked.html", {"message": message}, status=423)


@require_POST
def set_language(request):
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


# --- own security: password, two-factor ------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    user = request.user
    form = OwnPasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(
                actor=user, user=user, password=form.cleaned_data["new_password1"], request=request
            )
        except DomainError as exc:
            form.add_error("new_password1", str(exc.message))
        else:
            _keep_this_session(request, user)
            messages.success(request, _("Your password has been changed. Other sessions have been ended."))
            return redirect(_safe_next(request, resolve_login_redirect()))
    context = {
        "form": form,
        "expired": password_expired(user),
        "next": _safe_next(request, ""),
    }
    return render(request, "accounts/password_change.html", context, status=422 if form.errors else 200)


def _qr_svg(uri: str) -> str:
    # segno writes plain SVG paths: no script, no style attribute (the CSP forbids both).
    # Without a fixed size (only a viewBox) it takes the width of the column, phone or desk.
    svg = segno.make(uri, error="m").svg_inline(omitsize=True, dark="#000", light="#fff", svgclass="qr")
    return mark_safe(svg)  # noqa: S308 - generated by segno from our own URI, no user markup


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    user = request.user
    if selectors.has_two_factor(user):
        return render(
            request,
            "accounts/two_factor.html",
            {"enabled": True, "required": selectors.two_factor_required(user)},
        )
    device = services.two_factor_begin(user=user)
    form = OTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            confirmed = services.two_factor_confirm(
                user=user, device=device, code=form.cleaned_data["code"], request=request
            )
        except DomainError as exc:
            form.add_error("code", str(exc.message))
        else:
            if confirmed:
                otp_login(request, device)
                _keep_this_session(request, user)
                messages.success(request, _("Two-factor authentication is on."))
                return redirect(_safe_next(request, resolve_login_redirect()))
            form.add_error("code", _("The code is not correct. Check the time on your phone and try again."))
    context = {
        "enabled": False,
        "required": selectors.two_factor_required(user),
        "form": form,
        "qr": _qr_svg(device.config_url),
        # In groups of four, as apps display and accept it; it wraps on a narrow screen.
        "secret": " ".join(textwrap.wrap(b32encode(device.bin_key).decode(), 4)),
        "next": _safe_next(request, ""),
    }
    return render(request, "accounts/two_factor.html", context, status=422 if form.errors else 200)


# --- administration ---------------------------------------------------------------------


def _require_administrator(request) -> None:
    if not request.user.may_administer_accounts:
        raise DjangoPermissionDenied


def _back_to(request, user):
    url = reverse("accounts:manage_detail", args=[user.public_id])
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


@login_required
def manage_list(request):
    _require_administrator(request)
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    users = selectors.users_for_listing(user=request.user, q=q, status=status)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    context = {"page": page, "q": q, "status": status}
    template = "accounts/manage_list.html#account-list" if request.htmx else "accounts/manage_list.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def manage_create(request):
    _require_administrator(request)
    form = AccountCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                password=data["password"],
                role=data["role"],
                node=data["node"],
                request=request,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Account %(name)s created.") % {"name": user})
            return _back_to(request, user)
    return render(request, "accounts/manage_create.html", {"form": form}, status=422 if form.errors else 200)


def _detail_context(request, user, **forms):
    actor = request.user
    manageable = selectors.can_manage(actor=actor, user=user)
    # (assignment, whether the actor may end it)
    roles = [
        (a, actor.pk != user.pk and selectors.can_grant(actor=actor, role=a.role, node=a.node))
        for a in user.area_roles
    ]
    total_roles = len(selectors.active_assignments(user=user))
    return {
        "account": user,
        "roles": roles,
        "roles_elsewhere": total_roles - len(user.area_roles),
        "manageable": manageable,
        "grant_form": forms.get("grant_form")
        or (RoleGrantForm(actor=actor) if actor.pk != user.pk else None),
        "reason_form": forms.get("reason_form") or ReasonForm(),
        "password_form": forms.get("password_form") or (PasswordResetForm(user) if manageable else None),
        "is_self": actor.pk == user.pk,
    }


@login_required
def manage_detail(request, user_id):
    _require_administrator(request)
    user = selectors.user_administrable_or_404(actor=request.user, public_id=user_id, request=request)
    return render(request, "accounts/manage_detail.html", _detail_context(request, user))


@login_required
@require_POST
def manage_grant(request, user_id):
    _require_administrator(request)
    user = selectors.user_administrable_or_404(actor=request.user, public_id=user_id, request=request)
    form = RoleGrantForm(request.POST, actor=request.user)
    if form.is_valid():
        try:
            services.role_grant(
                actor=request.user,
                user=user,
                role=form.cleaned_data["role"],
                node=form.cleaned_data["node"],
                request=request,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Role granted."))
            return _back_to(request, user)
    context = _detail_context(request, user, grant_form=form)
    template = "accounts/manage_detail.html#grant-form" if request.htmx else "accounts/manage_detail.html"
    return render(request, template, context, status=422)


@login_required
@require_POST
def manage_end_role(request, user_id, role_id):
    _require_administrator(request)
    user = selectors.user_administrable_or_404(actor=request.user, public_id=user_id, request=request)
    assignment = selectors.assignment_or_404(actor=request.user, user=user, public_id=role_id)
    try:
        services.role_end(actor=request.user, assignment=assignment, request=request)
    except DomainError as exc:
        if exc.status == 403:
            raise DjangoPermissionDenied from exc
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Role ended."))
    return _back_to(request, user)


def _status_change(request, user_id, service, done: str):
    _require_administrator(request)
    user = selectors.user_administrable_or_404(actor=request.user, public_id=user_id, request=request)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        service(actor=request.user, user=user, reason=reason, request=request)
    except DomainError as exc:
        if exc.status == 403:
            raise DjangoPermissionDenied from exc
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return _back_to(request, user)


@login_required
@require_POST
def manage_disable(request, user_id):
    return _status_change(
        request, user_id, services.user_disable, _("Account disabled. Its sessions and tokens have ended.")
    )


@login_required
@require_POST
def manage_enable(request, user_id):
    return _status_change(request, user_id, services.user_enable, _("Account enabled."))


@login_required
@require_POST
def manage_reset_password(request, user_id):
    _require_administrator(request)
    user = selectors.user_administrable_or_404(actor=request.user, public_id=user_id, request=request)
    form = PasswordResetForm(user, request.POST)
    if form.is_valid():
        try:
            services.user_set_password(
                actor=request.user, user=user, password=form.cleaned_data["new_password1"], request=request
            )
        except DomainError as exc:
            if exc.status == 403:
                raise DjangoPermissionDenied from exc
            form.add_error("new_password1", str(exc.message))
        else:
            messages.success(request, _("Password reset. Give the new password to its owner in person."))
            return _back_to(request, user)
    context = _detail_context(request, user, password_form=form)
    template = "accounts/manage_detail.html#password-form" if request.htmx else "accounts/manage_detail.html"
    return render(request, template, context, status=422)


@login_required
@require_POST
def manage_reset_two_factor(request, user_id):
    _require_administrator(request)
    user = selectors.user_administrable_or_404(actor=request.user, public_id=user_id, request=request)
    try:
        services.two_factor_reset(actor=request.user, user=user, request=request)
    except DomainError as exc:
        raise DjangoPermissionDenied from exc
    messages.success(request, _("Two-factor authentication removed; its owner can set it up again."))
    return _back_to(request, user)
