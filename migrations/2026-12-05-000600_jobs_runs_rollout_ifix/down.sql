DROP TABLE ifix_watermark;
DROP TABLE ifix_event;
DROP TABLE rollout_dashboard;
DROP TABLE job_run;
