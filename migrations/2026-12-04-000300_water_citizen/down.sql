DROP TABLE water_upi;
DROP TABLE water_feedback;
