-- Under a fixed clock (CLOCK=<instant>) refund ids end in a counter instead of random digits, so that the same
-- requests make the same ids. One counter for the whole database, like the payment ids': never reused, not even
-- after a reset, and shared by every process writing the file.
CREATE TABLE refund_id_sequence (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  last_id   INTEGER NOT NULL
) STRICT;

INSERT INTO refund_id_sequence (singleton, last_id) VALUES (1, 0);
