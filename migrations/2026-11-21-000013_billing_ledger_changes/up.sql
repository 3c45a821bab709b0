-- Who changed which ledger, told to the application so that it can keep stored bills in memory
-- and still never serve one that a write has made wrong (see src/db/ledger.rs).
--
-- A key is "tenant<TAB>business service<TAB>consumer code"; "*" stands for "many, forget all"
-- (a statement that touched more than 64 consumers, e.g. one GP's bulk demand).
-- Two channels carry the keys:
-- * NOTIFY mgramseva_ledger, delivered at commit to every listening process (the server keeps
--   one listening connection), so writes by anyone (psql, another process) reach it; the payload
--   is the key, a TAB and the transaction id (so the application can tell its own commits,
--   already applied, from everybody else's);
-- * the transaction-local setting mgramseva.ledger_changed, which the application reads just
--   before it commits its own transactions, so its own writes are forgotten before it answers.
CREATE FUNCTION ledger_changed(keys text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    k   text;
    acc text;
BEGIN
    IF keys IS NULL OR cardinality(keys) = 0 THEN
        RETURN;
    END IF;
    IF cardinality(keys) > 64 THEN
        keys := ARRAY['*'];
    END IF;
    FOREACH k IN ARRAY keys LOOP
        PERFORM pg_notify('mgramseva_ledger', k || E'\t' || pg_current_xact_id()::text);
    END LOOP;
    acc := current_setting('mgramseva.ledger_changed', true);
    IF acc IS NULL OR acc = '' THEN
        acc := array_to_string(keys, E'\n');
    ELSIF length(acc) > 8000 THEN
        acc := '*';
    ELSE
        acc := acc || E'\n' || array_to_string(keys, E'\n');
    END IF;
    PERFORM set_config('mgramseva.ledger_changed', acc, true);
END $$;

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

-- A stored bill also stops being the answer when the bill itself changes (expired, cancelled,
-- paid, replaced, its body rewritten).
CREATE FUNCTION billing_bill_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    keys text[];
BEGIN
    SELECT array_agg(k) INTO keys
      FROM (SELECT DISTINCT tenant_id || E'\t' || business_service || E'\t' || consumer_code AS k
              FROM changed LIMIT 65) s;
    PERFORM ledger_changed(keys);
    RETURN NULL;
END $$;

CREATE TRIGGER billing_bill_inserted AFTER INSERT ON billing_bill
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION billing_bill_changed();
CREATE TRIGGER billing_bill_updated AFTER UPDATE ON billing_bill
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION billing_bill_changed();
CREATE TRIGGER billing_bill_deleted AFTER DELETE ON billing_bill
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION billing_bill_changed();
