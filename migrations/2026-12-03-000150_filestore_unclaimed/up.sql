-- Uploads made without a login (the mGramSeva app sends `POST /filestore/v1/files` without a
-- token) are kept "unclaimed" until a record of their GP names them (an expense bill); the
-- filestore-sweep job removes unclaimed files after a day. Only anonymous files are unclaimed.
ALTER TABLE filestore_file ADD COLUMN unclaimed boolean NOT NULL DEFAULT false;
ALTER TABLE filestore_file ADD CONSTRAINT filestore_file_unclaimed_anonymous
    CHECK (NOT unclaimed OR created_by IS NULL);
CREATE INDEX filestore_file_unclaimed ON filestore_file (tenant_id, created_at) WHERE unclaimed;
