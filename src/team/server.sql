-- The panel's schema on the team server, version 1. `{panel}` and `{chair}` are the quoted
-- names of the group roles every reviewer and every chair belongs to, `{chair_name}` the chair
-- group's name as text, `{database}` the quoted database name. Run once, by the database's
-- owner, in one transaction.
CREATE SCHEMA bagel;
REVOKE ALL ON SCHEMA bagel FROM PUBLIC;

CREATE TABLE bagel.meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);

-- The project's datasets, so a member's project is checked to hold the same images in the
-- same order before it joins (events name images by their index).
CREATE TABLE bagel.datasets (
    name        text PRIMARY KEY,
    images      integer NOT NULL,
    images_hash text NOT NULL
);

CREATE SEQUENCE bagel.event_order;

CREATE TABLE bagel.events (
    seq      bigint PRIMARY KEY,
    -- The client's id of the event: a re-send of the same event is refused by this key.
    event_id bigint NOT NULL UNIQUE,
    dataset  text NOT NULL REFERENCES bagel.datasets (name),
    image    integer NOT NULL CHECK (image >= 0),
    file     text NOT NULL,
    label    smallint NOT NULL CHECK (label >= 0),
    wnid     text NOT NULL,
    reviewer text NOT NULL DEFAULT current_user,
    round    text NOT NULL CHECK (round IN ('independent', 'discussion', 'chair')),
    verdict  text CHECK (verdict IN ('correct', 'unclear', 'wrong', 'problematic')),
    category text CHECK (category IN ('fine_grained', 'fine_grained_oov', 'spurious', 'non_prototypical')),
    severity text CHECK (severity IN ('major', 'minor')),
    note     text NOT NULL DEFAULT '',
    cast_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_by_pair ON bagel.events (dataset, image, label, reviewer);

-- The server, not the client, orders and times events. One inserting transaction at a time
-- (the lock is held to its commit): the order of `seq` is then the order in which events
-- become visible, so a client reading "everything after the last seq I saw" never skips an
-- event committed late with a smaller number.
CREATE FUNCTION bagel.stamp_event() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(1111574348);
    NEW.seq := nextval('bagel.event_order');
    -- The clock at the lock, not the transaction's start: times then rise with seq.
    NEW.cast_at := clock_timestamp();
    RETURN NEW;
END
$$;
CREATE TRIGGER stamp_event BEFORE INSERT ON bagel.events
    FOR EACH ROW EXECUTE FUNCTION bagel.stamp_event();

CREATE FUNCTION bagel.announce_events() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM pg_notify('bagel_events', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER announce_events AFTER INSERT ON bagel.events
    FOR EACH STATEMENT EXECUTE FUNCTION bagel.announce_events();

-- Whether `who` has cast an independent vote on a pair. Runs as the schema's owner: a policy
-- cannot read its own table through itself.
CREATE FUNCTION bagel.voted_independently(who text, d text, i integer, l smallint)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1 FROM bagel.events e
        WHERE e.dataset = d AND e.image = i AND e.label = l AND e.reviewer = who
          AND e.round = 'independent' AND e.verdict IS NOT NULL)
$$;

ALTER TABLE bagel.events ENABLE ROW LEVEL SECURITY;
-- The blind round: a reviewer sees their own events, and others' on a pair only once they
-- have voted on it independently; a chair sees everything.
CREATE POLICY blind_round ON bagel.events FOR SELECT USING (
    reviewer = current_user
    OR pg_has_role(current_user, '{chair_name}', 'MEMBER')
    OR bagel.voted_independently(current_user, dataset, image, label)
);
-- Events only in one's own name; the chair's round only for the chair.
CREATE POLICY own_name ON bagel.events FOR INSERT WITH CHECK (
    reviewer = current_user
    AND (round <> 'chair' OR pg_has_role(current_user, '{chair_name}', 'MEMBER'))
);

-- Append-only by grants: SELECT and INSERT on the log, SELECT on the rest; nothing else.
REVOKE ALL ON ALL TABLES IN SCHEMA bagel FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA bagel FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA bagel FROM PUBLIC;
GRANT USAGE ON SCHEMA bagel TO {panel};
GRANT SELECT ON bagel.meta, bagel.datasets TO {panel};
GRANT SELECT, INSERT ON bagel.events TO {panel};
GRANT EXECUTE ON FUNCTION bagel.voted_independently(text, text, integer, smallint) TO {panel};
GRANT {panel} TO {chair};
REVOKE CONNECT, TEMPORARY ON DATABASE {database} FROM PUBLIC;
GRANT CONNECT ON DATABASE {database} TO {panel};
