-- Properties (property-services) and water connections (ws-services), meter readings and bulk
-- demand batches (ws-calculator). Owned by `municipal::property` and `municipal::water`.

CREATE TABLE property (
    id                 uuid PRIMARY KEY,
    tenant_id          text NOT NULL REFERENCES mdms_tenant (code),
    property_id        text NOT NULL,
    status             text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'INACTIVE')),
    property_type      text NOT NULL CHECK (property_type IN ('RESIDENTIAL', 'COMMERCIAL', 'MIXED', 'PUBLICSECTOR')),
    usage_category     text NOT NULL DEFAULT 'RESIDENTIAL',
    ownership_category text NOT NULL DEFAULT 'INDIVIDUAL',
    land_area          numeric(12, 2) NOT NULL DEFAULT 1 CHECK (land_area > 0),
    no_of_floors       integer NOT NULL DEFAULT 1 CHECK (no_of_floors > 0),
    source             text NOT NULL DEFAULT 'WS',
    channel            text NOT NULL DEFAULT 'CITIZEN',
    door_no            text CHECK (length(door_no) <= 128),
    street             text CHECK (length(street) <= 128),
    locality           text NOT NULL,
    -- The owner (the connection holder): a citizen account per mobile number, re-used by every
    -- household with that number; the household's own name, guardian and gender live here,
    -- sealed like all personal data (column-bound keys, see platform::encryption).
    owner_uuid         uuid NOT NULL REFERENCES user_account (uuid),
    owner_name_enc     text NOT NULL,
    owner_guardian_enc text NOT NULL,
    owner_gender       text NOT NULL CHECK (owner_gender IN ('MALE', 'FEMALE', 'TRANSGENDER')),
    owner_mobile_enc   text NOT NULL,
    owner_mobile_hash  bytea NOT NULL,
    additional_details jsonb NOT NULL DEFAULT '{}',
    created_by         uuid,
    created_at         timestamptz NOT NULL,
    last_modified_by   uuid,
    last_modified_at   timestamptz NOT NULL,
    UNIQUE (tenant_id, property_id)
);
CREATE INDEX property_owner ON property (owner_uuid);

CREATE TABLE water_connection (
    id                    uuid PRIMARY KEY,
    tenant_id             text NOT NULL REFERENCES mdms_tenant (code),
    property_id           uuid NOT NULL REFERENCES property (id),
    connection_no         text NOT NULL,
    application_no        text NOT NULL,
    old_connection_no     text NOT NULL CHECK (old_connection_no ~ '^[A-Za-z0-9/-]{1,20}$'),
    status                text NOT NULL DEFAULT 'Active' CHECK (status IN ('Active', 'Inactive')),
    application_status    text NOT NULL DEFAULT 'CONNECTION_ACTIVATED',
    connection_type       text NOT NULL CHECK (connection_type IN ('Metered', 'Non_Metered')),
    connection_category   text NOT NULL DEFAULT 'PERMANENT',
    meter_id              text CHECK (meter_id ~ '^[A-Za-z0-9]{1,30}$'),
    meter_installation_date timestamptz,
    -- Metered: the date of the reading before the first bill. Non-metered: the end of the last
    -- billing cycle billed before the GP joined (the opening arrears run up to it).
    previous_reading_date timestamptz NOT NULL,
    initial_meter_reading integer CHECK (initial_meter_reading BETWEEN 0 AND 99999),
    arrears               numeric(12, 2) NOT NULL DEFAULT 0 CHECK (arrears BETWEEN 0 AND 10000),
    penalty               numeric(12, 2) NOT NULL DEFAULT 0 CHECK (penalty BETWEEN 0 AND 10000),
    advance               numeric(12, 2) NOT NULL DEFAULT 0 CHECK (advance BETWEEN 0 AND 10000),
    category              text CHECK (category IN ('APL', 'BPL')),
    sub_category          text CHECK (sub_category IN ('SC', 'ST', 'GENERAL')),
    aadhaar_enc           text,
    proposed_taps         integer NOT NULL DEFAULT 1,
    no_of_taps            integer NOT NULL DEFAULT 1,
    proposed_pipe_size    numeric(6, 2) NOT NULL DEFAULT 10,
    remarks               text CHECK (length(remarks) <= 40),
    additional_details    jsonb NOT NULL DEFAULT '{}',
    created_by            uuid,
    created_at            timestamptz NOT NULL,
    last_modified_by      uuid,
    last_modified_at      timestamptz NOT NULL,
    UNIQUE (tenant_id, connection_no),
    CHECK (connection_type = 'Non_Metered' OR (meter_id IS NOT NULL AND initial_meter_reading IS NOT NULL)),
    CHECK (arrears > 0 OR penalty = 0),
    CHECK (advance = 0 OR (arrears = 0 AND penalty = 0)),
    CHECK (status = 'Active' OR remarks IS NOT NULL)
);
-- The old connection id is unique within a GP, whatever its case.
CREATE UNIQUE INDEX water_connection_old_no ON water_connection (tenant_id, upper(old_connection_no));
CREATE INDEX water_connection_property ON water_connection (property_id);
CREATE INDEX water_connection_tenant_type ON water_connection (tenant_id, connection_type, status);

-- Every mobile number a connection's holder has had, as a blind index: a search by an old
-- number still finds the connection.
CREATE TABLE water_connection_mobile (
    connection_id uuid NOT NULL REFERENCES water_connection (id),
    tenant_id     text NOT NULL REFERENCES mdms_tenant (code),
    mobile_hash   bytea NOT NULL,
    since         timestamptz NOT NULL,
    PRIMARY KEY (connection_id, mobile_hash)
);
CREATE INDEX water_connection_mobile_hash ON water_connection_mobile (tenant_id, mobile_hash);

-- Every change to a connection, with who, when and what.
CREATE TABLE water_connection_history (
    id            bigserial PRIMARY KEY,
    connection_id uuid NOT NULL REFERENCES water_connection (id),
    tenant_id     text NOT NULL REFERENCES mdms_tenant (code),
    action        text NOT NULL,
    changes       jsonb NOT NULL,
    actor         uuid,
    at            timestamptz NOT NULL
);
CREATE INDEX water_connection_history_connection ON water_connection_history (connection_id, id);
