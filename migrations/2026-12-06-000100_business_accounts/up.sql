-- The GP's books (product.md §5.3, Model Accounting System for Panchayats): a double-entry
-- journal posted in the same transaction as every money event of billing and collection.
-- An entry is one event (a demand, a receipt, an expense payment, a cancellation, …) on one
-- IST day; its lines each move one account (a chart-of-accounts code, or CASH, RECEIVABLE,
-- ADVANCE, PAYABLE) by a debit or a credit. Receivable, advance and payable lines name their
-- sub-ledger party (the consumer code; for an expense the bill number) and the revenue or
-- expense head they belong to.
CREATE TABLE accounts_entry (
    id          bigserial PRIMARY KEY,
    tenant_id   text NOT NULL,
    day         date NOT NULL,
    kind        text NOT NULL,
    source      text NOT NULL,
    reverses    bigint REFERENCES accounts_entry (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX accounts_entry_tenant_day ON accounts_entry (tenant_id, day);
CREATE INDEX accounts_entry_source ON accounts_entry (tenant_id, source);

CREATE TABLE accounts_line (
    id          bigserial PRIMARY KEY,
    entry_id    bigint NOT NULL REFERENCES accounts_entry (id),
    tenant_id   text NOT NULL,
    account     text NOT NULL,
    head        text,
    party       text,
    service     text NOT NULL,
    debit       numeric(12, 2) NOT NULL DEFAULT 0,
    credit      numeric(12, 2) NOT NULL DEFAULT 0,
    CONSTRAINT accounts_line_non_negative CHECK (debit >= 0 AND credit >= 0),
    CONSTRAINT accounts_line_one_side CHECK ((debit = 0) <> (credit = 0))
);
CREATE INDEX accounts_line_entry ON accounts_line (entry_id);
CREATE INDEX accounts_line_party ON accounts_line (tenant_id, service, party);

-- Every entry balances: checked at commit (a statement may write an entry's lines in any order).
CREATE FUNCTION accounts_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    e   bigint;
    dr  numeric;
    cr  numeric;
BEGIN
    e := CASE WHEN TG_OP = 'DELETE' THEN OLD.entry_id ELSE NEW.entry_id END;
    SELECT coalesce(sum(debit), 0), coalesce(sum(credit), 0) INTO dr, cr
      FROM accounts_line WHERE entry_id = e;
    IF dr <> cr THEN
        RAISE EXCEPTION 'journal entry % does not balance: debit % credit %', e, dr, cr
            USING ERRCODE = 'check_violation', CONSTRAINT = 'accounts_entry_balanced';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER accounts_line_balanced
    AFTER INSERT OR UPDATE OR DELETE ON accounts_line
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION accounts_entry_balanced();
