// The sessions column: everything, each live session, each kind's shared mailbox, and recently ended sessions, with
// unread counts and last seen. Choosing one filters the conversation. Also the address choices for composing.
import { ago, append, fill, h, visibleName } from './dom.js';
import { displayKind, sessionLabel, USER_KIND } from './message.js';
import type { Directory, Filter } from './types.js';

export interface SidebarView {
  you: string;
  filter: Filter;
  choose(filter: Filter): void;
}

function same(a: Filter, b: Filter): boolean {
  return a.session === b.session && a.kind === b.kind && a.thread === b.thread;
}

function entry(
  view: SidebarView,
  filter: Filter,
  label: string,
  parts: { kind?: string; detail?: string; unread?: number; live?: boolean; title?: string },
) {
  const current = same(view.filter, filter);
  return h(
    'li',
    null,
    h(
      'button',
      {
        class: current ? 'entry current' : 'entry',
        attrs: { type: 'button', 'aria-current': current ? 'true' : undefined, title: parts.title },
        on: { click: () => view.choose(filter) },
      },
      parts.live === undefined
        ? null
        : h('span', { class: parts.live ? 'dot on' : 'dot', attrs: { 'aria-hidden': 'true' } }),
      h('span', { class: 'entry-name' }, label),
      parts.kind === undefined ? null : h('span', { class: 'kind' }, displayKind(parts.kind)),
      parts.unread
        ? h('span', { class: 'badge', attrs: { title: `${parts.unread} unread` } }, String(parts.unread))
        : null,
      parts.detail === undefined ? null : h('span', { class: 'entry-detail' }, parts.detail),
    ),
  );
}

export function renderSidebar(root: HTMLElement, directory: Directory, view: SidebarView): void {
  const live = directory.sessions.filter((s) => s.live);
  const ended = directory.sessions.filter((s) => !s.live);
  const section = (title: string, items: HTMLElement[]) =>
    items.length === 0 ? null : h('section', null, h('h2', null, title), h('ul', null, ...items));
  // The last two parts of the working directory say which project; the whole path is in the title.
  const detail = (cwd: string | null, seen: string, prefix: string) =>
    [
      cwd === null ? null : visibleName(cwd.split(/[\\/]/).filter(Boolean).slice(-2).join('/')),
      `${prefix} ${ago(seen)}`,
    ]
      .filter(Boolean)
      .join(' · ');
  fill(
    root,
    h('ul', null, entry(view, {}, 'All messages', {})),
    section(
      'Live sessions',
      live.map((s) =>
        entry(view, { session: s.name }, sessionLabel(s.kind, s.name, view.you), {
          ...(s.kind === USER_KIND ? {} : { kind: s.kind }),
          detail: detail(s.cwd, s.last_seen, s.observer ? 'observing, seen' : 'seen'),
          unread: s.unread,
          live: true,
          title: `${s.name} on ${s.host}${s.cwd === null ? '' : ` in ${s.cwd}`}, started ${new Date(s.started_at).toLocaleString()}`,
        }),
      ),
    ),
    section(
      'Kinds',
      directory.kinds
        // The person's own kind is listed only when mail waits for a page that was closed.
        .filter((k) => k.kind !== USER_KIND || k.unread > 0)
        .map((k) =>
          entry(view, { kind: k.kind }, k.kind === USER_KIND ? 'You' : displayKind(k.kind), {
            detail: k.unread > 0 ? `${k.unread} waiting for the next to open` : 'every session of this kind',
            unread: k.unread,
          }),
        ),
    ),
    section(
      'Recently ended',
      ended.map((s) =>
        entry(view, { session: s.name }, sessionLabel(s.kind, s.name, view.you), {
          ...(s.kind === USER_KIND ? {} : { kind: s.kind }),
          detail: detail(s.cwd, s.last_seen, 'last seen'),
          unread: s.unread,
          live: false,
        }),
      ),
    ),
  );
}

/** The compose and forward address choices; keeps the current choice when it still exists. */
export function fillAddresses(select: HTMLSelectElement, directory: Directory, you: string): void {
  const keep = select.value;
  const option = (value: string, label: string) => h('option', { attrs: { value } }, label);
  const liveKinds = new Set(directory.sessions.filter((s) => s.live).map((s) => s.kind));
  const others = directory.sessions.filter((s) => s.name !== you && !s.observer);
  select.replaceChildren();
  append(
    select,
    h(
      'optgroup',
      { attrs: { label: 'Groups' } },
      option('*', 'Everyone (every live session)'),
      ...directory.kinds
        .filter((k) => k.kind !== USER_KIND)
        .map((k) =>
          option(
            k.kind,
            liveKinds.has(k.kind) ? `Every ${displayKind(k.kind)} session` : `${displayKind(k.kind)} (next to open)`,
          ),
        ),
    ),
    others.some((s) => s.live)
      ? h(
          'optgroup',
          { attrs: { label: 'Live sessions' } },
          ...others.filter((s) => s.live).map((s) => option(s.name, `${visibleName(s.name)} (${displayKind(s.kind)})`)),
        )
      : null,
    others.some((s) => !s.live)
      ? h(
          'optgroup',
          { attrs: { label: 'Ended (mail waits)' } },
          ...others
            .filter((s) => !s.live)
            .map((s) => option(s.name, `${visibleName(s.name)} (${displayKind(s.kind)})`)),
        )
      : null,
  );
  const values = [...select.options].map((o) => o.value);
  // Until the person picks one: every Code session (the seed's default for the planner's side).
  const picked = select.dataset.picked === '1' && values.includes(keep);
  select.value = picked ? keep : values.includes('code') ? 'code' : (values[0] ?? '');
}

/** Adds an address that is not in the list (a reply to a session that has gone) and selects it. */
export function chooseAddress(select: HTMLSelectElement, address: string): void {
  if (![...select.options].some((o) => o.value === address)) {
    select.append(h('option', { attrs: { value: address } }, visibleName(address)));
  }
  select.value = address;
  select.dataset.picked = '1';
}
