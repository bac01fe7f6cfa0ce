"""Accounts: login with lockout, logout, password change and reset by email; error pages; security headers."""

import datetime
import re
import uuid

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from tests import factories
from thiduakt import errors
from thiduakt.accounts.forms import AdminLoginForm

LOCKED_OUT_TEXT = "Bạn đã đăng nhập sai quá nhiều lần"
NEW_PASSWORD = "hoa-sen-nở-giữa-hè-2026"


def _unique_ip() -> str:
    # The cache (Redis) outlives a test and is shared by parallel workers: each test gets its own address
    # and usernames, so counters never leak from one test into another.
    n = uuid.uuid4().int
    return f"10.{n % 250}.{n // 250 % 250}.{n // 62500 % 250 + 1}"


def _unique_username(prefix="canbo") -> str:
    return f"{prefix}.{uuid.uuid4().hex[:10]}"


@pytest.fixture
def ip():
    return _unique_ip()


@pytest.fixture
def web(ip):
    return Client(REMOTE_ADDR=ip)


@pytest.fixture
def account(db):
    return factories.make_user(_unique_username())


def _login(client, username, password=factories.PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def _is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def _fail(client, username, times):
    for _ in range(times):
        response = _login(client, username, "sai-mat-khau")
        assert response.status_code == 200
    return response


# Login and lockout


def test_login_lands_on_home(web, account):
    response = _login(web, account.username)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert _is_logged_in(web)


def test_login_page_shows_labelled_fields(web, db):
    response = web.get(reverse("login"))
    content = response.content.decode()
    assert response.status_code == 200
    assert '<label class="form-label" for="id_username">' in content
    assert '<label class="form-label" for="id_password">' in content


def test_wrong_password_is_refused_with_the_error_on_the_form(web, account):
    response = _login(web, account.username, "sai-mat-khau")
    assert response.status_code == 200
    assert not _is_logged_in(web)
    assert response.context["form"].errors["__all__"]
    assert 'class="alert alert-danger"' in response.content.decode()


def test_after_max_failures_even_the_right_password_is_refused(web, account):
    assert settings.LOGIN_MAX_FAILURES == 5
    last = _fail(web, account.username, 5)
    assert LOCKED_OUT_TEXT in last.content.decode()

    response = _login(web, account.username)
    assert response.status_code == 200
    assert not _is_logged_in(web)
    content = response.content.decode()
    assert LOCKED_OUT_TEXT in content
    expected_end = timezone.localtime() + datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    assert re.search(r"\d\d:\d\d \d\d/\d\d/\d{4}", content), "the message says when to try again"
    assert expected_end.strftime("%d/%m/%Y") in content


def test_the_lockout_follows_the_username_to_another_address(account):
    _fail(Client(REMOTE_ADDR=_unique_ip()), account.username, 5)
    other = Client(REMOTE_ADDR=_unique_ip())
    response = _login(other, account.username)
    assert LOCKED_OUT_TEXT in response.content.decode()
    assert not _is_logged_in(other)


def test_the_lockout_follows_the_address_to_other_usernames(web, account, settings):
    assert settings.LOGIN_MAX_FAILURES_PER_ADDRESS == 30  # an office may share one address: 30, not 5
    for _ in range(30):
        _login(web, _unique_username("khongco"), "sai-mat-khau")
    response = _login(web, account.username)
    assert LOCKED_OUT_TEXT in response.content.decode()
    assert not _is_logged_in(web)

    elsewhere = Client(REMOTE_ADDR=_unique_ip())
    assert _login(elsewhere, account.username).status_code == 302


def test_unknown_usernames_are_locked_out_like_real_ones(web, db):
    last = _fail(web, _unique_username("khongco"), 5)
    assert LOCKED_OUT_TEXT in last.content.decode()


def test_the_lockout_expires(web, account):
    with time_machine.travel(timezone.now()) as traveller:
        _fail(web, account.username, 5)
        traveller.shift(datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES - 1))
        assert LOCKED_OUT_TEXT in _login(web, account.username).content.decode()
        traveller.shift(datetime.timedelta(minutes=2))
        response = _login(web, account.username)
    assert response.status_code == 302
    assert _is_logged_in(web)


def test_a_successful_login_resets_the_username_counter(account):
    first = Client(REMOTE_ADDR=_unique_ip())
    _fail(first, account.username, 4)
    assert _login(first, account.username).status_code == 302

    second = Client(REMOTE_ADDR=_unique_ip())
    _fail(second, account.username, 4)
    assert _login(second, account.username).status_code == 302


def test_the_admin_login_form_honours_the_lockout(ip, db):
    staff = factories.make_user(_unique_username("quantri"), is_staff=True)
    _fail(Client(REMOTE_ADDR=ip), staff.username, 5)
    request = RequestFactory().post("/admin/login/", REMOTE_ADDR=ip)
    form = AdminLoginForm(request, data={"username": staff.username, "password": factories.PASSWORD})
    assert not form.is_valid()
    assert form.has_error("__all__", code="locked_out")


