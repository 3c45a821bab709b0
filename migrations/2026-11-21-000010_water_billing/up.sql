-- Meter readings (ws-calculator meterConnection) and bulk demand batches.

CREATE TABLE water_meter_reading (
    id                   uuid PRIMARY KEY,
    tenant_id            text NOT NULL REFERENCES mdms_tenant (code),
    connection_id        uuid NOT NULL REFERENCES water_connection (id),
    -- "dd/MM/yyyy - dd/MM/yyyy": last reading date to this reading date; one bill per period
    billing_period       text NOT NULL,
    last_reading         integer NOT NULL CHECK (last_reading BETWEEN 0 AND 99999),
    last_reading_date    timestamptz NOT NULL,
    current_reading      integer NOT NULL CHECK (current_reading BETWEEN 0 AND 99999),
    current_reading_date timestamptz NOT NULL,
    consumption          integer GENERATED ALWAYS AS (current_reading - last_reading) STORED,
    meter_status         text NOT NULL CHECK (meter_status IN ('Working', 'Locked', 'Breakdown', 'No-meter', 'Reset', 'Replacement')),
    demand_id            uuid REFERENCES billing_demand (id),
    created_by           uuid,
    created_at           timestamptz NOT NULL,
    UNIQUE (connection_id, billing_period),
    CHECK (current_reading > last_reading),
    CHECK (current_reading_date > last_reading_date)
);
CREATE INDEX water_meter_reading_connection ON water_meter_reading (connection_id, current_reading_date);

-- One run of bulk demand for a GP and a month, with its counts.
CREATE TABLE water_bulk_demand_batch (
    id           uuid PRIMARY KEY,
    tenant_id    text NOT NULL REFERENCES mdms_tenant (code),
    period_from  timestamptz NOT NULL,
    period_to    timestamptz NOT NULL,
    status       text NOT NULL CHECK (status IN ('IN_PROGRESS', 'DONE', 'FAILED')),
    requested_by uuid,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz,
    targets      integer NOT NULL DEFAULT 0 CHECK (targets >= 0),
    created      integer NOT NULL DEFAULT 0 CHECK (created >= 0),
    skipped      integer NOT NULL DEFAULT 0 CHECK (skipped >= 0),
    message      text,
    CHECK (period_to > period_from),
    CHECK ((status = 'IN_PROGRESS') = (finished_at IS NULL))
);
-- At most one run of a GP and month under way at a time.
CREATE UNIQUE INDEX water_bulk_demand_one_running ON water_bulk_demand_batch (tenant_id, period_from) WHERE status = 'IN_PROGRESS';
CREATE INDEX water_bulk_demand_batch_tenant ON water_bulk_demand_batch (tenant_id, started_at DESC);

-- Credit (advance) lines are few: bulk demand looks for them per GP after each run.
CREATE INDEX billing_demand_detail_credit ON billing_demand_detail (tenant_id) WHERE tax_amount < 0;
