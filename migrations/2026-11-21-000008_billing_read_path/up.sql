-- Foreign keys that the read paths follow had no index of their own: fetch-bill read the
-- account details of a bill with a sequential scan (found by the billing bench, ~1k/s).
CREATE INDEX billing_bill_account_detail_bill_detail ON billing_bill_account_detail (bill_detail_id);
CREATE INDEX billing_bill_account_detail_demand_detail ON billing_bill_account_detail (demand_detail_id);
CREATE INDEX billing_bill_detail_demand ON billing_bill_detail (demand_id);
CREATE INDEX billing_bill_consumer ON billing_bill (tenant_id, business_service, consumer_code, created_at);
CREATE INDEX collection_payment_detail_bill ON collection_payment_detail (bill_id);
CREATE INDEX collection_allocation_demand_detail ON collection_allocation (demand_detail_id);
CREATE INDEX user_role_role ON user_role (role_code);

-- One row per consumer ledger (tenant, business service, consumer code) whose version moves
-- with every write to its demands or their lines. Triggers keep it, so no writer can forget.
-- A bill remembers the version it was built from and its JSON: while the two versions agree the
-- bill is still right, and fetch-bill answers with one indexed read.
CREATE TABLE billing_ledger (
    tenant_id        text NOT NULL REFERENCES mdms_tenant (code),
    business_service text NOT NULL,
    consumer_code    text NOT NULL,
    version          bigint NOT NULL DEFAULT 1 CHECK (version > 0),
    PRIMARY KEY (tenant_id, business_service, consumer_code)
);

CREATE FUNCTION billing_ledger_bump_demands() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO billing_ledger (tenant_id, business_service, consumer_code)
    SELECT DISTINCT tenant_id, business_service, consumer_code FROM changed
     ORDER BY 1, 2, 3
    ON CONFLICT (tenant_id, business_service, consumer_code)
    DO UPDATE SET version = billing_ledger.version + 1;
    RETURN NULL;
END $$;

CREATE FUNCTION billing_ledger_bump_lines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO billing_ledger (tenant_id, business_service, consumer_code)
    SELECT DISTINCT d.tenant_id, d.business_service, d.consumer_code
      FROM changed c JOIN billing_demand d ON d.id = c.demand_id
     ORDER BY 1, 2, 3
    ON CONFLICT (tenant_id, business_service, consumer_code)
    DO UPDATE SET version = billing_ledger.version + 1;
    RETURN NULL;
END $$;

CREATE TRIGGER billing_demand_inserted AFTER INSERT ON billing_demand
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION billing_ledger_bump_demands();
CREATE TRIGGER billing_demand_updated AFTER UPDATE ON billing_demand
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION billing_ledger_bump_demands();
CREATE TRIGGER billing_demand_deleted AFTER DELETE ON billing_demand
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION billing_ledger_bump_demands();
CREATE TRIGGER billing_demand_detail_inserted AFTER INSERT ON billing_demand_detail
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION billing_ledger_bump_lines();
CREATE TRIGGER billing_demand_detail_updated AFTER UPDATE ON billing_demand_detail
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION billing_ledger_bump_lines();
CREATE TRIGGER billing_demand_detail_deleted AFTER DELETE ON billing_demand_detail
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION billing_ledger_bump_lines();

-- The body is the answer's JSON text, sent as it is; kept in the row (a bill of a year of
-- arrears is ~12 kB of JSON, so rows up to 8 kB stay uncompressed in the heap page).
ALTER TABLE billing_bill
    ADD COLUMN source_version bigint NOT NULL DEFAULT 0,
    ADD COLUMN body text CHECK (body IS NULL OR body LIKE '{%}');
ALTER TABLE billing_bill SET (toast_tuple_target = 8160);

-- Lines settled without a receipt: a new demand paid from the consumer's advance (COLLECT on
-- the new line, USE_CREDIT on the advance line). With the receipts' allocations they explain
-- every rupee of every line's collected amount, which the ledger check verifies.
CREATE TABLE billing_adjustment (
    id               bigserial PRIMARY KEY,
    tenant_id        text NOT NULL REFERENCES mdms_tenant (code),
    demand_detail_id uuid NOT NULL REFERENCES billing_demand_detail (id),
    kind             text NOT NULL CHECK (kind IN ('COLLECT', 'USE_CREDIT')),
    amount           numeric(12, 2) NOT NULL CHECK (amount > 0),
    reason           text NOT NULL CHECK (reason IN ('ADVANCE_ADJUSTED')),
    created_at       timestamptz NOT NULL
);
CREATE INDEX billing_adjustment_line ON billing_adjustment (demand_detail_id);
