DROP TABLE echallan_history;
DROP TABLE echallan_bill;
DROP TABLE vendor_account;
