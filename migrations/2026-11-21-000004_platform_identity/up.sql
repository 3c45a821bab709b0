-- Identity (platform::user, platform::notification): people's names, mobile numbers and e-mail
-- are stored encrypted (AEAD, key id prefixed), with keyed hashes (HMAC) where a lookup is
-- needed. Lockout, one-time passwords, refresh tokens, an audit history of user changes, and the
-- notification outbox. Replaces the minimal user tables of the foundation (no data existed).

DROP TABLE user_token;
DROP TABLE user_role;
DROP TABLE user_account;

CREATE TABLE user_account (
    id                         bigserial PRIMARY KEY,
    uuid                       uuid NOT NULL UNIQUE,
    tenant_id                  text NOT NULL REFERENCES mdms_tenant (code),
    user_type                  text NOT NULL CHECK (user_type IN ('EMPLOYEE', 'CITIZEN', 'SYSTEM')),
    user_name_hash             bytea NOT NULL CHECK (octet_length(user_name_hash) = 32),
    user_name_enc              text NOT NULL,
    name_enc                   text NOT NULL,
    mobile_hash                bytea CHECK (octet_length(mobile_hash) = 32),
    mobile_enc                 text,
    email_enc                  text,
    father_or_husband_name_enc text,
    gender                     text CHECK (gender IN ('MALE', 'FEMALE', 'TRANSGENDER', 'OTHERS')),
    locale                     text CHECK (locale IN ('en_IN', 'hi_IN', 'pa_IN')),
    password_hash              text,
    default_pwd_chgd           boolean NOT NULL DEFAULT false,
    pwd_expiry_at              timestamptz,
    active                     boolean NOT NULL DEFAULT true,
    locked_until               timestamptz,
    created_by                 uuid,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    last_modified_by           uuid,
    last_modified_at           timestamptz NOT NULL DEFAULT now(),
    CHECK ((mobile_hash IS NULL) = (mobile_enc IS NULL)),
    UNIQUE (tenant_id, user_type, user_name_hash)
);
CREATE INDEX user_account_mobile ON user_account (mobile_hash);

CREATE TABLE user_role (
    user_id   bigint NOT NULL REFERENCES user_account (id) ON DELETE CASCADE,
    role_code text NOT NULL REFERENCES mdms_role (code),
    tenant_id text NOT NULL REFERENCES mdms_tenant (code),
    PRIMARY KEY (user_id, tenant_id, role_code)
);
CREATE INDEX user_role_tenant ON user_role (tenant_id, role_code);

CREATE TABLE user_token (
    token_hash  bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    user_id     bigint NOT NULL REFERENCES user_account (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('access', 'refresh')),
    -- A refresh token names the access token issued with it, so both end together.
    pair_hash   bytea CHECK (octet_length(pair_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX user_token_user ON user_token (user_id);

-- Failed password attempts, for the lockout rule (N failures in a window lock the account).
CREATE TABLE user_login_failure (
    id      bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES user_account (id) ON DELETE CASCADE,
    at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_login_failure_user ON user_login_failure (user_id, at);

-- One-time passwords: only a keyed hash of the code is kept.
CREATE TABLE user_otp (
    id          bigserial PRIMARY KEY,
    tenant_id   text NOT NULL REFERENCES mdms_tenant (code),
    mobile_hash bytea NOT NULL CHECK (octet_length(mobile_hash) = 32),
    purpose     text NOT NULL CHECK (purpose IN ('register', 'login', 'passwordreset')),
    code_hash   bytea NOT NULL CHECK (octet_length(code_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    attempts    integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    used_at     timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX user_otp_mobile ON user_otp (mobile_hash, created_at);

-- Every change to a user or its roles: who, when, what (field names and role codes, no PII).
CREATE TABLE user_history (
    id         bigserial PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES user_account (id) ON DELETE CASCADE,
    tenant_id  text NOT NULL REFERENCES mdms_tenant (code),
    action     text NOT NULL CHECK (action <> ''),
    detail     jsonb NOT NULL DEFAULT '{}'::jsonb,
    changed_by uuid,
    changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_history_user ON user_history (user_id, changed_at);
CREATE INDEX user_history_tenant ON user_history (tenant_id, changed_at);

-- Messages to send (SMS, e-mail), written in the transaction that caused them and delivered by
-- a job through the configured adapter. Recipient and text are encrypted (an OTP is in the text).
CREATE TABLE notification_outbox (
    id              bigserial PRIMARY KEY,
    tenant_id       text NOT NULL REFERENCES mdms_tenant (code),
    channel         text NOT NULL CHECK (channel IN ('SMS', 'EMAIL')),
    template        text NOT NULL CHECK (template <> ''),
    recipient_hash  bytea NOT NULL CHECK (octet_length(recipient_hash) = 32),
    recipient_enc   text NOT NULL,
    body_enc        text NOT NULL,
    status          text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SENT', 'FAILED')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error      text,
    provider        text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    CHECK ((status = 'SENT') = (sent_at IS NOT NULL))
);
CREATE INDEX notification_outbox_pending ON notification_outbox (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX notification_outbox_recipient ON notification_outbox (recipient_hash, created_at);
