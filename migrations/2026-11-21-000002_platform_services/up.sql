-- Location (platform::location), localization (platform::localization), id generation
-- (platform::idgen).

CREATE TABLE location_boundary (
    tenant_id      text NOT NULL REFERENCES mdms_tenant (code),
    hierarchy_type text NOT NULL CHECK (hierarchy_type <> ''),
    code           text NOT NULL CHECK (code <> ''),
    name           text NOT NULL,
    label          text NOT NULL CHECK (label <> ''),
    boundary_num   integer NOT NULL DEFAULT 1,
    parent_code    text,
    PRIMARY KEY (tenant_id, hierarchy_type, code),
    FOREIGN KEY (tenant_id, hierarchy_type, parent_code)
        REFERENCES location_boundary (tenant_id, hierarchy_type, code)
);

CREATE TABLE localization_message (
    tenant_id  text NOT NULL REFERENCES mdms_tenant (code),
    locale     text NOT NULL CHECK (locale IN ('en_IN', 'hi_IN', 'pa_IN')),
    module     text NOT NULL CHECK (module <> ''),
    code       text NOT NULL CHECK (code <> ''),
    message    text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, locale, module, code)
);
CREATE INDEX localization_message_code ON localization_message (tenant_id, code);

CREATE TABLE idgen_sequence (
    tenant_id text NOT NULL REFERENCES mdms_tenant (code),
    name      text NOT NULL CHECK (name <> ''),
    value     bigint NOT NULL CHECK (value >= 0),
    PRIMARY KEY (tenant_id, name)
);
