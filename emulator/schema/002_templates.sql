-- 002: email templates (v1 CreateTemplate, v2 CreateEmailTemplate): one
-- row per (account_id, region, name), shared by both APIs. A NULL part is
-- one the template does not have.

CREATE TABLE email_template (
	account_id TEXT NOT NULL,
	region TEXT NOT NULL,
	name TEXT NOT NULL,
	subject TEXT,
	text_part TEXT,
	html_part TEXT,
	created_ms INTEGER NOT NULL,
	updated_ms INTEGER NOT NULL,
	PRIMARY KEY (account_id, region, name)
) WITHOUT ROWID;
