DROP INDEX user_token_family;
ALTER TABLE user_token DROP CONSTRAINT user_token_rotated_check;
ALTER TABLE user_token DROP COLUMN rotated_at;
ALTER TABLE user_token DROP COLUMN family_id;

DROP TABLE user_login_lock_unknown;
DROP TABLE user_login_failure_unknown;

DROP INDEX user_otp_register_client;
DROP INDEX user_otp_register;
ALTER TABLE user_otp DROP COLUMN client_hash;
