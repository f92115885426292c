-- Same bindings table, cheaper to write (issue 3), as 003 did for the CDRs:
-- CHECK (protocol IN ('udp', 'tcp', 'tls')) with three values makes SQLite
-- build an ephemeral index on every INSERT/UPDATE that evaluates it, i.e. on
-- every binding the registrar's write-behind flush stores. The same rule as
-- protocol = 'udp' OR … is three comparisons. SQLite cannot alter a CHECK,
-- so the table is rebuilt and its rows copied.
ALTER TABLE bindings RENAME TO bindings_old;
DROP INDEX bindings_expires_at;

CREATE TABLE bindings (
  aor            TEXT    NOT NULL,
  binding_key    TEXT    NOT NULL,
  contact        TEXT    NOT NULL,
  protocol       TEXT    NOT NULL CHECK (protocol = 'udp' OR protocol = 'tcp' OR protocol = 'tls'),
  remote_address TEXT    NOT NULL,
  remote_port    INTEGER NOT NULL,
  local_address  TEXT    NOT NULL,
  local_port     INTEGER NOT NULL,
  connection_id  INTEGER,
  expires_at     INTEGER NOT NULL,
  q              REAL,
  call_id        TEXT    NOT NULL,
  cseq           INTEGER NOT NULL,
  user_agent     TEXT,
  instance_id    TEXT,
  reg_id         INTEGER,
  registered_at  INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  PRIMARY KEY (aor, binding_key)
) WITHOUT ROWID;

INSERT INTO bindings SELECT aor, binding_key, contact, protocol, remote_address, remote_port, local_address, local_port,
  connection_id, expires_at, q, call_id, cseq, user_agent, instance_id, reg_id, registered_at, updated_at FROM bindings_old;
DROP TABLE bindings_old;
CREATE INDEX bindings_expires_at ON bindings (expires_at);