def test_a_lockout_is_audited(web, account):
    _fail(web, account.username, 5)
    event = AuditEvent.objects.get(verb="account.locked_out", object_id=str(account.pk))
    assert event.data["scope"] == "username"
    assert event.data["username"] == account.username


# Logout


def test_logout_needs_post(web, account):
    web.force_login(account)
    assert web.get(reverse("logout")).status_code == 405
    assert _is_logged_in(web)

    response = web.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert not _is_logged_in(web)


# Password change


def test_password_change_needs_login(web, db):
    response = web.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_password_change_sets_the_password_and_is_audited(web, account):
    web.force_login(account)
    response = web.post(
        reverse("password_change"),
        {"old_password": factories.PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD)
    assert web.get(reverse("password_change_done")).status_code == 200, "the session survives the change"
    event = AuditEvent.objects.get(verb="account.password_changed", actor=account)
    assert event.data == {"via": "change"}
    assert NEW_PASSWORD not in str(event.data)


def test_password_change_with_a_wrong_old_password_shows_the_error_next_to_the_field(web, account):
    web.force_login(account)
    response = web.post(
        reverse("password_change"),
        {"old_password": "sai-mat-khau", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="id_old_password_error"' in content
    assert 'aria-describedby="id_old_password_error"' in content
    account.refresh_from_db()
    assert account.check_password(factories.PASSWORD)
    assert not AuditEvent.objects.filter(verb="account.password_changed").exists()


# Password reset


def test_password_reset_mails_a_link_that_sets_a_new_password(web, account):
    response = web.post(reverse("password_reset"), {"email": account.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [account.email]
    assert "mật khẩu" in message.subject.lower()

    link = re.search(r"https?://[^/\s]+(/\S+/reset/\S+/)", message.body).group(1)
    form_page = web.get(link, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"]
    set_password_url = form_page.redirect_chain[-1][0]
    response = web.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_complete")
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(verb="account.password_changed", actor=account)
    assert event.data == {"via": "reset"}

    assert web.get(link, follow=True).context["validlink"] is False, "the link works once"


def test_password_reset_clears_a_username_lockout(account):
    _fail(Client(REMOTE_ADDR=_unique_ip()), account.username, 5)
    web = Client(REMOTE_ADDR=_unique_ip())
    web.post(reverse("password_reset"), {"email": account.email})
    link = re.search(r"https?://[^/\s]+(/\S+/reset/\S+/)", mail.outbox[0].body).group(1)
    set_password_url = web.get(link, follow=True).redirect_chain[-1][0]
    web.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert _login(web, account.username, NEW_PASSWORD).status_code == 302


def test_password_reset_for_an_unknown_email_looks_the_same_and_sends_nothing(web, account):
    known = web.post(reverse("password_reset"), {"email": account.email}, follow=True)
    mail.outbox.clear()
    unknown = web.post(reverse("password_reset"), {"email": "khong.ton.tai@example.vn"}, follow=True)
    assert unknown.status_code == known.status_code == 200
    assert unknown.redirect_chain == known.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert unknown.templates[0].name == known.templates[0].name
    assert mail.outbox == []


def test_an_invalid_reset_link_says_so(web, db):
    response = web.get(reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "sai"}))
    assert response.status_code == 200
    assert response.context["validlink"] is False
    assert "Liên kết này không hợp lệ" in response.content.decode()


# Error pages


def test_404_page_is_vietnamese(web, db):
    response = web.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    content = response.content.decode()
    assert '<html lang="vi">' in content
    assert "Không tìm thấy trang" in content


def test_403_page_is_vietnamese(as_persona):
    response = as_persona("officer_a").get(reverse("role_list"))
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.content.decode()


def test_an_expired_form_gets_the_vietnamese_403_page(db, ip):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=ip)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    content = response.content.decode()
    assert "Không có quyền truy cập" in content
    assert "Biểu mẫu đã hết hạn" in content


def test_500_page_renders_without_a_request_context():
    # No db fixture: pytest-django refuses any query, so this also proves the page never touches the database.
    response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    content = response.content.decode()
    assert "Lỗi máy chủ" in content
    assert "bootstrap.min.css" in content


# Security headers


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (reverse("login"), 200),
        (reverse("home"), 302),
        ("/khong-co-trang-nay/", 404),
        ("/static/css/app.css", 200),
    ],
)
def test_every_response_carries_csp_and_frame_options(web, db, path, status):
    response = web.get(path)
    response.close()  # WhiteNoise streams static files from an open file
    assert response.status_code == status
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in response["Content-Security-Policy"]
    if path.startswith("/static/"):
        return  # a stylesheet cannot be framed; X-Frame-Options is for documents
    assert response["X-Frame-Options"] == "DENY"


def test_session_and_csrf_cookies_are_hardened(web, account):
    _login(web, account.username)
    session_cookie = web.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["httponly"]
    assert session_cookie["samesite"] == "Lax"
    assert settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
