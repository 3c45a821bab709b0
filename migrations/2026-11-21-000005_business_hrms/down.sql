DROP TABLE hrms_status_change;
DROP TABLE hrms_employee;
