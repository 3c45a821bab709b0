-- In-app notifications (egov-user-event): the events the scheduled reminders raise, who they are
-- addressed to (people, or roles on the event's GP), and each person's own state of each event
-- (no row = ACTIVE, i.e. unread; READ once opened; INACTIVE once closed). The original kept one
-- status on the event, so one person closing a card closed it for everyone it was sent to; here
-- each person's card is their own.
CREATE TABLE userevent_event (
    id                uuid PRIMARY KEY,
    tenant_id         text NOT NULL REFERENCES mdms_tenant (code),
    event_type        text NOT NULL DEFAULT 'SYSTEMGENERATED'
                      CHECK (event_type IN ('SYSTEMGENERATED', 'BROADCAST', 'EVENTSONGROUND')),
    event_category    text CHECK (event_category <> ''),
    name              text NOT NULL CHECK (name ~ '^[A-Z0-9_]{1,64}$'),
    description       text NOT NULL CHECK (length(description) <= 2000),
    source            text NOT NULL DEFAULT 'WEBAPP' CHECK (source IN ('WEBAPP', 'MOBILEAPP', 'SYSTEM')),
    posted_by         text NOT NULL CHECK (posted_by <> '' AND length(posted_by) <= 64),
    reference_id      text CHECK (reference_id <> ''),
    localization_code text NOT NULL CHECK (localization_code ~ '^[A-Za-z0-9_.]{1,128}$'),
    -- {"{amount}": "1200", ...}: the placeholders of the text and their values, all strings
    attributes        jsonb NOT NULL DEFAULT '{}'
                      CHECK (jsonb_typeof(attributes) = 'object'
                             AND NOT jsonb_path_exists(attributes, '$.* ? (@.type() != "string")')),
    -- [{"actionUrl": "/home/...", "code": ...}]: paths of this server only
    action_urls       jsonb NOT NULL DEFAULT '[]'
                      CHECK (jsonb_typeof(action_urls) = 'array'
                             AND NOT jsonb_path_exists(action_urls,
                                 '$[*] ? (!(@.actionUrl starts with "/") || @.actionUrl starts with "//")')),
    created_by        uuid,
    created_at        timestamptz NOT NULL,
    last_modified_by  uuid,
    last_modified_at  timestamptz NOT NULL,
    CHECK (last_modified_at >= created_at)
);
CREATE INDEX userevent_event_tenant ON userevent_event (tenant_id, created_at DESC);

-- One row per addressee: a person (user_uuid) or a role on the event's GP (role_code).
CREATE TABLE userevent_recipient (
    id        bigserial PRIMARY KEY,
    event_id  uuid NOT NULL REFERENCES userevent_event (id) ON DELETE CASCADE,
    user_uuid uuid REFERENCES user_account (uuid) ON DELETE CASCADE,
    role_code text REFERENCES mdms_role (code),
    CHECK ((user_uuid IS NULL) <> (role_code IS NULL)),
    UNIQUE (event_id, user_uuid),
    UNIQUE (event_id, role_code)
);
CREATE INDEX userevent_recipient_user ON userevent_recipient (user_uuid) WHERE user_uuid IS NOT NULL;
CREATE INDEX userevent_recipient_role ON userevent_recipient (role_code) WHERE role_code IS NOT NULL;

-- A person's state of an event, once it is no longer ACTIVE (or set back to it).
CREATE TABLE userevent_state (
    event_id   uuid NOT NULL REFERENCES userevent_event (id) ON DELETE CASCADE,
    user_uuid  uuid NOT NULL REFERENCES user_account (uuid) ON DELETE CASCADE,
    status     text NOT NULL CHECK (status IN ('ACTIVE', 'READ', 'INACTIVE')),
    changed_at timestamptz NOT NULL,
    PRIMARY KEY (event_id, user_uuid)
);

-- When a person last looked at their notifications (`lat/_update`).
CREATE TABLE userevent_last_access (
    user_uuid      uuid PRIMARY KEY REFERENCES user_account (uuid) ON DELETE CASCADE,
    last_access_at timestamptz NOT NULL
);
