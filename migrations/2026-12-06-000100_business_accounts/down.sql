DROP TABLE accounts_line;
DROP TABLE accounts_entry;
DROP FUNCTION accounts_entry_balanced();
