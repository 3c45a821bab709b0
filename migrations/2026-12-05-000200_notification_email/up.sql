-- E-mail in the notification outbox: the SMTP server's answer kept with each message (the column
-- is shared with the SMS providers' answers, hence IF NOT EXISTS), and a GP's e-mail address in
-- the tenant master (tenants.csv column email_id) for the monthly summary.
ALTER TABLE notification_outbox ADD COLUMN IF NOT EXISTS provider_reply text;
ALTER TABLE mdms_tenant ADD COLUMN email_id text CHECK (email_id IS NULL OR email_id LIKE '_%@_%');
