-- Registrar bindings (RFC 3261 §10.3), one row per AOR + binding key.
-- Times are wall-clock epoch milliseconds.
CREATE TABLE bindings (
  aor            TEXT    NOT NULL,
  binding_key    TEXT    NOT NULL,
  contact        TEXT    NOT NULL,
  protocol       TEXT    NOT NULL CHECK (protocol IN ('udp', 'tcp', 'tls')),
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

CREATE INDEX bindings_expires_at ON bindings (expires_at);
