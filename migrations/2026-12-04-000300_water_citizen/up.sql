-- The citizen side of water (issue 15): what households say after paying, and the UPI address
-- a GP takes payments on.

-- One rating per payment (product.md §2.11): the three questions of the CheckList master, each
-- 1..5, tagged with the billing period of the bill the payment paid.
CREATE TABLE water_feedback (
    id uuid PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES mdms_tenant (code),
    connection_no text NOT NULL CHECK (length(connection_no) BETWEEN 1 AND 64),
    payment_id uuid NOT NULL,
    period_from timestamptz NOT NULL,
    period_to timestamptz NOT NULL,
    happy_water_supply smallint NOT NULL CHECK (happy_water_supply BETWEEN 1 AND 5),
    water_supply_regular smallint NOT NULL CHECK (water_supply_regular BETWEEN 1 AND 5),
    water_quality_good smallint NOT NULL CHECK (water_quality_good BETWEEN 1 AND 5),
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT water_feedback_one_per_payment UNIQUE (payment_id),
    CHECK (period_from <= period_to)
);
CREATE INDEX water_feedback_tenant ON water_feedback (tenant_id, created_at);

-- The UPI address (VPA) a GP is paid on: a `upi://pay` link and its QR code on the citizen's
-- bill page and the bill PDF when a row exists. Set by SQL or `mgramseva upi set` for now.
CREATE TABLE water_upi (
    tenant_id text PRIMARY KEY REFERENCES mdms_tenant (code),
    vpa text NOT NULL CHECK (vpa ~ '^[A-Za-z0-9._-]{2,64}@[A-Za-z][A-Za-z0-9.-]{1,63}$'),
    payee_name text CHECK (length(payee_name) <= 100),
    updated_at timestamptz NOT NULL DEFAULT now()
);
