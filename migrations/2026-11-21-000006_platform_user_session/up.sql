-- Server-side sessions of the staff pages (platform::user): the cookie holds a random id, the
-- table its hash and the GP the person chose to work on.
CREATE TABLE user_session (
    id_hash      bytea PRIMARY KEY CHECK (octet_length(id_hash) = 32),
    user_id      bigint NOT NULL REFERENCES user_account (id) ON DELETE CASCADE,
    tenant_id    text REFERENCES mdms_tenant (code),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    CHECK (expires_at > created_at)
);
CREATE INDEX user_session_user ON user_session (user_id);
