-- 001: accounts, identities and what hangs off them (policies, tags),
-- custom verification templates, and recipient counts behind the daily
-- quota. Every row is keyed by (account_id, region).

CREATE TABLE account (
	account_id TEXT NOT NULL,
	region TEXT NOT NULL,
	sending_enabled INTEGER NOT NULL DEFAULT 1,
	production_access INTEGER NOT NULL DEFAULT 1,
	details TEXT,			-- JSON: v2 GetAccount.Details
	updated_ms INTEGER NOT NULL,
	PRIMARY KEY (account_id, region)
) WITHOUT ROWID;

-- One row per email address or domain identity. Status columns use v1
-- casing ("Success"); the v2 view converts ("SUCCESS").
CREATE TABLE identity (
	account_id TEXT NOT NULL,
	region TEXT NOT NULL,
	name TEXT NOT NULL,		-- address as given; domain lower-cased
	type TEXT NOT NULL CHECK (type IN ('EmailAddress', 'Domain')),
	verification_status TEXT NOT NULL DEFAULT 'Pending',
	verification_token TEXT,		-- domains: 44-char base64
	status_ms INTEGER NOT NULL,		-- when verification (re)started
	sending_enabled INTEGER NOT NULL DEFAULT 1,
	created_ms INTEGER NOT NULL,
	dkim_enabled INTEGER NOT NULL DEFAULT 0,	-- signing on
	dkim_origin TEXT,			-- 'AWS_SES', 'EXTERNAL' or NULL
	dkim_status TEXT NOT NULL DEFAULT 'NotStarted',
	dkim_tokens TEXT,			-- JSON array of Easy DKIM tokens
	dkim_key_length TEXT,			-- 'RSA_1024_BIT' or 'RSA_2048_BIT'
	dkim_private_key TEXT,			-- PEM, never returned by the API
	dkim_selector TEXT,			-- BYODKIM selector
	dkim_ms INTEGER,			-- when DKIM set-up (re)started
	mail_from_domain TEXT,
	mail_from_behavior TEXT NOT NULL DEFAULT 'UseDefaultValue',
	mail_from_status TEXT,
	mail_from_ms INTEGER,
	bounce_topic TEXT,
	complaint_topic TEXT,
	delivery_topic TEXT,
	forwarding_enabled INTEGER NOT NULL DEFAULT 1,
	headers_bounce INTEGER NOT NULL DEFAULT 0,
	headers_complaint INTEGER NOT NULL DEFAULT 0,
	headers_delivery INTEGER NOT NULL DEFAULT 0,
	configuration_set TEXT,			-- v2 default configuration set
	PRIMARY KEY (account_id, region, name)
) WITHOUT ROWID;

-- Sending-authorization policies, deleted with their identity.
CREATE TABLE identity_policy (
	account_id TEXT NOT NULL,
	region TEXT NOT NULL,
	identity TEXT NOT NULL,
	name TEXT NOT NULL,
	policy TEXT NOT NULL,			-- the JSON document as given
	created_ms INTEGER NOT NULL,
	updated_ms INTEGER NOT NULL,
	PRIMARY KEY (account_id, region, identity, name),
	FOREIGN KEY (account_id, region, identity)
	    REFERENCES identity (account_id, region, name) ON DELETE CASCADE
) WITHOUT ROWID;

-- Tags of any taggable resource, by ARN (v2 TagResource and the Tags of
-- create operations).
CREATE TABLE resource_tag (
	account_id TEXT NOT NULL,
	region TEXT NOT NULL,
	arn TEXT NOT NULL,
	key TEXT NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (account_id, region, arn, key)
) WITHOUT ROWID;

CREATE TABLE custom_verification_template (
	account_id TEXT NOT NULL,
	region TEXT NOT NULL,
	name TEXT NOT NULL,
	from_address TEXT NOT NULL,
	subject TEXT NOT NULL,
	content TEXT NOT NULL,
	success_url TEXT NOT NULL,
	failure_url TEXT NOT NULL,
	created_ms INTEGER NOT NULL,
	updated_ms INTEGER NOT NULL,
	PRIMARY KEY (account_id, region, name)
) WITHOUT ROWID;

-- Recipients counted against the daily quota, per minute: the rolling
-- 24-hour sum reads at most 1,440 rows however much is sent.
CREATE TABLE quota_usage (
	account_id TEXT NOT NULL,
	region TEXT NOT NULL,
	minute_ms INTEGER NOT NULL,
	recipients INTEGER NOT NULL,
	PRIMARY KEY (account_id, region, minute_ms)
) WITHOUT ROWID;

-- Mail sesbox produced or accepted, as the recipient side received it:
-- verification emails and every accepted send.
CREATE TABLE message (
	message_id TEXT PRIMARY KEY,		-- SES MessageId
	account_id TEXT NOT NULL,
	region TEXT NOT NULL,
	kind TEXT NOT NULL,		-- 'send', 'verification', 'custom-verification'
	source TEXT NOT NULL,			-- envelope sender (MAIL FROM)
	destinations TEXT NOT NULL,		-- JSON array of recipients
	subject TEXT NOT NULL,
	raw BLOB NOT NULL,			-- the whole MIME message
	created_ms INTEGER NOT NULL,
	api TEXT,				-- 'v1', 'v2', 'smtp'
	operation TEXT,				-- 'SendEmail', ...
	configuration_set TEXT,
	tags TEXT,				-- JSON {"name": ["value"]}
	source_ip TEXT,
	caller TEXT				-- access key of the caller
);
CREATE INDEX message_by_time ON message (account_id, region, created_ms);

-- One row per recipient of a send: the delivery queue the delivery core
-- works through.
CREATE TABLE recipient (
	message_id TEXT NOT NULL REFERENCES message (message_id)
	    ON DELETE CASCADE,
	idx INTEGER NOT NULL,
	address TEXT NOT NULL,
	kind TEXT NOT NULL,			-- 'to', 'cc', 'bcc'
	state TEXT NOT NULL DEFAULT 'queued',
	next_attempt_ms INTEGER NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (message_id, idx)
) WITHOUT ROWID;
CREATE INDEX recipient_due ON recipient (state, next_attempt_ms);

-- SES events (Send, Rendering Failure, ...) as the event pipeline will
-- publish them.
CREATE TABLE event (
	id INTEGER PRIMARY KEY,
	account_id TEXT NOT NULL,
	region TEXT NOT NULL,
	message_id TEXT NOT NULL,
	type TEXT NOT NULL,			-- eventType, e.g. 'Send'
	ts_ms INTEGER NOT NULL,
	detail TEXT NOT NULL			-- JSON of the type's object
);
CREATE INDEX event_by_message ON event (message_id);

-- GetSendStatistics: one row per account, region and 15-minute bucket.
CREATE TABLE send_stats (
	account_id TEXT NOT NULL,
	region TEXT NOT NULL,
	bucket_ms INTEGER NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	bounces INTEGER NOT NULL DEFAULT 0,
	complaints INTEGER NOT NULL DEFAULT 0,
	rejects INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (account_id, region, bucket_ms)
) WITHOUT ROWID;

-- Outstanding verification links (VerifyEmailIdentity in link mode,
-- SendCustomVerificationEmail). The token is the secret in the URL.
CREATE TABLE verification_link (
	token TEXT PRIMARY KEY,
	account_id TEXT NOT NULL,
	region TEXT NOT NULL,
	identity TEXT NOT NULL,
	template TEXT,				-- custom template name, or NULL
	success_url TEXT,
	failure_url TEXT,
	created_ms INTEGER NOT NULL
);
