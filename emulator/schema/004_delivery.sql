-- The delivery queue's view of a message: why SES would refuse to deliver
-- it at all ('virus': an EICAR test file), or NULL.
ALTER TABLE message ADD COLUMN verdict TEXT;
