-- Issue 17: the division and state views read per-GP, per-month roll-ups, kept current by the
-- job `state-view` (every 5 minutes), which recomputes only the GPs whose demands, receipts,
-- expense bills or households changed since its watermark.

-- One row per GP and month (the first day of the month, IST): water demand (the demands whose
-- period ends in the month, advance left out), water collection (receipts by transaction
-- date, cancelled ones left out), expense bills (by bill date) and expense payments (by paid
-- date), and how many households were billed for the month.
CREATE TABLE stateview_gp_month (
    tenant_id text NOT NULL REFERENCES mdms_tenant (code),
    month date NOT NULL CHECK (extract(day FROM month) = 1),
    demand numeric(16, 2) NOT NULL DEFAULT 0,
    collection numeric(16, 2) NOT NULL DEFAULT 0,
    expenses_billed numeric(16, 2) NOT NULL DEFAULT 0,
    expenses_paid numeric(16, 2) NOT NULL DEFAULT 0,
    households_billed integer NOT NULL DEFAULT 0 CHECK (households_billed >= 0),
    PRIMARY KEY (tenant_id, month)
);
CREATE INDEX stateview_gp_month_by_month ON stateview_gp_month (month, tenant_id);

-- One row per GP: its active households now and the end of its latest water demand period.
CREATE TABLE stateview_gp (
    tenant_id text PRIMARY KEY REFERENCES mdms_tenant (code),
    households integer NOT NULL DEFAULT 0 CHECK (households >= 0),
    last_demand_date date,
    refreshed_at timestamptz NOT NULL
);

-- How far the job has read: changes at or after `changed_since` are still to be seen.
CREATE TABLE stateview_watermark (
    id smallint PRIMARY KEY CHECK (id = 1),
    changed_since timestamptz NOT NULL,
    refreshed_at timestamptz NOT NULL
);

-- The "changed since T" reads of the modules the job asks.
CREATE INDEX IF NOT EXISTS billing_demand_by_last_modified ON billing_demand (last_modified_at);
CREATE INDEX IF NOT EXISTS collection_payment_by_last_modified ON collection_payment (last_modified_at);
CREATE INDEX IF NOT EXISTS echallan_bill_by_last_modified ON echallan_bill (last_modified_at);
CREATE INDEX IF NOT EXISTS water_connection_by_last_modified ON water_connection (last_modified_at);
