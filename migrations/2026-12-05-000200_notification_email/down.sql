ALTER TABLE mdms_tenant DROP COLUMN email_id;
ALTER TABLE notification_outbox DROP COLUMN IF EXISTS provider_reply;
