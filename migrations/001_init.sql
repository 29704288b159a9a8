-- Payments and refunds, partitioned by (workspace, test_mode). Money is integer minor units (2 decimal places).

CREATE TABLE payments (
  pk             INTEGER PRIMARY KEY,
  workspace      TEXT    NOT NULL,
  test_mode      INTEGER NOT NULL CHECK (test_mode IN (0, 1)),
  id             INTEGER NOT NULL CHECK (id BETWEEN 1 AND 9007199254740991),
  amount         INTEGER NOT NULL CHECK (amount BETWEEN 1 AND 999999999999999),
  -- kept by the trigger below, so the balance check never sums refunds; the CHECK is the last line of defence
  -- of the money rule: no transaction can commit an over-refund, whatever the code above it does.
  refunded       INTEGER NOT NULL DEFAULT 0 CHECK (refunded BETWEEN 0 AND amount),
  refund_outcome TEXT    NOT NULL CHECK (refund_outcome IN ('succeeded', 'failed')),
  created_us     INTEGER NOT NULL,
  UNIQUE (workspace, test_mode, id)
) STRICT;

CREATE TABLE refunds (
  pk         INTEGER PRIMARY KEY,
  id         TEXT    NOT NULL UNIQUE,
  payment_pk INTEGER NOT NULL REFERENCES payments (pk) ON DELETE CASCADE,
  amount     INTEGER NOT NULL CHECK (amount BETWEEN 1 AND 999999999999999),
  balance    INTEGER NOT NULL CHECK (balance >= 0),
  reason     TEXT    NOT NULL CHECK (reason IN ('duplicate', 'fraudulent', 'requested_by_customer')),
  note       TEXT,
  receipt    TEXT    NOT NULL,
  status     TEXT    NOT NULL CHECK (status IN ('succeeded', 'failed')),
  metadata   TEXT    NOT NULL,
  created_us INTEGER NOT NULL,
  updated_us INTEGER NOT NULL
) STRICT;

CREATE INDEX refunds_by_payment ON refunds (payment_pk);

-- A failed refund is stored but consumes no balance.
CREATE TRIGGER refunds_consume_balance AFTER INSERT ON refunds WHEN NEW.status = 'succeeded'
BEGIN
  UPDATE payments SET refunded = refunded + NEW.amount WHERE pk = NEW.payment_pk;
END;

-- Payment ids assigned by the emulator come from one sequence for the whole database, like the real API's
-- auto-increment: above every id ever stored, in any partition, and never reused (not even after a reset).
CREATE TABLE payment_id_sequence (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  last_id   INTEGER NOT NULL
) STRICT;

INSERT INTO payment_id_sequence (singleton, last_id) VALUES (1, 0);

CREATE TRIGGER payments_advance_sequence AFTER INSERT ON payments
BEGIN
  UPDATE payment_id_sequence SET last_id = NEW.id WHERE singleton = 1 AND last_id < NEW.id;
END;
