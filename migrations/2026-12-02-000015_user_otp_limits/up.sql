-- Identity hardening after the security review (issue 10).

-- Who asked for each OTP, as a keyed hash (HMAC with the PII index key) of the client address:
-- register OTPs are limited per address and in all, per hour. The address itself is never kept.
ALTER TABLE user_otp ADD COLUMN client_hash bytea CHECK (octet_length(client_hash) = 32);
CREATE INDEX user_otp_register ON user_otp (created_at) WHERE purpose = 'register';
CREATE INDEX user_otp_register_client ON user_otp (client_hash, created_at)
    WHERE purpose = 'register';

-- Failed logins on user names without an account, keyed as accounts are found (tenant, type,
-- keyed hash of the user name), so that their lockout answers exactly like a real account's.
-- No account is created; rows past the lockout window are pruned as new failures come.
CREATE TABLE user_login_failure_unknown (
    id             bigserial PRIMARY KEY,
    tenant_id      text NOT NULL CHECK (char_length(tenant_id) BETWEEN 1 AND 256),
    user_type      text NOT NULL CHECK (user_type IN ('EMPLOYEE', 'CITIZEN', 'SYSTEM')),
    user_name_hash bytea NOT NULL CHECK (octet_length(user_name_hash) = 32),
    at             timestamptz NOT NULL
);
CREATE INDEX user_login_failure_unknown_key
    ON user_login_failure_unknown (user_name_hash, tenant_id, user_type, at);
CREATE INDEX user_login_failure_unknown_at ON user_login_failure_unknown (at);

-- The lock of such a name, as `user_account.locked_until` is a real account's.
CREATE TABLE user_login_lock_unknown (
    tenant_id      text NOT NULL CHECK (char_length(tenant_id) BETWEEN 1 AND 256),
    user_type      text NOT NULL CHECK (user_type IN ('EMPLOYEE', 'CITIZEN', 'SYSTEM')),
    user_name_hash bytea NOT NULL CHECK (octet_length(user_name_hash) = 32),
    locked_until   timestamptz NOT NULL,
    PRIMARY KEY (user_name_hash, tenant_id, user_type)
);
CREATE INDEX user_login_lock_unknown_until ON user_login_lock_unknown (locked_until);

-- Token families: every token issued from one login, and from the refreshes that follow it,
-- shares a family. A refresh token is marked rotated when it is traded; a rotated one that
-- comes back was copied, and the whole family is revoked. Tokens issued before this migration
-- get the family of their pair.
ALTER TABLE user_token ADD COLUMN family_id uuid;
ALTER TABLE user_token ADD COLUMN rotated_at timestamptz;
UPDATE user_token SET family_id = md5(encode(coalesce(pair_hash, token_hash), 'hex'))::uuid;
ALTER TABLE user_token ALTER COLUMN family_id SET NOT NULL;
ALTER TABLE user_token ADD CONSTRAINT user_token_rotated_check
    CHECK (rotated_at IS NULL OR (kind = 'refresh' AND revoked_at IS NOT NULL));
CREATE INDEX user_token_family ON user_token (family_id) WHERE revoked_at IS NULL;
