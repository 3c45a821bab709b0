-- Back to migration 000013's triggers: the version moves, the active bill is left alone.
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
        RETURNING tenant_id, business_service, consumer_code)
    -- (the upsert runs to completion whatever the LIMIT; 65 keys are enough to know "many")
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
        RETURNING tenant_id, business_service, consumer_code)
    -- (the upsert runs to completion whatever the LIMIT; 65 keys are enough to know "many")
    SELECT array_agg(k) INTO keys
      FROM (SELECT tenant_id || E'\t' || business_service || E'\t' || consumer_code AS k FROM up LIMIT 65) s;
    PERFORM ledger_changed(keys);
    RETURN NULL;
END $$;
