// Arrival notices for a client that shows them itself: `mcp-relay connect` on the person's machine, in front of a
// relay served over HTTP elsewhere. Two requests over the session, a thin layer over the store's notice source
// (src/notify/arrivals.ts), so each message is notified once in total across every relay and bridge:
//   relay/notices/claim   {limit}  -> {notices: [{id, sender, from, to, message}], retryAt: string | null}
//   relay/notices/confirm {ids}    -> {ids}   (show exactly these, each right after its confirm)
// The client is woken by `notifications/resources/updated` for messages://latest (subscriptions.ts), never by
// polling; retryAt is when leases held by others expire (an expiry changes nothing in the store, so no event comes).
// Offered as capabilities.experimental["relay/notices"] = {version: 1} where deps.notices says (over HTTP). No
// platform code here: the client shows.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';

import { cutAt } from '../lib/text.js';
import { type NoticeMessage, type NoticeSource, storeNoticeSource } from '../notify/arrivals.js';
import type { RelayDeps } from './deps.js';

export const NOTICES_CAPABILITY = 'relay/notices';
export const NOTICES_VERSION = 1;
export const CLAIM_METHOD = 'relay/notices/claim';
export const CONFIRM_METHOD = 'relay/notices/confirm';
/** Most messages one claim returns (the arrivals runner asks for 50). */
export const MAX_CLAIM = 100;
/** A notice shows a preview (200 characters, notification.ts): this is all of a message that travels for it. */
export const NOTICE_TEXT_CHARS = 400;

const ClaimRequest = z.object({
  method: z.literal(CLAIM_METHOD),
  params: z.object({ limit: z.number().int().min(1).max(MAX_CLAIM) }),
});
const ConfirmRequest = z.object({
  method: z.literal(CONFIRM_METHOD),
  params: z.object({ ids: z.array(z.number().int().positive()).max(MAX_CLAIM) }),
});

/** What a claim answers, as the bridge checks it (the relay is another machine: its answer is data). */
export const ClaimResult = z.object({
  notices: z
    .array(
      z.object({
        id: z.number().int().positive(),
        // Any length: the notice is bounded where it is shown (boundNotification), and claimed ids must be shown.
        sender: z.string(),
        from: z.string(),
        to: z.string(),
        message: z.string(),
      }),
    )
    .max(MAX_CLAIM),
  retryAt: z.iso.datetime({ offset: true }).nullable(),
});
export const ConfirmResult = z.object({ ids: z.array(z.number().int().positive()).max(MAX_CLAIM) });

/** Declares the capability and answers claim/confirm for this session; call before connecting. */
export function setUpNotices(server: McpServer, deps: RelayDeps): void {
  if (deps.notices !== true) return;
  server.server.registerCapabilities({ experimental: { [NOTICES_CAPABILITY]: { version: NOTICES_VERSION } } });
  // One source per session, made here on the relay's side: a client cannot act for another session's leases.
  let source: NoticeSource | undefined;
  const notices = () => (source ??= storeNoticeSource(deps.store));
  server.server.setRequestHandler(ClaimRequest, async (request) => {
    const { messages, retryAt } = await notices().lease(request.params.limit);
    return { notices: messages.map(noticeOf), retryAt } satisfies z.infer<typeof ClaimResult>;
  });
  server.server.setRequestHandler(ConfirmRequest, async (request) => {
    return { ids: await notices().confirm(request.params.ids) } satisfies z.infer<typeof ConfirmResult>;
  });
}

/** Only what a notice shows, the text cut to what a preview can use (never in the middle of a character). */
function noticeOf(m: NoticeMessage): NoticeMessage {
  return { id: m.id, sender: m.sender, from: m.from, to: m.to, message: cutAt(m.message, NOTICE_TEXT_CHARS) };
}
