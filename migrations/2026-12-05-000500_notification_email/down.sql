ALTER TABLE mdms_tenant DROP COLUMN email_id;
-- attempted_at, provider_answer and reason stay: the SMS delivery shares them.
