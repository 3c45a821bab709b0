-- Online payments (issue 15): pg-service's transactions, the raw gateway answers kept for audit,
-- and the built-in sandbox gateway's record of what the customer chose.
CREATE SEQUENCE pg_txn_seq;

CREATE TABLE pg_transaction (
    txn_id text PRIMARY KEY,
    tenant_id text NOT NULL,
    bill_id uuid NOT NULL,
    business_service text NOT NULL,
    consumer_code text NOT NULL,
    amount numeric(12, 2) NOT NULL CHECK (amount > 0),
    gateway text NOT NULL,
    status text NOT NULL CHECK (status IN ('PENDING', 'SUCCESS', 'FAILURE')),
    status_msg text,
    gateway_ref text,
    gateway_txn_id text,
    gateway_payment_mode text,
    gateway_status_code text,
    gateway_status_msg text,
    receipt text,
    payment_id uuid,
    callback_url text NOT NULL,
    redirect jsonb NOT NULL DEFAULT '{}',
    user_uuid uuid,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    checked_at timestamptz,
    CONSTRAINT pg_transaction_success_has_receipt CHECK (status <> 'SUCCESS' OR receipt IS NOT NULL)
);
CREATE INDEX pg_transaction_tenant_created ON pg_transaction (tenant_id, created_at);
CREATE INDEX pg_transaction_consumer ON pg_transaction (tenant_id, consumer_code);
CREATE INDEX pg_transaction_pending ON pg_transaction (created_at) WHERE status = 'PENDING';
CREATE UNIQUE INDEX pg_transaction_gateway_txn ON pg_transaction (gateway, gateway_txn_id)
    WHERE gateway_txn_id IS NOT NULL AND status = 'SUCCESS';

-- Every callback, webhook and status answer as it came (secrets never: gateways do not send them).
CREATE TABLE pg_transaction_dump (
    id bigserial PRIMARY KEY,
    txn_id text,
    gateway text NOT NULL,
    source text NOT NULL,
    params jsonb NOT NULL,
    outcome text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX pg_transaction_dump_txn ON pg_transaction_dump (txn_id);

CREATE TABLE pg_sandbox_payment (
    txn_id text PRIMARY KEY,
    amount numeric(12, 2) NOT NULL,
    decision text NOT NULL CHECK (decision IN ('APPROVED', 'DECLINED', 'ABANDONED')),
    sandbox_txn_id text NOT NULL UNIQUE,
    decided_at timestamptz NOT NULL
);
