DROP TABLE user_login_lock_unknown;
DROP TABLE user_login_failure_unknown;
