import pytest

from linli.test import PASSWORD, build_world


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """The manifest storage needs collectstatic; tests serve static files from the source."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Argon2 is deliberately slow; the tests create many accounts. Production hashing is
    checked in accounts' tests with the real setting."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def login(client):
    """login(user) logs the Django test client in as that user and returns the client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def english_messages(request, settings):
    """Assertions on messages read English: the site's default language is English in unit
    tests (users who never chose follow the default). The browser flows keep Chinese, the
    real default, and tests of the default set it back themselves."""
    from django.utils import translation

    if request.node.get_closest_marker("e2e"):
        yield
        return
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fresh_locate_index():
    """Each test has its own database: the process-wide locate index must not carry
    boundaries over from the previous test."""
    from linli.territory import locate

    locate.reset_index()
    yield
    locate.reset_index()
