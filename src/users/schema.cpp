// Users, sessions, addresses and saved payment methods (200s).
// Schema migrations: never edit one that has shipped, add a new one
// (src/schema.h lists every module's and the version ranges).
#include "users/user_store.h"

namespace shopbox {

const std::vector<Migration>& user_migrations() {
  static const std::vector<Migration> migrations = {
      {201, "users",
       R"sql(
-- Accounts. email is unique case-insensitively (COLLATE NOCASE on the
-- column makes both the index and every lookup fold ASCII case).
CREATE TABLE users (
  user_id        INTEGER PRIMARY KEY,
  email          TEXT NOT NULL COLLATE NOCASE UNIQUE,
  password_hash  TEXT NOT NULL,                   -- "scrypt$ln=..$r=..$p=..$<salt>$<hash>"
  first_name     TEXT NOT NULL DEFAULT '',
  last_name      TEXT NOT NULL DEFAULT '',
  phone          TEXT,
  preferences    TEXT NOT NULL DEFAULT '{}',      -- JSON object
  role           TEXT NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'admin')),
  email_verified INTEGER NOT NULL DEFAULT 0,
  account_status TEXT NOT NULL DEFAULT 'active' CHECK (account_status IN ('active', 'disabled')),
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  last_login     INTEGER
);

-- Sessions: only the SHA-256 of the 256-bit token is stored.
CREATE TABLE sessions (
  session_id  INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
  token_hash  TEXT NOT NULL UNIQUE,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  revoked_at  INTEGER,
  ip          TEXT NOT NULL DEFAULT '',
  user_agent  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX idx_sessions_user ON sessions(user_id);
CREATE INDEX idx_sessions_expires ON sessions(expires_at);

CREATE TABLE user_addresses (
  address_id          INTEGER PRIMARY KEY,
  user_id             INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
  name                TEXT NOT NULL,
  street              TEXT NOT NULL,
  city                TEXT NOT NULL,
  state               TEXT NOT NULL DEFAULT '',
  zip                 TEXT NOT NULL DEFAULT '',
  country             TEXT NOT NULL CHECK (length(country) = 2),
  phone               TEXT,
  address_type        TEXT NOT NULL DEFAULT 'both' CHECK (address_type IN ('shipping', 'billing', 'both')),
  is_default_shipping INTEGER NOT NULL DEFAULT 0,
  is_default_billing  INTEGER NOT NULL DEFAULT 0,
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL
);
CREATE INDEX idx_user_addresses_user ON user_addresses(user_id);
CREATE UNIQUE INDEX idx_user_addresses_default_shipping ON user_addresses(user_id) WHERE is_default_shipping = 1;
CREATE UNIQUE INDEX idx_user_addresses_default_billing ON user_addresses(user_id) WHERE is_default_billing = 1;

-- Tokenized payment methods: never a card number, only the gateway's token
-- and what a shopper needs to recognise the card.
CREATE TABLE payment_methods (
  payment_method_id INTEGER PRIMARY KEY,
  user_id           INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
  method_type       TEXT NOT NULL DEFAULT 'card',
  payment_token     TEXT NOT NULL,
  last_four         TEXT NOT NULL CHECK (length(last_four) = 4),
  brand             TEXT NOT NULL,
  expiry_month      INTEGER NOT NULL CHECK (expiry_month BETWEEN 1 AND 12),
  expiry_year       INTEGER NOT NULL,
  is_default        INTEGER NOT NULL DEFAULT 0,
  created_at        INTEGER NOT NULL
);
CREATE INDEX idx_payment_methods_user ON payment_methods(user_id);
CREATE UNIQUE INDEX idx_payment_methods_default ON payment_methods(user_id) WHERE is_default = 1;
)sql"},
      {202, "password reset and email verification tokens",
       R"sql(
-- Single-use tokens mailed to an account's email: a password reset (valid
-- 30 minutes) or an email verification (valid 3 days). Only the SHA-256 of
-- the 256-bit token is stored. `email` is the address the token was sent
-- to: verifying proves that address, not whatever the account says later.
CREATE TABLE account_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
  purpose    TEXT NOT NULL CHECK (purpose IN ('password_reset', 'verify_email')),
  email      TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER
);
CREATE INDEX idx_account_tokens_user ON account_tokens(user_id, purpose);
)sql"},
      {203, "staff roles",
       R"sql(
-- What an admin account may do (http/permissions.h): NULL for customers.
-- users.role stays 'admin' for every staff member, so "is this an admin"
-- keeps one answer; admin_role says which kind. The admins that exist
-- today ran the whole shop: they become owners.
ALTER TABLE users ADD COLUMN admin_role TEXT CHECK (admin_role IN ('owner', 'staff', 'fulfilment'));
UPDATE users SET admin_role = 'owner' WHERE role = 'admin';
)sql"},
      {204, "API key scopes",
       R"sql(
-- An API key's permissions: a JSON array of permission names. NULL is an
-- owner key (every permission): the tokens that exist today and the CLI's
-- `shopbox token create --admin`. last_used_at is written at most once a
-- minute per key, so using a key costs no write on every request.
ALTER TABLE api_tokens ADD COLUMN scopes TEXT;
ALTER TABLE api_tokens ADD COLUMN last_used_at INTEGER;
)sql"},
  };
  return migrations;
}

}  // namespace shopbox
