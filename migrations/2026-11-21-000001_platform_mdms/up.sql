-- Master data (MDMS): the Punjab masters, typed where the code uses them, verbatim JSON otherwise.
-- Owned by platform::mdms. Every table is keyed by tenant where the master is tenant-level.

CREATE TABLE mdms_org_unit (
    code        text PRIMARY KEY CHECK (code <> ''),
    level       text NOT NULL CHECK (level IN ('ZONE', 'CIRCLE', 'DIVISION', 'SUBDIVISION', 'SECTION')),
    name        text NOT NULL CHECK (name <> ''),
    parent_code text REFERENCES mdms_org_unit (code),
    CHECK ((level = 'ZONE') = (parent_code IS NULL))
);

CREATE TABLE mdms_tenant (
    code             text PRIMARY KEY CHECK (code ~ '^[a-z]+(\.[a-z0-9]+)?$'),
    kind             text NOT NULL CHECK (kind IN ('STATE', 'VILLAGE', 'TEST')),
    parent_code      text REFERENCES mdms_tenant (code),
    name             text NOT NULL CHECK (name <> ''),
    city_code        text NOT NULL CHECK (city_code ~ '^[0-9]+$'),
    district_code    text,
    district_name    text,
    block_code       text,
    block_name       text,
    zone_code        text REFERENCES mdms_org_unit (code),
    circle_code      text REFERENCES mdms_org_unit (code),
    division_code    text,
    division_name    text,
    subdivision_code text REFERENCES mdms_org_unit (code),
    section_code     text REFERENCES mdms_org_unit (code),
    office_timings   jsonb NOT NULL DEFAULT '{}'::jsonb,
    CHECK ((kind = 'STATE') = (parent_code IS NULL))
);
CREATE INDEX mdms_tenant_division ON mdms_tenant (division_code);

CREATE TABLE mdms_role (
    code        text PRIMARY KEY CHECK (code <> ''),
    name        text NOT NULL,
    description text NOT NULL DEFAULT ''
);

CREATE TABLE mdms_action (
    id             integer PRIMARY KEY,
    name           text NOT NULL,
    url            text NOT NULL CHECK (url <> ''),
    display_name   text NOT NULL DEFAULT '',
    service_code   text NOT NULL DEFAULT '',
    parent_module  text NOT NULL DEFAULT '',
    enabled        boolean NOT NULL,
    order_number   integer NOT NULL DEFAULT 0,
    path           text NOT NULL DEFAULT '',
    navigation_url text,
    left_icon      text,
    right_icon     text
);
CREATE INDEX mdms_action_url ON mdms_action (url);

CREATE TABLE mdms_role_action (
    tenant_id text NOT NULL REFERENCES mdms_tenant (code),
    role_code text NOT NULL REFERENCES mdms_role (code),
    action_id integer NOT NULL REFERENCES mdms_action (id),
    PRIMARY KEY (tenant_id, role_code, action_id)
);

CREATE TABLE mdms_tax_head (
    code             text PRIMARY KEY CHECK (code <> ''),
    name             text NOT NULL,
    service          text NOT NULL,
    category         text NOT NULL CHECK (category IN ('TAX', 'FEE', 'CHARGES', 'REBATE', 'EXEMPTION',
                                                       'ADVANCE_COLLECTION', 'PENALTY', 'FINES')),
    is_debit         boolean NOT NULL,
    is_actual_demand boolean NOT NULL,
    is_required      boolean NOT NULL,
    display_order    integer NOT NULL CHECK (display_order >= 0),
    is_bill_amend    boolean
);

-- Business services are tenant-level masters: the state tenant's rows are the fallback.
CREATE TABLE mdms_business_service (
    tenant_id                    text NOT NULL REFERENCES mdms_tenant (code),
    code                         text NOT NULL CHECK (code <> ''),
    business_service             text NOT NULL,
    collection_modes_not_allowed text[] NOT NULL DEFAULT '{}',
    part_payment_allowed         boolean NOT NULL,
    is_advance_allowed           boolean NOT NULL,
    is_voucher_creation_enabled  boolean NOT NULL DEFAULT false,
    is_active                    boolean NOT NULL DEFAULT true,
    service_type                 text,
    demand_update_time           bigint CHECK (demand_update_time >= 0),
    bill_ginei_url               text,
    is_bill_amendment_enabled    boolean,
    PRIMARY KEY (tenant_id, code)
);

-- Tax periods are derived, never hand-added: one rule per service says how its yearly period is
-- named and from which financial year it exists; the rows are generated up to the next FY.
CREATE TABLE mdms_tax_period_rule (
    service       text PRIMARY KEY CHECK (service <> ''),
    code_template text NOT NULL CHECK (code_template <> ''),
    period_cycle  text NOT NULL CHECK (period_cycle IN ('MONTH', 'QUARTER', 'HALFYEAR', 'ANNUAL')),
    first_fy      integer NOT NULL CHECK (first_fy BETWEEN 2000 AND 2100)
);

