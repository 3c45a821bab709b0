-- Billing (business::billing) and collection (business::collection): demands split into tax-head
-- lines, bills built from unpaid demands, payments spread over the lines. Money is numeric(12,2).

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE billing_demand (
    id                     uuid PRIMARY KEY,
    tenant_id              text NOT NULL REFERENCES mdms_tenant (code),
    business_service       text NOT NULL CHECK (business_service <> ''),
    consumer_code          text NOT NULL CHECK (consumer_code <> ''),
    consumer_type          text NOT NULL DEFAULT 'waterConnection',
    payer_uuid             uuid,
    period_from            timestamptz NOT NULL,
    period_to              timestamptz NOT NULL,
    status                 text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'CANCELLED', 'ADJUSTED')),
    is_payment_completed   boolean NOT NULL DEFAULT false,
    minimum_amount_payable numeric(12, 2) NOT NULL DEFAULT 0 CHECK (minimum_amount_payable >= 0),
    bill_expiry_time       bigint CHECK (bill_expiry_time >= 0),
    additional_details     jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_by             uuid,
    created_at             timestamptz NOT NULL DEFAULT now(),
    last_modified_by       uuid,
    last_modified_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (period_to > period_from),
    -- One live demand per business service, consumer and period: no two may even overlap.
    CONSTRAINT billing_demand_one_live_per_period EXCLUDE USING gist (
        tenant_id WITH =, business_service WITH =, consumer_code WITH =,
        tstzrange(period_from, period_to, '[]') WITH &&
    ) WHERE (status = 'ACTIVE')
);
CREATE INDEX billing_demand_consumer ON billing_demand (tenant_id, business_service, consumer_code, period_from);

CREATE TABLE billing_demand_detail (
    id                 uuid PRIMARY KEY,
    demand_id          uuid NOT NULL REFERENCES billing_demand (id),
    tenant_id          text NOT NULL REFERENCES mdms_tenant (code),
    tax_head_code      text NOT NULL REFERENCES mdms_tax_head (code),
    tax_amount         numeric(12, 2) NOT NULL,
    collection_amount  numeric(12, 2) NOT NULL DEFAULT 0,
    additional_details jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at         timestamptz NOT NULL DEFAULT now(),
    last_modified_at   timestamptz NOT NULL DEFAULT now(),
    -- A line is never collected beyond its amount; a credit (negative) line never used beyond it.
    CHECK ((tax_amount >= 0 AND collection_amount BETWEEN 0 AND tax_amount)
        OR (tax_amount < 0 AND collection_amount BETWEEN tax_amount AND 0))
);
CREATE INDEX billing_demand_detail_demand ON billing_demand_detail (demand_id);

-- Every version of a demand: who changed it, when and why, with the whole demand as it became.
CREATE TABLE billing_demand_history (
    id         bigserial PRIMARY KEY,
    demand_id  uuid NOT NULL REFERENCES billing_demand (id),
    tenant_id  text NOT NULL REFERENCES mdms_tenant (code),
    reason     text NOT NULL CHECK (reason <> ''),
    snapshot   jsonb NOT NULL,
    changed_by uuid,
    changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX billing_demand_history_demand ON billing_demand_history (demand_id, id);

CREATE TABLE billing_bill (
    id               uuid PRIMARY KEY,
    tenant_id        text NOT NULL REFERENCES mdms_tenant (code),
    bill_number      text NOT NULL CHECK (bill_number <> ''),
    business_service text NOT NULL,
    consumer_code    text NOT NULL,
    payer_uuid       uuid,
    status           text NOT NULL CHECK (status IN ('ACTIVE', 'CANCELLED', 'PAID', 'PARTIALLY_PAID', 'PAYMENT_CANCELLED', 'EXPIRED')),
    total_amount     numeric(12, 2) NOT NULL,
    bill_date        timestamptz NOT NULL,
    fingerprint      text NOT NULL,
    additional_details jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_by       uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_modified_by uuid,
    last_modified_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, bill_number)
);
-- The original's duplicate bills, prevented where they cannot be argued with.
CREATE UNIQUE INDEX billing_bill_one_active ON billing_bill (tenant_id, business_service, consumer_code) WHERE status = 'ACTIVE';

