-- Rows whose bytes are only on disk cannot go back into the table: refuse rather than lose them.
DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM filestore_file WHERE bytes IS NULL) THEN
    RAISE EXCEPTION 'files are kept on disk; copy them back before going down';
  END IF;
END $$;
ALTER TABLE filestore_file DROP CONSTRAINT filestore_file_kept, DROP CONSTRAINT filestore_file_path,
    DROP CONSTRAINT filestore_file_sha256, DROP CONSTRAINT filestore_file_size,
    DROP COLUMN path, DROP COLUMN sha256, DROP COLUMN size;
ALTER TABLE filestore_file ALTER COLUMN bytes SET NOT NULL;
