-- A household finds its connections by the holder's mobile number and a one-time code (the
-- citizen pages, issue 15): a fourth OTP purpose, limited per client address and in all like
-- register (it reaches any number), and the holders' current numbers searchable across GPs.
ALTER TABLE user_otp DROP CONSTRAINT user_otp_purpose_check;
ALTER TABLE user_otp ADD CONSTRAINT user_otp_purpose_check
    CHECK (purpose IN ('register', 'login', 'passwordreset', 'households'));
CREATE INDEX user_otp_households ON user_otp (created_at) WHERE purpose = 'households';
CREATE INDEX user_otp_households_client ON user_otp (client_hash, created_at)
    WHERE purpose = 'households';
CREATE INDEX property_owner_mobile ON property (owner_mobile_hash);