CREATE TABLE mdms_expense_type (
    code             text PRIMARY KEY CHECK (code <> ''),
    name             text NOT NULL,
    active           boolean NOT NULL,
    business_service text NOT NULL,
    tax_head_code    text NOT NULL REFERENCES mdms_tax_head (code)
);

CREATE TABLE mdms_id_format (
    id_name text PRIMARY KEY CHECK (id_name <> ''),
    format  text NOT NULL CHECK (format <> '')
);

-- Water tariffs (WCBillingSlab): 61 distinct sets shared by the villages, plus the state template.
CREATE TABLE mdms_tariff (
    id          text PRIMARY KEY CHECK (id <> ''),
    description text NOT NULL DEFAULT ''
);

CREATE TABLE mdms_tariff_row (
    tariff_id             text NOT NULL REFERENCES mdms_tariff (id) ON DELETE CASCADE,
    slab_id               text NOT NULL,
    building_type         text NOT NULL CHECK (building_type <> ''),
    connection_type       text NOT NULL CHECK (connection_type IN ('Metered', 'Non_Metered')),
    calculation_attribute text NOT NULL CHECK (calculation_attribute <> ''),
    minimum_charge        numeric(12, 2) NOT NULL CHECK (minimum_charge >= 0),
    PRIMARY KEY (tariff_id, building_type, connection_type, calculation_attribute)
);

CREATE TABLE mdms_tariff_slab (
    tariff_id             text NOT NULL,
    building_type         text NOT NULL,
    connection_type       text NOT NULL,
    calculation_attribute text NOT NULL,
    position              integer NOT NULL CHECK (position >= 0),
    from_units            numeric(14, 2) NOT NULL CHECK (from_units >= 0),
    to_units              numeric(14, 2) NOT NULL,
    charge                numeric(12, 2) NOT NULL CHECK (charge >= 0),
    meter_charge          numeric(12, 2) NOT NULL DEFAULT 0 CHECK (meter_charge >= 0),
    PRIMARY KEY (tariff_id, building_type, connection_type, calculation_attribute, position),
    FOREIGN KEY (tariff_id, building_type, connection_type, calculation_attribute)
        REFERENCES mdms_tariff_row (tariff_id, building_type, connection_type, calculation_attribute)
        ON DELETE CASCADE,
    CHECK (to_units > from_units)
);

-- Which tariff a tenant bills with, from a date: a rate change is a new row, old bills keep theirs.
CREATE TABLE mdms_tenant_tariff (
    tenant_id      text NOT NULL REFERENCES mdms_tenant (code),
    effective_from date NOT NULL,
    tariff_id      text NOT NULL REFERENCES mdms_tariff (id),
    PRIMARY KEY (tenant_id, effective_from)
);

-- Late-payment penalty configuration, effective-dated, tenant-level with state fallback.
CREATE TABLE mdms_penalty (
    tenant_id             text NOT NULL REFERENCES mdms_tenant (code),
    effective_from        date NOT NULL,
    penalty_type          text NOT NULL CHECK (upper(penalty_type) IN ('FIXED', 'FLAT')),
    sub_type              text NOT NULL CHECK (sub_type IN ('currentMonth', 'outstanding', 'outstandingWithoutPenalty')),
    rate                  numeric(6, 2) CHECK (rate >= 0 AND rate <= 100),
    amount                numeric(12, 2) CHECK (amount >= 0),
    min_amount            numeric(12, 2) CHECK (min_amount >= 0),
    flat_amount           numeric(12, 2) CHECK (flat_amount >= 0),
    applicable_after_days integer NOT NULL CHECK (applicable_after_days >= 0),
    from_fy               text,
    starting_day          text,
    PRIMARY KEY (tenant_id, effective_from)
);

CREATE TABLE mdms_pspcl_account (
    tenant_id              text NOT NULL REFERENCES mdms_tenant (code),
    account_number         text NOT NULL CHECK (account_number <> ''),
    department_entity_code text NOT NULL,
    department_entity_name text NOT NULL,
    PRIMARY KEY (tenant_id, account_number)
);
CREATE INDEX mdms_pspcl_account_number ON mdms_pspcl_account (account_number);

-- Small masters kept verbatim (connection types, categories, StateInfo, ...), in source order.
CREATE TABLE mdms_master_record (
    tenant_id text NOT NULL REFERENCES mdms_tenant (code),
    module    text NOT NULL CHECK (module <> ''),
    master    text NOT NULL CHECK (master <> ''),
    position  integer NOT NULL CHECK (position >= 0),
    data      jsonb NOT NULL,
    PRIMARY KEY (tenant_id, module, master, position)
);

-- What was loaded, from which files, when: `mgramseva seed` is idempotent by this row.
CREATE TABLE mdms_seed_run (
    id          bigserial PRIMARY KEY,
    source_hash text NOT NULL,
    loaded_at   timestamptz NOT NULL DEFAULT now(),
    counts      jsonb NOT NULL
);