CREATE TABLE billing_bill_detail (
    id          uuid PRIMARY KEY,
    bill_id     uuid NOT NULL REFERENCES billing_bill (id),
    tenant_id   text NOT NULL REFERENCES mdms_tenant (code),
    demand_id   uuid NOT NULL REFERENCES billing_demand (id),
    from_period timestamptz NOT NULL,
    to_period   timestamptz NOT NULL,
    expiry_date timestamptz,
    amount      numeric(12, 2) NOT NULL,
    amount_paid numeric(12, 2) NOT NULL DEFAULT 0,
    UNIQUE (bill_id, demand_id)
);

CREATE TABLE billing_bill_account_detail (
    id               uuid PRIMARY KEY,
    bill_detail_id   uuid NOT NULL REFERENCES billing_bill_detail (id),
    tenant_id        text NOT NULL REFERENCES mdms_tenant (code),
    demand_detail_id uuid NOT NULL REFERENCES billing_demand_detail (id),
    tax_head_code    text NOT NULL REFERENCES mdms_tax_head (code),
    display_order    integer NOT NULL,
    amount           numeric(12, 2) NOT NULL,
    adjusted_amount  numeric(12, 2) NOT NULL DEFAULT 0
);

CREATE TABLE collection_payment (
    id                  uuid PRIMARY KEY,
    tenant_id           text NOT NULL REFERENCES mdms_tenant (code),
    total_due           numeric(12, 2) NOT NULL,
    total_amount_paid   numeric(12, 2) NOT NULL CHECK (total_amount_paid > 0),
    payment_mode        text NOT NULL CHECK (payment_mode <> ''),
    transaction_number  text NOT NULL,
    transaction_date    timestamptz NOT NULL,
    instrument_number   text,
    instrument_date     timestamptz,
    payment_status      text NOT NULL DEFAULT 'NEW' CHECK (payment_status IN ('NEW', 'DEPOSITED', 'CANCELLED', 'DISHONOURED', 'RECONCILED')),
    paid_by             text,
    payer_uuid          uuid,
    payer_name_enc      text,
    mobile_hash         bytea,
    mobile_enc          text,
    additional_details  jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_by          uuid,
    created_at          timestamptz NOT NULL DEFAULT now(),
    last_modified_by    uuid,
    last_modified_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX collection_payment_tenant ON collection_payment (tenant_id, created_at);

CREATE TABLE collection_payment_detail (
    id                uuid PRIMARY KEY,
    payment_id        uuid NOT NULL UNIQUE REFERENCES collection_payment (id),
    tenant_id         text NOT NULL REFERENCES mdms_tenant (code),
    bill_id           uuid NOT NULL REFERENCES billing_bill (id),
    business_service  text NOT NULL,
    consumer_code     text NOT NULL,
    total_due         numeric(12, 2) NOT NULL,
    total_amount_paid numeric(12, 2) NOT NULL,
    receipt_number    text NOT NULL,
    receipt_date      timestamptz NOT NULL,
    receipt_type      text NOT NULL DEFAULT 'BILLBASED',
    UNIQUE (tenant_id, receipt_number)
);
CREATE INDEX collection_payment_detail_consumer ON collection_payment_detail (tenant_id, business_service, consumer_code);

-- How each payment moved each line, so that a cancellation restores them exactly.
CREATE TABLE collection_allocation (
    id                bigserial PRIMARY KEY,
    payment_detail_id uuid NOT NULL REFERENCES collection_payment_detail (id),
    tenant_id         text NOT NULL REFERENCES mdms_tenant (code),
    demand_detail_id  uuid NOT NULL REFERENCES billing_demand_detail (id),
    kind              text NOT NULL CHECK (kind IN ('COLLECT', 'USE_CREDIT', 'ADVANCE')),
    amount            numeric(12, 2) NOT NULL CHECK (amount > 0)
);
CREATE INDEX collection_allocation_payment ON collection_allocation (payment_detail_id);

-- Exactly once: one payment per idempotency key and tenant.
CREATE TABLE collection_idempotency (
    tenant_id    text NOT NULL REFERENCES mdms_tenant (code),
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    request_hash bytea NOT NULL,
    payment_id   uuid NOT NULL UNIQUE REFERENCES collection_payment (id),
    response     jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, key)
);
