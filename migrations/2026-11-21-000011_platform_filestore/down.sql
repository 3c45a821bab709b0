DROP TABLE filestore_file;
