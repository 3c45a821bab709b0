DROP TABLE echallan_history;
DROP TABLE echallan;
DROP TABLE vendor;
