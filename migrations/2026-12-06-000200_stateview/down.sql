DROP INDEX IF EXISTS water_connection_by_last_modified;
DROP INDEX IF EXISTS echallan_bill_by_last_modified;
DROP INDEX IF EXISTS collection_payment_by_last_modified;
DROP INDEX IF EXISTS billing_demand_by_last_modified;
DROP TABLE stateview_watermark;
DROP TABLE stateview_gp;
DROP TABLE stateview_gp_month;
