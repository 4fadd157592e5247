// Migration 1: per-recipient read state (inbox), routing and notification columns.
// The seed's columns stay authoritative for the seed's two kinds, and triggers keep the inbox in step with them,
// so the seed's own INSERT / UPDATE read_by_*_at / DELETE keep working on an upgraded file.
//
// inbox.mailbox names a recipient: a client kind ('desktop', 'code'). Later migrations may add session mailboxes.
// A message with no recipient column routes as in the seed: desktop -> code, anything else -> desktop.
export const inbox = `
ALTER TABLE messages ADD COLUMN recipient TEXT;
ALTER TABLE messages ADD COLUMN from_session TEXT;
ALTER TABLE messages ADD COLUMN reply_to INTEGER;
ALTER TABLE messages ADD COLUMN notified_at TEXT;

CREATE TABLE inbox (
  mailbox TEXT NOT NULL,
  message_id INTEGER NOT NULL,
  read_at TEXT,
  PRIMARY KEY (mailbox, message_id)
) WITHOUT ROWID;
CREATE INDEX inbox_unread ON inbox (mailbox, message_id) WHERE read_at IS NULL;
CREATE INDEX inbox_by_message ON inbox (message_id);
CREATE INDEX messages_unnotified ON messages (id) WHERE notified_at IS NULL;

INSERT INTO inbox (mailbox, message_id, read_at)
  SELECT CASE sender WHEN 'desktop' THEN 'code' ELSE 'desktop' END,
         id,
         CASE sender WHEN 'desktop' THEN read_by_code_at ELSE read_by_desktop_at END
  FROM messages;

CREATE TRIGGER messages_route AFTER INSERT ON messages WHEN NEW.recipient IS NULL
BEGIN
  INSERT OR IGNORE INTO inbox (mailbox, message_id)
  VALUES (CASE NEW.sender WHEN 'desktop' THEN 'code' ELSE 'desktop' END, NEW.id);
END;

CREATE TRIGGER messages_read_by_desktop AFTER UPDATE OF read_by_desktop_at ON messages
WHEN NEW.read_by_desktop_at IS NOT NULL
BEGIN
  UPDATE inbox SET read_at = NEW.read_by_desktop_at
  WHERE mailbox = 'desktop' AND message_id = NEW.id AND read_at IS NULL;
END;

CREATE TRIGGER messages_read_by_code AFTER UPDATE OF read_by_code_at ON messages
WHEN NEW.read_by_code_at IS NOT NULL
BEGIN
  UPDATE inbox SET read_at = NEW.read_by_code_at
  WHERE mailbox = 'code' AND message_id = NEW.id AND read_at IS NULL;
END;

CREATE TRIGGER messages_forget AFTER DELETE ON messages
BEGIN
  DELETE FROM inbox WHERE message_id = OLD.id;
END;
`;
