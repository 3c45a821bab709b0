DROP TABLE user_token;
DROP TABLE user_role;
DROP TABLE user_account;
