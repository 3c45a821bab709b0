DROP INDEX notification_outbox_month;
DROP INDEX notification_outbox_leased;
ALTER TABLE notification_outbox
    DROP CONSTRAINT notification_outbox_status,
    DROP CONSTRAINT notification_outbox_sent_at,
    DROP CONSTRAINT notification_outbox_claim,
    DROP CONSTRAINT notification_outbox_reason,
    DROP CONSTRAINT notification_outbox_attempted;
UPDATE notification_outbox SET status = 'SENT' WHERE status = 'RECORDED';
UPDATE notification_outbox SET status = 'PENDING' WHERE status = 'SENDING';
UPDATE notification_outbox SET status = 'FAILED' WHERE status IN ('GAVE_UP', 'SKIPPED');
ALTER TABLE notification_outbox
    DROP COLUMN claim_id,
    DROP COLUMN claimed_until,
    DROP COLUMN attempted_at,
    DROP COLUMN provider_message_id,
    DROP COLUMN provider_answer,
    DROP COLUMN reason,
    ADD CONSTRAINT notification_outbox_status_check CHECK (status IN ('PENDING', 'SENT', 'FAILED')),
    ADD CONSTRAINT notification_outbox_check CHECK ((status = 'SENT') = (sent_at IS NOT NULL));
