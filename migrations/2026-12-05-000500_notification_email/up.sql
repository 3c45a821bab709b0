-- E-mail in the notification outbox (channel 'EMAIL', allowed since the table was made). Each
-- attempt's time, the SMTP server's answer and the reason of a failure are kept with the message;
-- the columns are shared with the SMS delivery (its migration may have added them: IF NOT EXISTS).
ALTER TABLE notification_outbox
    ADD COLUMN IF NOT EXISTS attempted_at    timestamptz,
    ADD COLUMN IF NOT EXISTS provider_answer text,
    ADD COLUMN IF NOT EXISTS reason          text;

-- A GP's e-mail address in the tenant master (optional column email_id of tenants.csv), for the
-- monthly summary.
ALTER TABLE mdms_tenant ADD COLUMN email_id text CHECK (email_id IS NULL OR email_id LIKE '_%@_%');
