import pytest

from config import ProductionConfig, database_url
from network.national.app import create_app


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", None)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_production_refuses_a_database_other_than_postgresql(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "x" * 32)
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", "sqlite:///x.db")
    with pytest.raises(RuntimeError, match="runs on PostgreSQL only"):
        create_app(ProductionConfig)


def test_production_needs_a_database_url(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "x" * 32)
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", None)
    with pytest.raises(RuntimeError, match="set DATABASE_URL"):
        create_app(ProductionConfig)


def test_production_serves_as_the_runtime_login_and_migrates_as_the_owner(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "x" * 32)
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", "postgresql+psycopg://rede_app_login:s@db/rede")
    monkeypatch.setattr(ProductionConfig, "MIGRATION_DATABASE_URI", "postgresql+psycopg://rede_owner:t@db/rede")
    app = create_app(ProductionConfig)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://rede_app_login:s@db/rede"
    assert app.config["SQLALCHEMY_BINDS"]["owner"] == "postgresql+psycopg://rede_owner:t@db/rede"
    # The owner's URL as the app's: refused, RESET ROLE would lead back to the owner.
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", "postgresql+psycopg://rede_owner:t@db/rede")
    with pytest.raises(RuntimeError, match="logs in as the owner"):
        create_app(ProductionConfig)


def test_outside_production_one_url_is_the_owner_and_the_app_logs_in_beside_it():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:5432/x",
                      "MIGRATION_DATABASE_URI": None})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://rede_app_login@127.0.0.1:5432/x"
    assert app.config["SQLALCHEMY_BINDS"]["owner"] == "postgresql+psycopg://postgres@127.0.0.1:5432/x"


def test_production_cookies_are_secure():
    assert ProductionConfig.SESSION_COOKIE_SECURE and ProductionConfig.SESSION_COOKIE_HTTPONLY
    assert ProductionConfig.SESSION_PROTECTION == "strong"


def test_plain_postgres_urls_use_psycopg_3():
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url(None) is None


def test_unknown_environment_is_refused(monkeypatch):
    monkeypatch.setenv("APP_ENV", "staging")
    with pytest.raises(RuntimeError, match="APP_ENV"):
        create_app()
