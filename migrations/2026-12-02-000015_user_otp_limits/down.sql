DROP TABLE user_login_lock_unknown;
DROP TABLE user_login_failure_unknown;

DROP INDEX user_otp_register_client;
DROP INDEX user_otp_register;
ALTER TABLE user_otp DROP COLUMN client_hash;
