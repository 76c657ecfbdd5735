-- People, their roles, API accounts, sessions and one-time links.

CREATE TABLE users (
  id                 text PRIMARY KEY,            -- UUID
  email              text NOT NULL UNIQUE,        -- stored lower-cased
  password_hash      text,                        -- scrypt; null until an invited person signs up
  status             smallint NOT NULL DEFAULT 2, -- 0 deactivated, 1 activated, 2 pending
  expires_on         date,                        -- temporary access ends at the end of this day (UTC)
  default_tenant_id  text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);

-- One role per user per scope. tenant_id '' is the host (agency) scope.
CREATE TABLE user_roles (
  user_id     text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  tenant_id   text NOT NULL DEFAULT '',
  action      text NOT NULL CHECK (action IN ('admin', 'manage', 'view')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, tenant_id)
);
CREATE INDEX user_roles_tenant ON user_roles (tenant_id);

-- API accounts exchange client credentials for 10-hour bearer tokens. Secrets are stored hashed.
CREATE TABLE api_accounts (
  id            text PRIMARY KEY,
  name          text NOT NULL UNIQUE,
  secret_hash   text NOT NULL,
  created_by    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz
);

-- Browser sessions; only a hash of the cookie value is stored.
CREATE TABLE sessions (
  id_hash       text PRIMARY KEY,
  user_id       text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Invitation and password-reset links; only a hash of the token is stored.
CREATE TABLE auth_links (
  token_hash   text PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('invitation', 'password_reset')),
  user_id      text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  tenant_id    text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  used_at      timestamptz
);
CREATE INDEX auth_links_user ON auth_links (user_id);

-- Failed logins per key (email and client IP), for throttling across instances.
CREATE TABLE login_failures (
  key                text PRIMARY KEY,
  failures           integer NOT NULL,
  window_started_at  timestamptz NOT NULL
);

-- The gateway's registration with Meta (OpenBridge) per pixel, and whether the token was checked.
ALTER TABLE pixels ADD COLUMN openbridge_id text;
