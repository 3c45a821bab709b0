-- Files move to disk (issue 14): a row keeps the metadata and the path of its file under the
-- configured directory (`filestore.dir`); `bytes` stays only for rows made before this
-- migration until the `filestore-sweep` job writes them out. Exactly one of the two is set.
ALTER TABLE filestore_file ALTER COLUMN bytes DROP NOT NULL;
ALTER TABLE filestore_file ADD COLUMN size bigint, ADD COLUMN sha256 text, ADD COLUMN path text;
UPDATE filestore_file SET size = octet_length(bytes), sha256 = encode(sha256(bytes), 'hex');
ALTER TABLE filestore_file
    ALTER COLUMN size SET NOT NULL,
    ALTER COLUMN sha256 SET NOT NULL,
    ADD CONSTRAINT filestore_file_size CHECK (size >= 0),
    ADD CONSTRAINT filestore_file_sha256 CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    ADD CONSTRAINT filestore_file_path CHECK (path ~ '^[0-9a-f]{2}/[0-9a-f-]{36}$'),
    ADD CONSTRAINT filestore_file_kept CHECK ((bytes IS NULL) <> (path IS NULL));
