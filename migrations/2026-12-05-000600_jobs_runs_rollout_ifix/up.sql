-- Issue 16: a record of every job run, the roll-out dashboard (product.md §5.3) and the iFIX
-- fiscal-event export.

-- One row per run of a named job (src/jobs.rs), by the scheduler or by hand. The start is
-- committed on its own before the job runs, so a run that fails or dies is still seen.
CREATE TABLE job_run (
    id bigserial PRIMARY KEY,
    job text NOT NULL CHECK (length(job) BETWEEN 1 AND 64),
    trigger text NOT NULL CHECK (trigger IN ('schedule', 'hand')),
    args text NOT NULL DEFAULT '' CHECK (length(args) <= 200),
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    outcome text NOT NULL DEFAULT 'running'
        CHECK (outcome IN ('running', 'ok', 'failed', 'skipped-locked')),
    summary text NOT NULL DEFAULT '' CHECK (length(summary) <= 2000),
    error text CHECK (length(error) <= 8000),
    CHECK ((outcome = 'running') = (finished_at IS NULL)),
    CHECK (finished_at IS NULL OR finished_at >= started_at),
    CHECK ((error IS NOT NULL) = (outcome = 'failed'))
);
CREATE INDEX job_run_by_job ON job_run (job, started_at DESC);

-- The roll-out dashboard: one row per GP and window, replaced whole by the daily job
-- `rollout-dashboard` in one transaction.
CREATE TABLE rollout_dashboard (
    tenant_id text NOT NULL REFERENCES mdms_tenant (code),
    date_range text NOT NULL CHECK (length(date_range) BETWEEN 1 AND 40),
    position smallint NOT NULL CHECK (position >= 0),
    range_from date,
    range_to date,
    tenant_name text NOT NULL,
    project_code text NOT NULL DEFAULT '',
    zone text NOT NULL DEFAULT '',
    circle text NOT NULL DEFAULT '',
    division text NOT NULL DEFAULT '',
    subdivision text NOT NULL DEFAULT '',
    section text NOT NULL DEFAULT '',
    active_users_count integer NOT NULL CHECK (active_users_count >= 0),
    total_advance numeric(14, 2) NOT NULL,
    total_penalty numeric(14, 2) NOT NULL,
    total_connections integer NOT NULL CHECK (total_connections >= 0),
    active_connections integer NOT NULL CHECK (active_connections >= 0),
    last_demand_gen_date date,
    demand_generated_consumer_count integer NOT NULL CHECK (demand_generated_consumer_count >= 0),
    total_demand_amount numeric(14, 2) NOT NULL,
    collection_till_date numeric(14, 2) NOT NULL,
    online_collection numeric(14, 2) NOT NULL,
    last_collection_date date,
    expense_count integer NOT NULL CHECK (expense_count >= 0),
    count_of_electricity_expense_bills integer NOT NULL CHECK (count_of_electricity_expense_bills >= 0),
    no_of_paid_expense_bills integer NOT NULL CHECK (no_of_paid_expense_bills >= 0),
    last_expense_txn_date date,
    total_amount_of_expense_bills numeric(14, 2) NOT NULL,
    total_amount_of_electricity_bills numeric(14, 2) NOT NULL,
    total_amount_of_paid_expense_bills numeric(14, 2) NOT NULL,
    rating_count integer NOT NULL CHECK (rating_count >= 0),
    last_rating_date date,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, date_range),
    CHECK (range_from IS NULL OR range_to IS NULL OR range_from <= range_to)
);
CREATE INDEX rollout_dashboard_division ON rollout_dashboard (division, tenant_id);

-- Fiscal events for iFIX (mgramseva-ifix-adapter): one per source record and event type, so
-- nothing is exported twice. Written by the job `ifix-export`, pushed by its adapter.
CREATE TABLE ifix_event (
    id uuid PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES mdms_tenant (code),
    event_type text NOT NULL CHECK (event_type IN ('DEMAND', 'BILL', 'RECEIPT', 'PAYMENT')),
    source_id uuid NOT NULL,
    source_at timestamptz NOT NULL,
    amount numeric(14, 2) NOT NULL,
    body jsonb NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'pushed', 'recorded', 'failed')),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text CHECK (length(last_error) <= 2000),
    pushed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ifix_event_once UNIQUE (source_id, event_type),
    CHECK ((status IN ('pushed', 'recorded')) = (pushed_at IS NOT NULL))
);
CREATE INDEX ifix_event_due ON ifix_event (next_attempt_at) WHERE status = 'pending';

-- How far `ifix-export` has read each source (created_at of the last record exported).
CREATE TABLE ifix_watermark (
    source text PRIMARY KEY CHECK (source IN ('demand', 'payment')),
    upto timestamptz NOT NULL
);
