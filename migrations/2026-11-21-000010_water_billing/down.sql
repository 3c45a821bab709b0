DROP INDEX billing_demand_detail_credit;
DROP TABLE water_bulk_demand_batch;
DROP TABLE water_meter_reading;
