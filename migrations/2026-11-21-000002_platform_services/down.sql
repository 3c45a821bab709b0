DROP TABLE idgen_sequence;
DROP TABLE localization_message;
DROP TABLE location_boundary;
