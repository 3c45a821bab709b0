-- Files (egov-filestore): generated bill and receipt PDFs, uploads. Small files only; the bytes
-- live in the row.
CREATE TABLE filestore_file (
    id           uuid PRIMARY KEY,
    tenant_id    text NOT NULL REFERENCES mdms_tenant (code),
    module       text NOT NULL CHECK (module <> ''),
    tag          text,
    file_name    text NOT NULL CHECK (file_name <> '' AND length(file_name) <= 200),
    content_type text NOT NULL,
    bytes        bytea NOT NULL CHECK (octet_length(bytes) BETWEEN 1 AND 10485760),
    created_by   uuid,
    created_at   timestamptz NOT NULL
);
CREATE INDEX filestore_file_tag ON filestore_file (tenant_id, tag);
