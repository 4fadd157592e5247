// The page: lays out the sessions, the conversation and the composer, follows the server's live feed (server-sent
// events), filters by session, kind or thread, searches, and handles the keyboard. It marks nothing read by looking:
// only the person's "Mark your mail read" (inbox.ts) reads their own mail.
import { get } from './api.js';
import { clearAll, createComposer, forward } from './compose.js';
import { fill, h } from './dom.js';
import { createOwnMail } from './inbox.js';
import { keyHandler } from './keys.js';
import { renderMessage, renderRecipients } from './message.js';
import { renderSearch } from './search.js';
import { fillAddresses, renderSidebar } from './sidebar.js';
import { createModel, describeFilter, isFiltered, matches, remember } from './state.js';
import type { FeedEvent, Filter, Message } from './types.js';

const RAW_KEY = 'relay-ui-raw';

const state = {
  ...createModel(localStorage.getItem(RAW_KEY) === '1'),
  /** The messages the conversation shows, by id, each with its element. */
  shown: new Map<number, HTMLElement>(),
  more: false,
  /** Bumped on every filter change, so a late answer for an old filter is dropped. */
  generation: 0,
};

const say = (text: string, error = false) => {
  status.textContent = text;
  status.className = error ? 'status error' : 'status';
};
const actions = { say, you: () => state.you };
const composer = createComposer(actions);
const ownMail = createOwnMail(say, () => Math.max(0, ...state.seen.keys()));
const status = h('p', { class: 'status', attrs: { role: 'status', 'aria-live': 'polite' } });
const live = h('span', { class: 'live connecting', attrs: { role: 'status' } }, 'Connecting…');
const sidebar = h('nav', { class: 'sessions', attrs: { id: 'sessions', 'aria-label': 'Sessions' } });
const list = h('div', { class: 'list', attrs: { role: 'feed', 'aria-label': 'Conversation', 'aria-busy': 'true' } });
const title = h('h1', { class: 'view-title' }, 'All messages');
const showAll = h(
  'button',
  { class: 'small', attrs: { type: 'button', hidden: '' }, on: { click: () => choose({}) } },
  'Show all',
);
const older = h(
  'button',
  { class: 'small older', attrs: { type: 'button', hidden: '' }, on: { click: () => void loadOlder() } },
  'Load older messages',
);
const empty = h('p', { class: 'empty' }, 'No messages yet. They appear here the moment a session sends one.');
const results = h('section', { class: 'results', attrs: { hidden: '', 'aria-label': 'Search results' } });
const newPill = h(
  'button',
  { class: 'new-pill', attrs: { type: 'button', hidden: '' }, on: { click: () => scrollToEnd() } },
  'New messages ↓',
);
const search = h('input', {
  attrs: { type: 'search', name: 'q', placeholder: 'Search (/)', 'aria-label': 'Search messages', autocomplete: 'off' },
});
const rawToggle = h('input', { attrs: { type: 'checkbox', id: 'raw' } });
rawToggle.checked = state.raw;

const messageView = {
  get you() {
    return state.you;
  },
  get raw() {
    return state.raw;
  },
  lookup: (id: number) => state.seen.get(id),
  onReply: (message: Message) => composer.reply(message),
  onForward: (message: Message) => void forward(message, composer.to, actions),
  onThread: (id: number) => choose({ thread: id }),
};

const nearEnd = () => list.scrollHeight - list.scrollTop - list.clientHeight < 80;
function scrollToEnd() {
  list.scrollTop = list.scrollHeight;
  newPill.setAttribute('hidden', '');
}

function place(message: Message) {
  const element = renderMessage(message, messageView);
  const existing = state.shown.get(message.id);
  if (existing !== undefined) {
    existing.replaceWith(element);
  } else {
    // Ids only grow, so a new message almost always goes last; older pages go first.
    const after = [...state.shown.keys()].filter((id) => id > message.id).sort((a, b) => a - b)[0];
    if (after === undefined) list.append(element);
    else state.shown.get(after)!.before(element);
  }
  state.shown.set(message.id, element);
}

