-- Who may log in. Users themselves are declared in Git; only their secrets live here, and only as
-- hashes: a password as a bcrypt string, a session or API token as the SHA-256 of its random value.

CREATE TABLE user_passwords (
    user_name  text        PRIMARY KEY,
    hash       text        NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE sessions (
    token_hash   text        PRIMARY KEY,
    user_name    text        NOT NULL,
    csrf_token   text        NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_name);

CREATE TABLE api_tokens (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_name    text        NOT NULL,
    name         text        NOT NULL,
    prefix       text        NOT NULL,
    token_hash   text        NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_name, id DESC);

-- One-time links that let a user set a first password; used_at is set when one is spent.
CREATE TABLE password_links (
    token_hash text        PRIMARY KEY,
    user_name  text        NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
