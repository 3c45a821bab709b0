DROP INDEX filestore_file_unclaimed;
ALTER TABLE filestore_file DROP CONSTRAINT filestore_file_unclaimed_anonymous;
ALTER TABLE filestore_file DROP COLUMN unclaimed;
