DROP TABLE notification_outbox;
DROP TABLE user_history;
DROP TABLE user_otp;
DROP TABLE user_login_failure;
DROP TABLE user_token;
DROP TABLE user_role;
DROP TABLE user_account;

CREATE TABLE user_account (
    id               bigserial PRIMARY KEY,
    uuid             uuid NOT NULL UNIQUE,
    tenant_id        text NOT NULL REFERENCES mdms_tenant (code),
    user_name        text NOT NULL CHECK (user_name <> ''),
    user_type        text NOT NULL CHECK (user_type IN ('EMPLOYEE', 'CITIZEN', 'SYSTEM')),
    name             text NOT NULL CHECK (name <> ''),
    mobile_number    text CHECK (mobile_number ~ '^[0-9]{10}$'),
    password_hash    text,
    active           boolean NOT NULL DEFAULT true,
    default_pwd_chgd boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, user_type, user_name)
);
CREATE TABLE user_role (
    user_id   bigint NOT NULL REFERENCES user_account (id) ON DELETE CASCADE,
    role_code text NOT NULL REFERENCES mdms_role (code),
    tenant_id text NOT NULL REFERENCES mdms_tenant (code),
    PRIMARY KEY (user_id, tenant_id, role_code)
);
CREATE TABLE user_token (
    token_hash bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    user_id    bigint NOT NULL REFERENCES user_account (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('access', 'refresh')),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    CHECK (expires_at > created_at)
);
