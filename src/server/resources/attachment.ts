// relay://attachments/{id}: an attachment's whole content, as text for textual types, else as a base64 blob.
import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

import { formatCount } from '../../store/store.js';
import { asText } from '../attachments.js';
import type { RelayDeps } from '../deps.js';

export const template = 'relay://attachments/{id}';
/** One read must fit a client's message limit (10 MiB in the SDK's stdio client) once base64-encoded. */
export const MAX_RESOURCE_BYTES = 6 * 1024 * 1024;

export function register(server: McpServer, deps: RelayDeps): void {
  server.registerResource(
    'attachment',
    new ResourceTemplate(template, { list: undefined }),
    { title: 'Relay attachment', description: 'The bytes of an attachment of a relay message, by id.' },
    async (href, variables) => {
      const id = Number(variables.id);
      const file =
        Number.isSafeInteger(id) && id > 0 ? await deps.store.attachment(id, 0, MAX_RESOURCE_BYTES + 1) : null;
      if (file === null)
        throw new McpError(
          ErrorCode.InvalidParams,
          `No attachment at ${href.href}; fetch the message again for its attachment ids.`,
        );
      if (file.size > MAX_RESOURCE_BYTES) {
        throw new McpError(
          ErrorCode.InvalidParams,
          `Attachment #${id} is ${formatCount(file.size)} bytes, more than one read carries (${formatCount(MAX_RESOURCE_BYTES)}); read ` +
            `it in slices with relay_attachment.`,
        );
      }
      const text = asText(file.data, file.media_type);
      return {
        contents: [
          text === null
            ? { uri: href.href, mimeType: file.media_type, blob: file.data.toString('base64') }
            : { uri: href.href, mimeType: file.media_type, text },
        ],
      };
    },
  );
}
