-- Call detail records: one summary row per call, one row per leg.
-- Column names follow Asterisk's CDR where one exists (docs/cdr.md maps each).
CREATE TABLE cdr_calls (
  call_id        TEXT    PRIMARY KEY,
  state          TEXT    NOT NULL CHECK (state IN ('open', 'closed')),
  direction      TEXT    NOT NULL CHECK (direction IN ('internal', 'inbound', 'outbound')),
  src            TEXT    NOT NULL,
  src_name       TEXT,
  dst            TEXT    NOT NULL,
  dst_name       TEXT,
  dst_final      TEXT,
  trunk          TEXT,
  accountcode    TEXT,
  route_node     TEXT,
  sip_call_id    TEXT,
  start_iso      TEXT    NOT NULL,
  start_ms       INTEGER NOT NULL,
  answer_iso     TEXT,
  answer_ms      INTEGER,
  end_iso        TEXT,
  end_ms         INTEGER,
  duration       INTEGER,
  billsec        INTEGER,
  duration_ms    INTEGER,
  disposition    TEXT CHECK (disposition IN ('ANSWERED', 'NO ANSWER', 'BUSY', 'FAILED', 'CANCELLED', 'INTERRUPTED')),
  sip_code       INTEGER,
  q850_cause     INTEGER,
  hangup_side    TEXT CHECK (hangup_side IN ('caller', 'callee', 'system')),
  recording_path TEXT,
  userfield      TEXT,
  extra          TEXT
);

CREATE INDEX cdr_calls_start ON cdr_calls (start_ms);
CREATE INDEX cdr_calls_open ON cdr_calls (state) WHERE state = 'open';
CREATE INDEX cdr_calls_src ON cdr_calls (src, start_ms);
CREATE INDEX cdr_calls_dst ON cdr_calls (dst, start_ms);

CREATE TABLE cdr_legs (
  leg_id          TEXT    PRIMARY KEY,
  call_id         TEXT    NOT NULL REFERENCES cdr_calls (call_id) ON DELETE CASCADE,
  seq             INTEGER NOT NULL,
  role            TEXT    NOT NULL CHECK (role IN ('caller', 'callee')),
  endpoint        TEXT    NOT NULL,
  src             TEXT,
  dst             TEXT,
  sip_call_id     TEXT,
  remote_address  TEXT,
  user_agent      TEXT,
  start_iso       TEXT    NOT NULL,
  start_ms        INTEGER NOT NULL,
  answer_iso      TEXT,
  answer_ms       INTEGER,
  end_iso         TEXT    NOT NULL,
  end_ms          INTEGER NOT NULL,
  duration        INTEGER NOT NULL,
  billsec         INTEGER NOT NULL,
  disposition     TEXT    NOT NULL CHECK (disposition IN ('ANSWERED', 'NO ANSWER', 'BUSY', 'FAILED', 'CANCELLED', 'INTERRUPTED')),
  sip_code        INTEGER,
  q850_cause      INTEGER,
  hangup_side     TEXT CHECK (hangup_side IN ('caller', 'callee', 'system')),
  pdd_ms          INTEGER,
  codec           TEXT,
  rtp_packets_in  INTEGER,
  rtp_packets_out INTEGER,
  rtp_lost_in     INTEGER,
  jitter_ms       REAL,
  mos             REAL,
  recording_path  TEXT,
  UNIQUE (call_id, seq)
);

CREATE INDEX cdr_legs_call ON cdr_legs (call_id, seq);
