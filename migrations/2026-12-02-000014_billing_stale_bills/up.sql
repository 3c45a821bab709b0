-- No active bill may disagree with what its consumer owes. A bill shows the ledger as it stood
-- when it was built (billing_bill.source_version); a later write to the consumer's demands or
-- their lines may change what is owed. So the statement-level triggers that move the ledger
-- version on every such write (migration 000013) now also expire the consumer's ACTIVE bill, in
-- the same statement. This covers every writer, the application's (receipt cancellation, bulk
-- demand's INSERT ... SELECT, deactivation, opening amounts, penalty, advance adjustment, new
-- demands) and SQL by hand alike; the next fetch-bill builds a bill from what is owed then.
--
-- A payment writes its lines and then marks its bill PAID or PARTIALLY_PAID by id, so a paid bill
-- ends as the payment says. The expiry is itself a write to billing_bill, so the bill cache hears
-- of it (billing_bill_changed) like any other change to a bill.
CREATE OR REPLACE FUNCTION billing_ledger_bump_demands() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    keys text[];
BEGIN
    WITH up AS (
        INSERT INTO billing_ledger (tenant_id, business_service, consumer_code)
        SELECT DISTINCT tenant_id, business_service, consumer_code FROM changed
         ORDER BY 1, 2, 3
        ON CONFLICT (tenant_id, business_service, consumer_code)
        DO UPDATE SET version = billing_ledger.version + 1
        RETURNING tenant_id, business_service, consumer_code),
    expired AS (
        UPDATE billing_bill b SET status = 'EXPIRED', last_modified_at = now()
          FROM up
         WHERE b.tenant_id = up.tenant_id AND b.business_service = up.business_service
           AND b.consumer_code = up.consumer_code AND b.status = 'ACTIVE')
    -- (the upsert and the expiry run to completion whatever the LIMIT; 65 keys are enough to
    -- know "many")
    SELECT array_agg(k) INTO keys
      FROM (SELECT tenant_id || E'\t' || business_service || E'\t' || consumer_code AS k FROM up LIMIT 65) s;
    PERFORM ledger_changed(keys);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION billing_ledger_bump_lines() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    keys text[];
BEGIN
    WITH up AS (
        INSERT INTO billing_ledger (tenant_id, business_service, consumer_code)
        SELECT DISTINCT d.tenant_id, d.business_service, d.consumer_code
          FROM changed c JOIN billing_demand d ON d.id = c.demand_id
         ORDER BY 1, 2, 3
        ON CONFLICT (tenant_id, business_service, consumer_code)
        DO UPDATE SET version = billing_ledger.version + 1
        RETURNING tenant_id, business_service, consumer_code),
    expired AS (
        UPDATE billing_bill b SET status = 'EXPIRED', last_modified_at = now()
          FROM up
         WHERE b.tenant_id = up.tenant_id AND b.business_service = up.business_service
           AND b.consumer_code = up.consumer_code AND b.status = 'ACTIVE')
    -- (the upsert and the expiry run to completion whatever the LIMIT; 65 keys are enough to
    -- know "many")
    SELECT array_agg(k) INTO keys
      FROM (SELECT tenant_id || E'\t' || business_service || E'\t' || consumer_code AS k FROM up LIMIT 65) s;
    PERFORM ledger_changed(keys);
    RETURN NULL;
END $$;
