-- Reliable delivery of the outbox (issue 16). A worker claims due rows (FOR UPDATE SKIP LOCKED)
-- by writing a claim id and a lease, commits, calls the provider, then marks each row with the
-- provider's answer. A row whose lease ran out (the worker died) is claimed again.
ALTER TABLE notification_outbox
    DROP CONSTRAINT notification_outbox_status_check,
    DROP CONSTRAINT notification_outbox_check,
    ADD COLUMN claim_id            uuid,
    ADD COLUMN claimed_until       timestamptz,
    ADD COLUMN attempted_at        timestamptz,
    ADD COLUMN provider_message_id text,
    ADD COLUMN provider_answer     text,
    ADD COLUMN reason              text;

-- What the record adapter called sent was only recorded; what failed 8 times gave up.
UPDATE notification_outbox SET status = 'RECORDED' WHERE status = 'SENT' AND provider = 'record';
UPDATE notification_outbox
   SET status = 'GAVE_UP', reason = coalesce(last_error, 'gave up')
 WHERE status = 'FAILED';
UPDATE notification_outbox SET attempted_at = coalesce(sent_at, created_at) WHERE attempts > 0;

ALTER TABLE notification_outbox
    ADD CONSTRAINT notification_outbox_status CHECK (status IN
        ('PENDING', 'SENDING', 'SENT', 'RECORDED', 'FAILED', 'GAVE_UP', 'SKIPPED')),
    -- Sent or recorded exactly when it has a time of sending.
    ADD CONSTRAINT notification_outbox_sent_at CHECK ((status IN ('SENT', 'RECORDED')) = (sent_at IS NOT NULL)),
    -- A message being sent is held by one claim with a lease, and only then.
    ADD CONSTRAINT notification_outbox_claim CHECK ((status = 'SENDING') = (claim_id IS NOT NULL AND claimed_until IS NOT NULL)),
    -- Every end other than success says why.
    ADD CONSTRAINT notification_outbox_reason CHECK (status NOT IN ('FAILED', 'GAVE_UP', 'SKIPPED') OR coalesce(reason, '') <> ''),
    -- A message handed to a provider was attempted.
    ADD CONSTRAINT notification_outbox_attempted CHECK (status NOT IN ('SENDING', 'SENT', 'RECORDED') OR (attempts > 0 AND attempted_at IS NOT NULL AND provider IS NOT NULL));

CREATE INDEX notification_outbox_leased ON notification_outbox (claimed_until) WHERE status = 'SENDING';
-- The monthly count per GP (the budget).
CREATE INDEX notification_outbox_month ON notification_outbox (tenant_id, attempted_at) WHERE status IN ('SENDING', 'SENT', 'RECORDED');
