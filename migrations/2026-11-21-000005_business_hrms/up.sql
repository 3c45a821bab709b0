-- HRMS (business::hrms): employees are users with an employee record; the GPs they work on are
-- the tenants of their roles. Deactivation and reactivation are kept with reason and who.

CREATE TABLE hrms_employee (
    id                  bigserial PRIMARY KEY,
    user_id             bigint NOT NULL UNIQUE REFERENCES user_account (id),
    tenant_id           text NOT NULL REFERENCES mdms_tenant (code),
    code                text NOT NULL CHECK (code <> ''),
    employee_status     text NOT NULL DEFAULT 'EMPLOYED' CHECK (employee_status IN ('EMPLOYED', 'INACTIVE')),
    employee_type       text NOT NULL DEFAULT 'PERMANENT' CHECK (employee_type <> ''),
    designation         text,
    department          text NOT NULL DEFAULT 'DWSS',
    date_of_appointment date,
    is_active           boolean NOT NULL DEFAULT true,
    created_by          uuid,
    created_at          timestamptz NOT NULL DEFAULT now(),
    last_modified_by    uuid,
    last_modified_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, code),
    CHECK ((employee_status = 'EMPLOYED') = is_active)
);

CREATE TABLE hrms_status_change (
    id             bigserial PRIMARY KEY,
    employee_id    bigint NOT NULL REFERENCES hrms_employee (id),
    tenant_id      text NOT NULL REFERENCES mdms_tenant (code),
    action         text NOT NULL CHECK (action IN ('DEACTIVATE', 'REACTIVATE')),
    reason         text NOT NULL CHECK (reason <> ''),
    effective_from date NOT NULL,
    order_no       text,
    remarks        text,
    changed_by     uuid,
    changed_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hrms_status_change_employee ON hrms_status_change (employee_id, id);
