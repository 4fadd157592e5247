// PostgreSQL migration 3: notice leases (16.8), as SQLite's migration 4: notified_at is set once, when a relay is
// about to show the notice; notify_owner / notify_until say who may show it until when. Updates of these columns
// fire no NOTIFY (the trigger is on inserts and deletes), so leasing wakes nobody.
export const noticeLeases = `
ALTER TABLE relay.messages ADD COLUMN notify_owner text, ADD COLUMN notify_until text;
`;