function refreshChrome() {
  empty.hidden = state.shown.size > 0;
  older.hidden = !state.more;
  list.setAttribute('aria-busy', 'false');
}

function showMessages(messages: Message[], more: boolean) {
  state.shown.clear();
  list.replaceChildren(older, empty);
  state.more = more;
  for (const message of messages) place(remember(state, message));
  refreshChrome();
  scrollToEnd();
}

async function load(filter: Filter): Promise<void> {
  const generation = ++state.generation;
  list.setAttribute('aria-busy', 'true');
  const page = await get<{ messages: Message[]; more: boolean }>('/api/history', { ...filter });
  if (generation !== state.generation) return;
  if (filter.thread !== undefined) state.thread = new Set(page.messages.map((m) => m.id));
  showMessages(page.messages, page.more);
}

function choose(filter: Filter) {
  state.filter = filter;
  title.textContent = describeFilter(filter, state.you);
  showAll.hidden = !isFiltered(filter);
  results.setAttribute('hidden', '');
  list.removeAttribute('hidden');
  document.body.classList.remove('sessions-open');
  renderSidebar(sidebar, state.directory, { you: state.you, filter, choose });
  load(filter)
    .then(() => {
      if (filter.thread !== undefined) focusMessage(filter.thread);
    })
    .catch((error: unknown) => say(String(error), true));
}

async function loadOlder(): Promise<void> {
  const oldest = Math.min(...state.shown.keys());
  const generation = state.generation;
  const page = await get<{ messages: Message[]; more: boolean }>('/api/history', { ...state.filter, before: oldest });
  if (generation !== state.generation) return;
  const anchor = state.shown.get(oldest);
  const offset = anchor === undefined ? 0 : anchor.offsetTop - list.scrollTop;
  for (const message of page.messages) {
    if (state.filter.thread !== undefined) state.thread.add(message.id);
    place(remember(state, message));
  }
  state.more = page.more;
  refreshChrome();
  if (anchor !== undefined) list.scrollTop = anchor.offsetTop - offset;
}

function focusMessage(id: number) {
  const element = state.shown.get(id);
  if (element === undefined) return;
  element.scrollIntoView({ block: 'center' });
  element.focus({ preventScroll: true });
  element.classList.add('flash');
  setTimeout(() => element.classList.remove('flash'), 1500);
}

function onEvent(event: FeedEvent) {
  switch (event.type) {
    case 'hello':
      state.you = event.you;
      break;
    case 'snapshot': {
      state.directory = event.directory;
      onDirectory();
      const filtered =
        state.filter.session !== undefined || state.filter.kind !== undefined || state.filter.thread !== undefined;
      if (filtered) {
        for (const message of event.messages) remember(state, message);
        load(state.filter).catch((error: unknown) => say(String(error), true));
      } else {
        ++state.generation;
        showMessages(event.messages, event.more);
      }
      break;
    }
    case 'messages': {
      const atEnd = nearEnd();
      let added = false;
      for (const message of event.messages) {
        const merged = remember(state, message);
        if (matches(state, merged)) {
          place(merged);
          added = true;
        }
      }
      refreshChrome();
      if (added && atEnd) scrollToEnd();
      else if (added) newPill.removeAttribute('hidden');
      break;
    }
    case 'reads':
      for (const update of event.updates) {
        const known = state.seen.get(update.id);
        if (known === undefined) continue;
        const merged = remember(state, { ...known, recipients: update.recipients });
        // Only the recipients change: an open preview or a scrolled code block stays as it is.
        state.shown.get(update.id)?.querySelector('.rcpts')?.replaceWith(renderRecipients(merged, state.you));
      }
      break;
    case 'removed':
      for (const id of event.ids) {
        state.seen.delete(id);
        state.shown.get(id)?.remove();
        state.shown.delete(id);
      }
      refreshChrome();
      break;
    case 'directory':
      state.directory = event.directory;
      onDirectory();
      break;
  }
}

