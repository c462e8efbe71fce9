-- Account-level suppression list (SES v2): the suppressed destinations of
-- each (account_id, region), and the reasons for which the account adds
-- addresses to its list. A region with no account_suppression row uses
-- SES's default for accounts made after 2019-11-25: both reasons.

-- One row per suppressed address. The address is kept in supp's canonical
-- form (surrounding white space dropped, domain lower-cased, local part as
-- given), so lookups by any spelling of the domain meet the same row.
CREATE TABLE suppressed_destination (
	account_id TEXT NOT NULL,
	region TEXT NOT NULL,
	address TEXT NOT NULL,
	reason TEXT NOT NULL CHECK (reason IN ('BOUNCE', 'COMPLAINT')),
	updated_ms INTEGER NOT NULL,		-- LastUpdateTime
	message_id TEXT,			-- Attributes.MessageId, if known
	feedback_id TEXT,			-- Attributes.FeedbackId, if known
	PRIMARY KEY (account_id, region, address)
) WITHOUT ROWID;

-- PutAccountSuppressionAttributes: reasons as bits (1 BOUNCE, 2
-- COMPLAINT; 0 turns the list's automatic additions off).
CREATE TABLE account_suppression (
	account_id TEXT NOT NULL,
	region TEXT NOT NULL,
	reasons INTEGER NOT NULL,
	validation TEXT,			-- JSON: v2 ValidationAttributes
	updated_ms INTEGER NOT NULL,
	PRIMARY KEY (account_id, region)
) WITHOUT ROWID;
