-- Vendors (vendor service) and expense bills (echallan-services, mGramSeva's "expenses").
-- Owned by `municipal::vendor` (`vendor*`) and `municipal::echallan` (`echallan*`).

-- A payee of a GP. Its owner is a user account (created on the fly, personal data sealed in
-- `user_account` like every other user); the owner's mobile number is kept here only as a blind
-- index, so one mobile number is one vendor on a GP. The vendor's own name is a trade name shown
-- in lists and searched by, so it is kept readable.
CREATE TABLE vendor (
    id                 uuid PRIMARY KEY,
    tenant_id          text NOT NULL REFERENCES mdms_tenant (code),
    name               text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 128),
    owner_uuid         uuid NOT NULL REFERENCES user_account (uuid),
    mobile_hash        bytea NOT NULL,
    status             text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'INACTIVE')),
    address            jsonb NOT NULL DEFAULT '{}',
    source             text CHECK (length(source) <= 64),
    description        text CHECK (length(description) <= 256),
    additional_details jsonb NOT NULL DEFAULT '{}',
    created_by         uuid,
    created_at         timestamptz NOT NULL,
    last_modified_by   uuid,
    last_modified_at   timestamptz NOT NULL,
    UNIQUE (tenant_id, mobile_hash),
    UNIQUE (tenant_id, owner_uuid)
);
CREATE INDEX vendor_tenant_name ON vendor (tenant_id, lower(name));

-- An expense bill. Its money lives on the shared ledger: a demand of business service
-- `EXPENSE.<TYPE>` whose consumer code is the bill number, and, once paid, a CASH receipt.
-- Dates are days in Asia/Kolkata (the wire carries the epoch millis of their midnight).
CREATE TABLE echallan (
    id                 uuid PRIMARY KEY,
    tenant_id          text NOT NULL REFERENCES mdms_tenant (code),
    challan_no         text NOT NULL CHECK (length(challan_no) <= 64),
    type_of_expense    text NOT NULL REFERENCES mdms_expense_type (code),
    business_service   text NOT NULL,
    tax_head_code      text NOT NULL,
    vendor_id          uuid NOT NULL REFERENCES vendor (id),
    -- the vendor's name when the bill was written (the original keeps it on the bill)
    vendor_name        text NOT NULL CHECK (length(vendor_name) <= 128),
    amount             numeric(12, 2) NOT NULL CHECK (amount > 0 AND amount = trunc(amount)),
    bill_date          date NOT NULL,
    bill_issued_date   date,
    tax_period_from    date NOT NULL,
    tax_period_to      date NOT NULL,
    status             text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'PAID', 'CANCELLED')),
    paid_date          date,
    demand_id          uuid NOT NULL REFERENCES billing_demand (id),
    payment_id         uuid REFERENCES collection_payment (id),
    receipt_number     text,
    filestore_id       text CHECK (length(filestore_id) <= 64),
    -- MANUAL (GP staff, the app) or PSPCL (electricity bills written by the PSPCL role or job)
    source             text NOT NULL DEFAULT 'MANUAL' CHECK (source IN ('MANUAL', 'PSPCL')),
    description        text CHECK (length(description) <= 256),
    additional_details jsonb NOT NULL DEFAULT '{}',
    created_by         uuid,
    created_at         timestamptz NOT NULL,
    last_modified_by   uuid,
    last_modified_at   timestamptz NOT NULL,
    UNIQUE (tenant_id, challan_no),
    UNIQUE (demand_id),
    CHECK (business_service = 'EXPENSE.' || type_of_expense),
    CHECK (tax_period_from <= tax_period_to),
    CHECK (tax_period_to <= bill_date),
    CHECK (bill_issued_date IS NULL OR bill_issued_date <= bill_date),
    CHECK (paid_date IS NULL OR paid_date >= bill_date),
    -- paid: a paid date and its receipt; unpaid: neither; a cancelled bill keeps what it had
    CHECK ((paid_date IS NULL) = (payment_id IS NULL)),
    CHECK ((payment_id IS NULL) = (receipt_number IS NULL)),
    CHECK (status <> 'PAID' OR paid_date IS NOT NULL),
    CHECK (status <> 'ACTIVE' OR paid_date IS NULL)
);
CREATE INDEX echallan_tenant_bill_date ON echallan (tenant_id, bill_date);
CREATE INDEX echallan_vendor ON echallan (vendor_id);

-- Every change to an expense bill, with who, when and what.
CREATE TABLE echallan_history (
    id          bigserial PRIMARY KEY,
    challan_id  uuid NOT NULL REFERENCES echallan (id),
    tenant_id   text NOT NULL REFERENCES mdms_tenant (code),
    action      text NOT NULL,
    changes     jsonb NOT NULL,
    actor       uuid,
    at          timestamptz NOT NULL
);
CREATE INDEX echallan_history_challan ON echallan_history (challan_id, id);
