-- The panel's schema on the team server, version 2. `{panel}` and `{chair}` are the quoted
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

-- The id of every event is a hash of what it says (the names, its author, the author's time
-- and its content), so a re-send is recognised and no event can take another's id: the
-- first 8 bytes of SHA-256 over the fields joined by U+001F, as a signed big-endian bigint.
-- The client computes the same (`team::content_id`) and trusts no row whose id differs.
-- A standard SQL body is parsed here, once (no search_path can change what it calls), and is
-- inlined into the CHECK constraints below.
CREATE FUNCTION bagel.content_id(fields text[]) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT ('x' || left(encode(sha256(convert_to(array_to_string(fields, chr(31), ''), 'UTF8')), 'hex'), 16))::bit(64)::bigint;
END;

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
    -- The time on the author's machine: part of the id, so each of their events is its own.
    authored_at text NOT NULL,
    cast_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT id_is_content_hash CHECK (event_id = bagel.content_id(ARRAY['vote', dataset,
        file, wnid, reviewer, round, authored_at, coalesce(verdict, 'withdrawn'), category,
        severity, note]))
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

-- The panel's settings, an append-only log too: the latest value of a key stands. Only a
-- chair (or the owner) sets them.
CREATE TABLE bagel.settings (
    seq     bigint PRIMARY KEY,
    key     text NOT NULL CHECK (key IN ('quorum', 'blind_round', 'chair')),
    value   text NOT NULL,
    set_by  text NOT NULL DEFAULT current_user,
    cast_at timestamptz NOT NULL DEFAULT now(),
    CHECK (key <> 'quorum' OR value ~ '^[1-9][0-9]{0,3}$'),
    CHECK (key <> 'blind_round' OR value IN ('on', 'off'))
);

CREATE FUNCTION bagel.setting(wanted text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT value FROM bagel.settings WHERE key = wanted ORDER BY seq DESC LIMIT 1
$$;

-- Whether a reviewer `who` may see others' traces (votes, notes) on a pair: everyone when the
-- panel has no blind round, else once they have voted on it independently. (A chair sees all:
-- the policies ask that first, inline, so a chair's read calls no function per row.)
CREATE FUNCTION bagel.sees_pair(who text, d text, i integer, l smallint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce((SELECT value FROM bagel.settings WHERE key = 'blind_round'
                     ORDER BY seq DESC LIMIT 1), 'on') = 'off'
        OR EXISTS (
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
    OR bagel.sees_pair(current_user, dataset, image, label)
);
-- Events only in one's own name; the chair's round only for the chair.
CREATE POLICY own_name ON bagel.events FOR INSERT WITH CHECK (
    reviewer = current_user
    AND (round <> 'chair' OR pg_has_role(current_user, '{chair_name}', 'MEMBER'))
);

-- A note on a pair is a trace of its author's opinion: the blind round hides it as it hides
-- votes. Its id is the same content hash as in the project (`reply_to` names a parent by it).
CREATE TABLE bagel.notes (
    seq         bigint PRIMARY KEY,
    event_id    bigint NOT NULL UNIQUE,
    dataset     text NOT NULL REFERENCES bagel.datasets (name),
    image       integer NOT NULL CHECK (image >= 0),
    file        text NOT NULL,
    label       smallint NOT NULL CHECK (label >= 0),
    wnid        text NOT NULL,
    reviewer    text NOT NULL DEFAULT current_user,
    authored_at text NOT NULL,
    body        text NOT NULL CHECK (body <> ''),
    reply_to    bigint,
    cast_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT id_is_content_hash CHECK (event_id = bagel.content_id(ARRAY['note', dataset,
        file, wnid, reviewer, authored_at, body, reply_to::text]))
);
ALTER TABLE bagel.notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY blind_round ON bagel.notes FOR SELECT USING (
    reviewer = current_user
    OR pg_has_role(current_user, '{chair_name}', 'MEMBER')
    OR bagel.sees_pair(current_user, dataset, image, label)
);
CREATE POLICY own_name ON bagel.notes FOR INSERT WITH CHECK (reviewer = current_user);

-- Work shared out: which reviewer is to vote on which pair, given by a chair. Seen by all
-- (it tells nobody's opinion). The id hashes the pair and the reviewer, as in the project.
CREATE TABLE bagel.assignments (
    seq         bigint PRIMARY KEY,
    event_id    bigint NOT NULL UNIQUE,
    dataset     text NOT NULL REFERENCES bagel.datasets (name),
    image       integer NOT NULL CHECK (image >= 0),
    file        text NOT NULL,
    label       smallint NOT NULL CHECK (label >= 0),
    wnid        text NOT NULL,
    reviewer    text NOT NULL,
    assigned_by text NOT NULL DEFAULT current_user,
    authored_at text NOT NULL,
    cast_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT id_is_content_hash CHECK (event_id = bagel.content_id(ARRAY['assignment',
        dataset, file, wnid, reviewer]))
);
ALTER TABLE bagel.assignments ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone_reads ON bagel.assignments FOR SELECT USING (true);
CREATE POLICY chair_assigns ON bagel.assignments FOR INSERT WITH CHECK (
    assigned_by = current_user AND pg_has_role(current_user, '{chair_name}', 'MEMBER')
);

ALTER TABLE bagel.settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone_reads ON bagel.settings FOR SELECT USING (true);
CREATE POLICY chair_sets ON bagel.settings FOR INSERT WITH CHECK (
    set_by = current_user AND pg_has_role(current_user, '{chair_name}', 'MEMBER')
);

-- Every log shares the server's order and time, and wakes the listeners.
CREATE TRIGGER stamp_event BEFORE INSERT ON bagel.notes
    FOR EACH ROW EXECUTE FUNCTION bagel.stamp_event();
CREATE TRIGGER stamp_event BEFORE INSERT ON bagel.assignments
    FOR EACH ROW EXECUTE FUNCTION bagel.stamp_event();
CREATE TRIGGER stamp_event BEFORE INSERT ON bagel.settings
    FOR EACH ROW EXECUTE FUNCTION bagel.stamp_event();
CREATE TRIGGER announce_events AFTER INSERT ON bagel.notes
    FOR EACH STATEMENT EXECUTE FUNCTION bagel.announce_events();
CREATE TRIGGER announce_events AFTER INSERT ON bagel.assignments
    FOR EACH STATEMENT EXECUTE FUNCTION bagel.announce_events();
CREATE TRIGGER announce_events AFTER INSERT ON bagel.settings
    FOR EACH STATEMENT EXECUTE FUNCTION bagel.announce_events();

-- Append-only by grants: SELECT and INSERT on the log, SELECT on the rest; nothing else.
REVOKE ALL ON ALL TABLES IN SCHEMA bagel FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA bagel FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA bagel FROM PUBLIC;
GRANT USAGE ON SCHEMA bagel TO {panel};
GRANT SELECT ON bagel.meta, bagel.datasets TO {panel};
GRANT SELECT, INSERT ON bagel.events, bagel.notes, bagel.assignments, bagel.settings TO {panel};
GRANT EXECUTE ON FUNCTION bagel.voted_independently(text, text, integer, smallint) TO {panel};
GRANT EXECUTE ON FUNCTION bagel.sees_pair(text, text, integer, smallint) TO {panel};
GRANT EXECUTE ON FUNCTION bagel.setting(text) TO {panel};
GRANT EXECUTE ON FUNCTION bagel.content_id(text[]) TO {panel};
GRANT {panel} TO {chair};
REVOKE CONNECT, TEMPORARY ON DATABASE {database} FROM PUBLIC;
GRANT CONNECT ON DATABASE {database} TO {panel};
