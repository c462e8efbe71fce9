-- SNS: topics, their HTTP/HTTPS subscriptions, and the deliveries owed to
-- subscribers with every attempt made. Rows are keyed by (account_id,
-- region) like SES's; ARNs are rebuilt from the key and the name or id.

CREATE TABLE sns_topic (
	account_id TEXT NOT NULL,
	region TEXT NOT NULL,
	name TEXT NOT NULL,
	display_name TEXT NOT NULL DEFAULT '',
	signature_version TEXT,		-- '1' or '2'; NULL until set (= '1')
	created_ms INTEGER NOT NULL,
	PRIMARY KEY (account_id, region, name)
) WITHOUT ROWID;

-- One row per subscription. 'deleted' rows stay (counted as
-- SubscriptionsDeleted) until their topic goes, so the token of an
-- UnsubscribeConfirmation can restore them.
CREATE TABLE sns_subscription (
	account_id TEXT NOT NULL,
	region TEXT NOT NULL,
	id TEXT NOT NULL,			-- UUID: the ARN's last part
	topic TEXT NOT NULL,			-- topic name
	protocol TEXT NOT NULL CHECK (protocol IN ('http', 'https')),
	endpoint TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('pending', 'confirmed',
	    'deleted')),
	token TEXT NOT NULL,			-- confirmation (or restore) token
	raw INTEGER NOT NULL DEFAULT 0,		-- RawMessageDelivery
	authenticated INTEGER NOT NULL DEFAULT 0,	-- confirmed by a signed call
	authenticate_unsubscribe INTEGER NOT NULL DEFAULT 0,
	created_ms INTEGER NOT NULL,
	PRIMARY KEY (account_id, region, id)
) WITHOUT ROWID;
CREATE INDEX sns_subscription_topic ON sns_subscription
    (account_id, region, topic, protocol, endpoint);
CREATE UNIQUE INDEX sns_subscription_token ON sns_subscription (token);

-- One row per message owed to one endpoint: everything the POST needs
-- except what is rendered at send time (URLs, signature), so retries send
-- the same bytes. state: 'queued' (due at next_attempt_ms), 'sending'
-- (claimed; back to 'queued' at start-up), 'delivered', 'failed'.
CREATE TABLE sns_delivery (
	id INTEGER PRIMARY KEY AUTOINCREMENT,	-- never reused, even after a reset
	account_id TEXT NOT NULL,
	region TEXT NOT NULL,
	type TEXT NOT NULL CHECK (type IN ('Notification',
	    'SubscriptionConfirmation', 'UnsubscribeConfirmation')),
	message_id TEXT NOT NULL,
	topic_arn TEXT NOT NULL,
	subscription_arn TEXT NOT NULL,
	endpoint TEXT NOT NULL,
	raw INTEGER NOT NULL DEFAULT 0,
	signature_version TEXT NOT NULL,
	subject TEXT,
	message TEXT NOT NULL,
	token TEXT,				-- confirmations
	timestamp_ms INTEGER NOT NULL,		-- the envelope's Timestamp
	state TEXT NOT NULL DEFAULT 'queued',
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_ms INTEGER NOT NULL
);
CREATE INDEX sns_delivery_due ON sns_delivery (state, next_attempt_ms);
CREATE INDEX sns_delivery_topic ON sns_delivery (topic_arn, id);

CREATE TABLE sns_attempt (
	delivery_id INTEGER NOT NULL REFERENCES sns_delivery (id)
	    ON DELETE CASCADE,
	attempt INTEGER NOT NULL,		-- 1, 2, ...
	at_ms INTEGER NOT NULL,			-- by the test clock
	status TEXT NOT NULL CHECK (status IN ('delivered', 'retry',
	    'failed')),
	http_status INTEGER,			-- NULL: no HTTP answer
	error TEXT,
	PRIMARY KEY (delivery_id, attempt)
) WITHOUT ROWID;
