-- The outbox: every HTTP request sesbox owes another party, written in the
-- transaction that decided it and sent after commit by one sender thread
-- (outbox.c) that records each attempt. 009's SNS deliveries are one kind;
-- the others are the AWS API calls SES makes when it forwards:
--   'sns'          SNS -> an HTTP/HTTPS subscriber (was sns_delivery)
--   'sns-publish'  SES -> an SNS endpoint: a Publish call (Query API)
--   'eventbridge'  SES -> an EventBridge endpoint: a PutEvents call
-- Rows hold what the request needs except what is made at send time (SNS
-- URLs and signatures, SigV4 signatures), so retries send the same message.

CREATE TABLE outbox (
	id INTEGER PRIMARY KEY AUTOINCREMENT,	-- never reused, even after a reset
	kind TEXT NOT NULL CHECK (kind IN ('sns', 'sns-publish',
	    'eventbridge')),
	account_id TEXT NOT NULL,
	region TEXT NOT NULL,
	endpoint TEXT NOT NULL,			-- the URL POSTed to
	-- sns: the message type; sns-publish: 'Publish'; eventbridge: the
	-- event's detail-type
	type TEXT NOT NULL,
	message_id TEXT NOT NULL,		-- sns: MessageId; else sesbox's id
	topic_arn TEXT NOT NULL,		-- the topic, or the event bus ARN
	subscription_arn TEXT,			-- sns
	raw INTEGER NOT NULL DEFAULT 0,		-- sns: RawMessageDelivery
	signature_version TEXT,			-- sns
	subject TEXT,				-- sns, sns-publish
	message TEXT NOT NULL,			-- eventbridge: the PutEvents body
	token TEXT,				-- sns confirmations
	timestamp_ms INTEGER NOT NULL,		-- when it was queued (test clock)
	-- 'queued' (due at next_attempt_ms), 'sending' (claimed; back to
	-- 'queued' at start-up), 'delivered', 'failed'
	state TEXT NOT NULL DEFAULT 'queued',
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_ms INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_ms);
CREATE INDEX outbox_topic ON outbox (topic_arn, id);

CREATE TABLE outbox_attempt (
	outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
	attempt INTEGER NOT NULL,		-- 1, 2, ...
	at_ms INTEGER NOT NULL,			-- by the test clock
	status TEXT NOT NULL CHECK (status IN ('delivered', 'retry',
	    'failed')),
	http_status INTEGER,			-- NULL: no HTTP answer
	error TEXT,
	PRIMARY KEY (outbox_id, attempt)
) WITHOUT ROWID;

INSERT INTO outbox (id, kind, account_id, region, endpoint, type,
    message_id, topic_arn, subscription_arn, raw, signature_version, subject,
    message, token, timestamp_ms, state, attempts, next_attempt_ms)
SELECT id, 'sns', account_id, region, endpoint, type, message_id, topic_arn,
    subscription_arn, raw, signature_version, subject, message, token,
    timestamp_ms, state, attempts, next_attempt_ms FROM sns_delivery;
INSERT INTO outbox_attempt (outbox_id, attempt, at_ms, status, http_status,
    error)
SELECT delivery_id, attempt, at_ms, status, http_status, error
    FROM sns_attempt;
-- Ids go on from where sns_delivery's stopped, deleted rows included.
DELETE FROM sqlite_sequence WHERE name = 'outbox';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'outbox', seq FROM sqlite_sequence WHERE name = 'sns_delivery';
DROP TABLE sns_attempt;
DROP TABLE sns_delivery;

-- A publication sent through the outbox (forwarded to an SNS or EventBridge
-- endpoint) names its row; its status follows the row's fate.
ALTER TABLE publication ADD COLUMN outbox_id INTEGER;
CREATE INDEX publication_by_outbox ON publication (outbox_id)
    WHERE outbox_id IS NOT NULL;
