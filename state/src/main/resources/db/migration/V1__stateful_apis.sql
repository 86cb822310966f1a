-- Puna's durable state for the stateful OpenAI APIs. One schema for SQLite and PostgreSQL: only types and
-- constraints both understand. Every object is stored as the JSON document the API serves (body), next to the
-- columns queries need. seq is the creation order (microseconds since the epoch, made strictly increasing by the
-- process that inserts; see dev.puna.state.Ids): lists are ordered by it, and a list cursor (an object id) stands
-- for its seq.
--
-- Parent rows cascade: deleting a thread deletes its messages, runs and steps; a conversation its items; a
-- response its input items.

CREATE TABLE assistants (
    id   VARCHAR(64) PRIMARY KEY,
    seq  BIGINT      NOT NULL,
    body TEXT        NOT NULL
);

CREATE TABLE threads (
    id   VARCHAR(64) PRIMARY KEY,
    seq  BIGINT      NOT NULL,
    body TEXT        NOT NULL
);

CREATE TABLE messages (
    id        VARCHAR(64) PRIMARY KEY,
    thread_id VARCHAR(64) NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    seq       BIGINT      NOT NULL,
    run_id    VARCHAR(64),
    body      TEXT        NOT NULL
);
CREATE INDEX messages_by_thread ON messages (thread_id, seq);

-- status mirrors body.status; node_id/lease_until say which server process executes the run and until when its
-- claim holds (renewed while it runs; an expired lease means the process died); expires_at mirrors
-- body.expires_at (a run waiting for tool outputs past it expires).
CREATE TABLE runs (
    id          VARCHAR(64) PRIMARY KEY,
    thread_id   VARCHAR(64) NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    seq         BIGINT      NOT NULL,
    status      VARCHAR(32) NOT NULL,
    node_id     VARCHAR(64),
    lease_until BIGINT,
    expires_at  BIGINT,
    body        TEXT        NOT NULL
);
CREATE INDEX runs_by_thread ON runs (thread_id, seq);
CREATE INDEX runs_by_status ON runs (status);

CREATE TABLE run_steps (
    id     VARCHAR(64) PRIMARY KEY,
    run_id VARCHAR(64) NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    seq    BIGINT      NOT NULL,
    body   TEXT        NOT NULL
);
CREATE INDEX run_steps_by_run ON run_steps (run_id, seq);

CREATE TABLE conversations (
    id   VARCHAR(64) PRIMARY KEY,
    seq  BIGINT      NOT NULL,
    body TEXT        NOT NULL
);

-- Item ids are unique per conversation, not globally: clients may send items with ids of their own.
CREATE TABLE conversation_items (
    conversation_id VARCHAR(64) NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    id              VARCHAR(64) NOT NULL,
    seq             BIGINT      NOT NULL,
    body            TEXT        NOT NULL,
    PRIMARY KEY (conversation_id, id)
);
CREATE INDEX conversation_items_by_conversation ON conversation_items (conversation_id, seq);

-- Responses stored with store=true (and background ones while they run). Columns as for runs.
CREATE TABLE responses (
    id          VARCHAR(64) PRIMARY KEY,
    seq         BIGINT      NOT NULL,
    status      VARCHAR(32) NOT NULL,
    node_id     VARCHAR(64),
    lease_until BIGINT,
    expires_at  BIGINT,
    body        TEXT        NOT NULL
);
CREATE INDEX responses_by_status ON responses (status);

-- A response's input items, in order (GET /v1/responses/{id}/input_items, and the chain behind
-- previous_response_id). Item ids are unique per response, not globally.
CREATE TABLE response_items (
    response_id VARCHAR(64) NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    id          VARCHAR(64) NOT NULL,
    seq         BIGINT      NOT NULL,
    body        TEXT        NOT NULL,
    PRIMARY KEY (response_id, id)
);
CREATE INDEX response_items_by_response ON response_items (response_id, seq);
