// Search results: the relay's own full-text search (as relay_search), each hit with who, when and a snippet whose
// matches the store marked in [brackets]. Choosing one opens its thread in the conversation.
import { fill, h, timeElement, visibleName } from './dom.js';
import { sessionLabel } from './message.js';
import type { SearchHit } from './types.js';

export interface SearchView {
  you: string;
  open(id: number): void;
  close(): void;
}

/** The snippet with its [marked] words as <mark>, all as text. */
function snippet(text: string): Node[] {
  const out: Node[] = [];
  let rest = text;
  for (let open = rest.indexOf('['); open !== -1; open = rest.indexOf('[')) {
    const close = rest.indexOf(']', open + 1);
    if (close === -1) break;
    out.push(document.createTextNode(rest.slice(0, open)), h('mark', null, rest.slice(open + 1, close)));
    rest = rest.slice(close + 1);
  }
  out.push(document.createTextNode(rest));
  return out;
}

export function renderSearch(root: HTMLElement, hits: SearchHit[], query: string, view: SearchView): void {
  fill(
    root,
    h(
      'div',
      { class: 'view-bar' },
      h('h2', null, hits.length === 0 ? `Nothing found for “${query}”` : `${hits.length} found for “${query}”`),
      h(
        'button',
        { class: 'small', attrs: { type: 'button' }, on: { click: () => view.close() } },
        'Back to the conversation',
      ),
    ),
    h(
      'ul',
      { class: 'hits' },
      ...hits.map((hit) =>
        h(
          'li',
          null,
          h(
            'button',
            { class: 'hit', attrs: { type: 'button' }, on: { click: () => view.open(hit.id) } },
            h('span', { class: 'who' }, sessionLabel(hit.sender, hit.from === hit.sender ? null : hit.from, view.you)),
            ' → ',
            h('span', { class: 'to' }, hit.to === '*' ? 'everyone' : visibleName(hit.to)),
            ' ',
            timeElement(hit.timestamp, true),
            ' ',
            h('span', { class: 'msg-id' }, `#${hit.id}`),
            h('span', { class: 'snippet', attrs: { dir: 'auto' } }, ...snippet(hit.snippet)),
          ),
        ),
      ),
    ),
  );
}
