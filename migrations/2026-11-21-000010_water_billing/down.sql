DROP TABLE water_bulk_demand_batch;
DROP TABLE water_meter_reading;
