ALTER TABLE collection_payment DROP COLUMN paid_by_enc;
