-- The sender's own values of the header fields SES rewrites in a raw
-- message (Message-ID, Date), which event payloads list as submitted:
-- JSON {"Message-ID": "...", "Date": "..."} with the fields the sender
-- wrote; NULL when it wrote neither (and for messages SES built).
ALTER TABLE message ADD COLUMN submitted TEXT;
