DROP TABLE userevent_last_access;
DROP TABLE userevent_state;
DROP TABLE userevent_recipient;
DROP TABLE userevent_event;
