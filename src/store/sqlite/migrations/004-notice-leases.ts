// Migration 4: a notice is leased before it is shown (16.8). notified_at stays what it was: set once, when a relay
// is about to show the notice (or settles it silently); a lease is who may show it (notify_owner) until when
// (notify_until, ISO time). A relay that dies holding leases leaves them to expire, and another shows those notices.
// The seed never reads these columns.
export const noticeLeases = `
ALTER TABLE messages ADD COLUMN notify_owner TEXT;
ALTER TABLE messages ADD COLUMN notify_until TEXT;
`;
