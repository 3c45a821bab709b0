-- Short links (egov-url-shortening): a random key and the path of this server it stands for.
-- Only paths of this server are kept (no scheme, no host), so a short link cannot send anyone
-- elsewhere.
CREATE TABLE shortener_link (
    short_key  text PRIMARY KEY CHECK (short_key ~ '^[A-Za-z0-9]{8}$'),
    target     text NOT NULL CHECK (left(target, 1) = '/' AND left(target, 2) <> '//'
                                    AND strpos(target, '\') = 0 AND length(target) <= 2048),
    valid_from timestamptz,
    valid_till timestamptz,
    created_by uuid,
    created_at timestamptz NOT NULL,
    CHECK (valid_from IS NULL OR valid_till IS NULL OR valid_from <= valid_till)
);
