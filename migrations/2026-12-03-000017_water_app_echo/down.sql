ALTER TABLE water_connection DROP COLUMN payment_type;
ALTER TABLE water_connection DROP COLUMN holder_is_primary;
ALTER TABLE property DROP COLUMN owner_is_primary;