function onDirectory() {
  renderSidebar(sidebar, state.directory, { you: state.you, filter: state.filter, choose });
  fillAddresses(composer.to, state.directory, state.you);
  ownMail.update(state.directory, state.you);
}

function connect() {
  const source = new EventSource('/api/events');
  const set = (text: string, className: string) => {
    live.textContent = text;
    live.className = `live ${className}`;
  };
  source.addEventListener('open', () => set('Live', 'on'));
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED)
      set('Disconnected: run mcp-relay ui again and open its new link', 'off');
    else set('Reconnecting…', 'connecting');
  });
  for (const type of ['hello', 'snapshot', 'messages', 'reads', 'removed', 'directory']) {
    source.addEventListener(type, (event) => onEvent(JSON.parse((event as MessageEvent<string>).data) as FeedEvent));
  }
}

function runSearch(text: string) {
  if (text.trim() === '') return;
  get<{ hits: Parameters<typeof renderSearch>[1] }>('/api/search', { q: text })
    .then((answer) => {
      renderSearch(results, answer.hits, text, {
        you: state.you,
        open: (id) => choose({ thread: id }),
        close: () => closeSearch(),
      });
      results.removeAttribute('hidden');
      list.setAttribute('hidden', '');
      (results.querySelector('button.hit') as HTMLButtonElement | null)?.focus();
    })
    .catch((error: unknown) => say(error instanceof Error ? error.message : String(error), true));
}

function closeSearch() {
  results.setAttribute('hidden', '');
  list.removeAttribute('hidden');
}

function layout() {
  rawToggle.addEventListener('change', () => {
    state.raw = rawToggle.checked;
    localStorage.setItem(RAW_KEY, state.raw ? '1' : '0');
    for (const id of [...state.shown.keys()]) place(state.seen.get(id)!);
  });
  const searchForm = h(
    'form',
    {
      class: 'search',
      attrs: { role: 'search' },
      on: { submit: (e) => (e.preventDefault(), runSearch(search.value)) },
    },
    search,
  );
  fill(
    document.body,
    h('a', { class: 'skip', attrs: { href: '#compose-text' } }, 'Skip to the composer'),
    h(
      'header',
      { class: 'top' },
      h(
        'button',
        {
          class: 'small sessions-toggle',
          attrs: { type: 'button', 'aria-controls': 'sessions', 'aria-label': 'Sessions' },
          on: { click: () => document.body.classList.toggle('sessions-open') },
        },
        '☰',
      ),
      h('span', { class: 'brand' }, 'relay'),
      live,
      searchForm,
      h(
        'label',
        { class: 'raw-toggle', attrs: { for: 'raw', title: 'Show message text exactly as sent, without Markdown' } },
        rawToggle,
        ' Raw',
      ),
      h(
        'button',
        { class: 'small danger', attrs: { type: 'button' }, on: { click: () => void clearAll(actions) } },
        'Clear…',
      ),
    ),
    sidebar,
    h(
      'main',
      { class: 'conversation' },
      h('div', { class: 'view-bar' }, title, showAll, ownMail.button),
      results,
      list,
      newPill,
      composer.form,
      status,
      h(
        'p',
        { class: 'keys' },
        '/ search · c compose · j k move · r reply · f forward · t thread · m mark your mail read · Esc back · Ctrl+Enter send',
      ),
    ),
  );
  list.append(older, empty);
  list.addEventListener('scroll', () => nearEnd() && newPill.setAttribute('hidden', ''));
  document.addEventListener(
    'keydown',
    keyHandler(list, {
      search: () => search.focus(),
      compose: () => composer.text.focus(),
      reply: (message) => composer.reply(message),
      forward: (message) => messageView.onForward(message),
      thread: (message) => choose({ thread: message.id }),
      back: () => (!results.hidden ? closeSearch() : isFiltered(state.filter) ? choose({}) : composer.cancelReply()),
      markRead: () => void ownMail.markRead(),
      lookup: (id) => state.seen.get(id),
    }),
  );
}

layout();
onDirectory();
connect();
