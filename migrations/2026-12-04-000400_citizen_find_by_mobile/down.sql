DROP INDEX property_owner_mobile;
DROP INDEX user_otp_households_client;
DROP INDEX user_otp_households;
DELETE FROM user_otp WHERE purpose = 'households';
ALTER TABLE user_otp DROP CONSTRAINT user_otp_purpose_check;
ALTER TABLE user_otp ADD CONSTRAINT user_otp_purpose_check
    CHECK (purpose IN ('register', 'login', 'passwordreset'));
