DROP TABLE pg_sandbox_payment;
DROP TABLE pg_transaction_dump;
DROP TABLE pg_transaction;
DROP SEQUENCE pg_txn_seq;
