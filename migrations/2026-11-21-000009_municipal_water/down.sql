DROP TABLE water_connection_history;
DROP TABLE water_connection_mobile;
DROP TABLE water_connection;
DROP TABLE property;
