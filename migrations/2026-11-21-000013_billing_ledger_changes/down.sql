DROP TRIGGER billing_bill_deleted ON billing_bill;
DROP TRIGGER billing_bill_updated ON billing_bill;
DROP TRIGGER billing_bill_inserted ON billing_bill;
DROP FUNCTION billing_bill_changed();
CREATE OR REPLACE FUNCTION billing_ledger_bump_demands() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO billing_ledger (tenant_id, business_service, consumer_code)
    SELECT DISTINCT tenant_id, business_service, consumer_code FROM changed
     ORDER BY 1, 2, 3
    ON CONFLICT (tenant_id, business_service, consumer_code)
    DO UPDATE SET version = billing_ledger.version + 1;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION billing_ledger_bump_lines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO billing_ledger (tenant_id, business_service, consumer_code)
    SELECT DISTINCT d.tenant_id, d.business_service, d.consumer_code
      FROM changed c JOIN billing_demand d ON d.id = c.demand_id
     ORDER BY 1, 2, 3
    ON CONFLICT (tenant_id, business_service, consumer_code)
    DO UPDATE SET version = billing_ledger.version + 1;
    RETURN NULL;
END $$;
DROP FUNCTION ledger_changed(text[]);
