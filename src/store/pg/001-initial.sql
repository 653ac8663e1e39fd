-- The store on PostgreSQL: one row per record, keyed by (collection, key), and one version row.
--
-- Records are kept as `json`, not `jsonb`: json keeps the text exactly as written (key order, and
-- escapes such as \u0000 that jsonb refuses), so a record reads back as the very object that was
-- acknowledged. Nothing queries inside records: every read is served from the bot's memory view.
CREATE TABLE store_records (
  collection text NOT NULL,
  key text NOT NULL,
  record json NOT NULL,
  -- The transaction that last wrote the record: another instance reads the rows written since its own
  -- view's version (seq > its version).
  seq bigint NOT NULL,
  -- Where the record was first written (transaction, then position in it), kept when it is rewritten:
  -- loading in this order puts records in memory in the order they were written, as the JSON store does.
  first_seq bigint NOT NULL,
  first_pos integer NOT NULL,
  PRIMARY KEY (collection, key)
);
CREATE INDEX store_records_by_seq ON store_records (seq);
CREATE INDEX store_records_in_order ON store_records (first_seq, first_pos);

-- The global version: the seq of the last committed transaction. Writers lock this one row
-- (SELECT … FOR UPDATE), which makes every transaction of every instance run one after another.
CREATE TABLE store_version (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  seq bigint NOT NULL
);
INSERT INTO store_version (id, seq) VALUES (true, 0);
