// sesbox web UI: one ES module, no framework, no build step. Everything it
// shows comes from the inspection API under /_sesbox/api/v1 (docs/ui.md).
//
// Safety rules kept throughout: text from messages and the API goes into
// the page only as text nodes (never innerHTML); a message's HTML is shown
// only in an iframe with sandbox="" (no scripts, an opaque origin), loaded
// from the server's /html endpoint which sends its own strict CSP.

const API = '/_sesbox/api/v1';
const PAGE = 50;             // messages per page
const LEGACY_PAGE = 1000;    // a server without cursors: one big page
const POLL_MS = 3000;        // live updates without the feed
const CLOCK_POLL_MS = 5000;
const SOURCE_SHOWN_MAX = 1 << 20;

// ---- small helpers ----------------------------------------------------------

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

function append(el, kids) {
	for (const k of kids) {
		if (k == null || k === false) continue;
		if (Array.isArray(k)) append(el, k);
		else el.append(k instanceof Node ? k : document.createTextNode(String(k)));
	}
	return el;
}

// Replaces el's children with kids (arrays flattened, null skipped).
function fill(el, ...kids) {
	el.replaceChildren();
	return append(el, kids);
}

// h('a', {href: ..., class: ..., onclick: fn}, 'text', child...)
function h(tag, props, ...kids) {
	const el = document.createElement(tag);
	for (const [k, v] of Object.entries(props || {})) {
		if (v == null || v === false) continue;
		if (k === 'class') el.className = v;
		else if (k === 'text') el.textContent = v;
		else if (k === 'value') el.value = v;
		else if (k === 'checked') el.checked = !!v;
		else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
		else el.setAttribute(k, v === true ? '' : String(v));
	}
	return append(el, kids);
}

const SVGNS = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...kids) {
	const el = document.createElementNS(SVGNS, tag);
	for (const [k, v] of Object.entries(attrs || {})) if (v != null) el.setAttribute(k, String(v));
	return append(el, kids);
}

// One call to the API: {ok, status, data}; data is the JSON body (or text).
async function api(path, { method = 'GET', body, query } = {}) {
	let url = path.startsWith('/') ? path : `${API}/${path}`;
	if (query) {
		const q = new URLSearchParams();
		for (const [k, v] of Object.entries(query)) if (v !== '' && v != null) q.set(k, v);
		const qs = q.toString();
		if (qs) url += (url.includes('?') ? '&' : '?') + qs;
	}
	const init = { method, headers: { Accept: 'application/json' } };
	if (body !== undefined) {
		init.headers['Content-Type'] = 'application/json';
		init.body = JSON.stringify(body);
	}
	let r;
	try {
		r = await fetch(url, init);
	} catch (e) {
		return { ok: false, status: 0, data: { code: 'NetworkError', message: String(e) } };
	}
	let data = null;
	const ct = r.headers.get('Content-Type') || '';
	try {
		data = ct.includes('json') ? await r.json() : await r.text();
	} catch {
		data = null;
	}
	return { ok: r.ok, status: r.status, data };
}

function errText(res) {
	if (res.data && typeof res.data === 'object' && res.data.code)
		return `${res.data.code}: ${res.data.message}`;
	return `HTTP ${res.status}`;
}

// A 404 that means "no such endpoint" (an older sesbox), not "no such thing".
function missingEndpoint(res) {
	return res.status === 404 && res.data && res.data.message === 'no such sesbox endpoint';
}

let toastTimer = 0;
function toast(msg) {
	const t = $('#toast');
	t.textContent = msg;
	t.classList.add('show');
	clearTimeout(toastTimer);
	toastTimer = setTimeout(() => t.classList.remove('show'), 2500);
}

function toDate(t) {
	if (t == null || t === '') return null;
	const d = new Date(typeof t === 'number' ? t : String(t));
	return Number.isNaN(d.getTime()) ? null : d;
}
const pad = (n, w = 2) => String(n).padStart(w, '0');
function iso(t) {
	const d = toDate(t);
	return d ? d.toISOString() : '';
}
// Short local time for lists: the time today, else the date and time.
function shortTime(t) {
	const d = toDate(t);
	if (!d) return '';
	const now = new Date();
	const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
	if (d.toDateString() === now.toDateString()) return `${hm}:${pad(d.getSeconds())}`;
	return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}`;
}
function longTime(t) {
	const d = toDate(t);
	if (!d) return '—';
	return `${d.toLocaleString()} (${d.toISOString()})`;
}
function size(n) {
	if (n == null) return '';
	if (n < 1024) return `${n} B`;
	if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
	return `${(n / (1 << 20)).toFixed(1)} MiB`;
}
function pct(x) {
	const p = (x || 0) * 100;
	return `${p.toFixed(p !== 0 && p < 1 ? 3 : 2)}%`;
}
const json = (v) => JSON.stringify(v, null, 2);
const slug = (t) => String(t || '').toLowerCase().replace(/[^a-z0-9]+/g, '-');

const STATUS_CLASS = {
	Success: 'ok', SUCCESS: 'ok', Pending: 'warn', PENDING: 'warn', Failed: 'bad', FAILED: 'bad',
	TemporaryFailure: 'warn', TEMPORARY_FAILURE: 'warn', NotStarted: '', NOT_STARTED: '',
	published: 'ok', recorded: 'ok', delivered: 'ok', queued: 'warn', failed: 'bad',
	HEALTHY: 'ok', PROBATION: 'warn', SHUTDOWN: 'bad',
	Send: 'info', Delivery: 'ok', Open: 'ok', Click: 'ok', Bounce: 'bad', Reject: 'bad',
	'Rendering Failure': 'bad', Complaint: 'warn', DeliveryDelay: 'warn', Subscription: 'info',
	BOUNCE: 'bad', COMPLAINT: 'warn',
};
function badge(text, cls) {
	return h('span', { class: `badge ${cls ?? STATUS_CLASS[text] ?? ''}` }, text);
}

function dl(pairs) {
	const el = h('dl', { class: 'kv' });
	for (const [k, v] of pairs) {
		if (v == null || v === '') continue;
		el.append(h('dt', {}, k), h('dd', {}, v));
	}
	return el;
}

function table(cols, rows, props) {
	return h('div', { class: 'table-wrap' },
		h('table', props || {},
			h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))),
			h('tbody', {}, rows)));
}

// ---- scope (account and region of the SES views) ----------------------------

const scope = {
	account: localStorage.getItem('sesbox.account') || '',
	region: localStorage.getItem('sesbox.region') || '',
};
const scoped = (extra) => ({ account: scope.account, region: scope.region, ...extra });

function scopeBar(onChange, shown) {
	const acct = h('input', { id: 'scope-account', value: scope.account, placeholder: 'default', size: 14, inputmode: 'numeric', 'aria-label': 'Account' });
	const reg = h('input', { id: 'scope-region', value: scope.region, placeholder: 'default', size: 12, 'aria-label': 'Region' });
	const form = h('form', { class: 'row scope', onsubmit: (e) => {
		e.preventDefault();
		scope.account = acct.value.trim();
		scope.region = reg.value.trim();
		localStorage.setItem('sesbox.account', scope.account);
		localStorage.setItem('sesbox.region', scope.region);
		onChange();
	} },
	h('label', {}, 'Account', acct), h('label', {}, 'Region', reg),
	h('button', { type: 'submit' }, 'Show'), shown);
	return form;
}

// ---- theme ------------------------------------------------------------------

const THEMES = ['auto', 'light', 'dark'];
const THEME_ICON = { auto: '◐', light: '☀', dark: '☾' };
function applyTheme(t) {
	if (!THEMES.includes(t)) t = 'auto';
	if (t === 'auto') delete document.documentElement.dataset.theme;
	else document.documentElement.dataset.theme = t;
	const b = $('#theme');
	b.textContent = THEME_ICON[t];
	b.title = t === 'auto' ? 'Theme: follows the system' : `Theme: ${t}`;
	b.setAttribute('aria-label', b.title);
	b.dataset.theme = t;
	localStorage.setItem('sesbox.theme', t);
}

// ---- router -----------------------------------------------------------------

const VIEWS = {
	inbox: { title: 'Inbox', render: viewInbox },
	identities: { title: 'Identities', render: viewIdentities },
	templates: { title: 'Templates', render: viewTemplates },
	'configuration-sets': { title: 'Configuration sets', render: viewConfigSets },
	suppression: { title: 'Suppression list', render: viewSuppression },
	reputation: { title: 'Reputation', render: viewReputation },
	simulator: { title: 'Simulator', render: viewSimulator },
	clock: { title: 'Test clock', render: viewClock },
};
let current = { name: null, cleanup: null };

function route() {
	const hash = location.hash.replace(/^#\/?/, '');
	const parts = hash.split('/');
	const name = VIEWS[parts[0]] ? parts[0] : 'inbox';
	let arg = null;
	try {
		arg = parts.length > 1 && parts.slice(1).join('/') ? decodeURIComponent(parts.slice(1).join('/')) : null;
	} catch {
		arg = null;
	}
	for (const a of $$('#nav a')) {
		if (a.dataset.view === name) a.setAttribute('aria-current', 'page');
		else a.removeAttribute('aria-current');
	}
	document.title = `sesbox — ${VIEWS[name].title}`;
	if (current.name === name && current.update) {
		current.update(arg);
		return;
	}
	if (current.cleanup) current.cleanup();
	const main = $('#main');
	main.replaceChildren();
	current = { name, cleanup: null, update: null };
	const r = VIEWS[name].render(main, arg) || {};
	current.cleanup = r.cleanup || null;
	current.update = r.update || null;
}

// ---- inbox ------------------------------------------------------------------

const EVENT_TYPES = ['Send', 'Delivery', 'Bounce', 'Complaint', 'Reject', 'DeliveryDelay', 'Open', 'Click', 'Rendering Failure', 'Subscription'];

// Survives leaving the inbox for another view.
const inbox = {
	filters: { q: '', to: '', from: '', configuration_set: '', tag: '', event: '', kind: '', api: '' },
	items: [],
	byId: new Map(),
	cursor: null,
	capture: null,      // the capture API's list (cursors, Read, EventTypes)
	actions: null,      // the recipient actions (events API present)
	sel: -1,
	openId: null,
	loading: false,
	gen: 0,
};

function activeFilters() {
	const f = {};
	for (const [k, v] of Object.entries(inbox.filters)) if (v.trim()) f[k] = v.trim();
	return f;
}

// An older server filters by `to` and `kind` only: the rest is done here.
function legacyMatch(m) {
	const f = inbox.filters;
	const low = (x) => String(x || '').toLowerCase();
	const dests = (m.Destinations || []).map(low);
	if (f.q.trim()) {
		const q = low(f.q.trim());
		if (!low(m.Subject).includes(q) && !low(m.Source).includes(q) && !dests.some((d) => d.includes(q))) return false;
	}
	if (f.from.trim() && !low(m.Source).includes(low(f.from.trim()))) return false;
	if (f.configuration_set.trim() && m.ConfigurationSet !== f.configuration_set.trim()) return false;
	if (f.api && m.Api !== f.api) return false;
	return true;
}

function viewInbox(main, openId) {
	const gen = ++inbox.gen;
	const q = h('input', { type: 'search', id: 'q', value: inbox.filters.q, placeholder: 'Search subject, sender, recipient', 'aria-label': 'Search messages (/)', autocomplete: 'off' });
	const field = (key, label, props) => {
		const el = h('input', { id: `f-${key}`, value: inbox.filters[key], autocomplete: 'off', ...props });
		for (const ev of ['input', 'change']) el.addEventListener(ev, () => { inbox.filters[key] = el.value; scheduleReload(); });
		return h('label', {}, label, el);
	};
	const choice = (key, label, options) => {
		const el = h('select', { id: `f-${key}` }, options.map(([v, t]) => h('option', { value: v }, t)));
		el.value = inbox.filters[key];
		el.addEventListener('change', () => { inbox.filters[key] = el.value; reload(); });
		return h('label', {}, label, el);
	};
	for (const ev of ['input', 'change', 'search']) q.addEventListener(ev, () => { inbox.filters.q = q.value; scheduleReload(); });
	q.addEventListener('keydown', (e) => {
		if (e.key === 'Enter') { e.preventDefault(); inbox.filters.q = q.value; clearTimeout(reloadTimer); reload(); }
		if (e.key === 'ArrowDown') { e.preventDefault(); q.blur(); moveSel(inbox.sel < 0 ? 1 : 0, false); }
	});
	const more = h('details', { id: 'filters' },
		h('summary', {}, 'Filters'),
		h('div', { class: 'more' },
			field('to', 'To'), field('from', 'From'),
			field('configuration_set', 'Configuration set'), field('tag', 'Tag (NAME:VALUE)'),
			choice('event', 'Has event', [['', 'any'], ...EVENT_TYPES.map((t) => [t, t])]),
			choice('kind', 'Kind', [['', 'any'], ['send', 'send'], ['verification', 'verification'], ['feedback', 'feedback']]),
			choice('api', 'API', [['', 'any'], ['v1', 'v1'], ['v2', 'v2'], ['smtp', 'smtp']])));
	if (Object.entries(inbox.filters).some(([k, v]) => k !== 'q' && v)) more.open = true;
	const count = h('div', { class: 'count', id: 'count', 'aria-live': 'polite' });
	const list = h('ul', { class: 'msg-list', id: 'messages', 'aria-label': 'Messages' });
	const loadMore = h('button', { type: 'button', id: 'load-more', hidden: true, onclick: () => fetchPage(true) }, 'Load more');
	const listError = h('div', { class: 'error', id: 'list-error' });
	const pane = h('section', { class: 'msg-pane', id: 'message-pane', 'aria-label': 'Message' });
	const wrap = h('div', { class: 'inbox', id: 'inbox' },
		h('section', { class: 'list-pane', 'aria-label': 'Message list' },
			h('div', { class: 'filters' }, q, more, count),
			listError, list, h('div', { class: 'load-more' }, loadMore)),
		pane);
	main.append(wrap);

	let reloadTimer = 0;
	function scheduleReload() {
		clearTimeout(reloadTimer);
		reloadTimer = setTimeout(reload, 250);
	}

	function reload() {
		inbox.items = [];
		inbox.byId = new Map();
		inbox.cursor = null;
		inbox.sel = -1;
		fetchPage(false);
	}

	async function fetchPage(next) {
		const token = ++fetchPage.token;
		inbox.loading = true;
		const query = { ...activeFilters(), limit: inbox.capture === false ? LEGACY_PAGE : PAGE };
		if (next && inbox.cursor) query.cursor = inbox.cursor;
		const res = await api('messages', { query });
		if (token !== fetchPage.token || gen !== inbox.gen) return;
		inbox.loading = false;
		if (!res.ok) {
			listError.textContent = errText(res);
			return;
		}
		listError.textContent = '';
		const wasUnknown = inbox.capture === null;
		inbox.capture = 'next_cursor' in res.data;
		if (wasUnknown && !inbox.capture && res.data.messages.length >= PAGE) {
			fetchPage(false);	// an older server: ask again for its largest page
			return;
		}
		let msgs = res.data.messages || [];
		if (!inbox.capture) msgs = msgs.filter(legacyMatch);
		for (const m of msgs) {
			if (inbox.byId.has(m.MessageId)) continue;
			inbox.byId.set(m.MessageId, m);
			inbox.items.push(m);
		}
		inbox.cursor = inbox.capture ? res.data.next_cursor : null;
		renderList();
	}
	fetchPage.token = 0;

	// New messages and changed ones at the head of the list (live updates).
	async function refreshHead() {
		if (inbox.loading) return;
		const res = await api('messages', { query: { ...activeFilters(), limit: inbox.capture === false ? LEGACY_PAGE : PAGE } });
		if (!res.ok || gen !== inbox.gen) return;
		let msgs = res.data.messages || [];
		if (!('next_cursor' in res.data)) msgs = msgs.filter(legacyMatch);
		const fresh = [];
		let changed = false;
		for (const m of msgs) {
			const old = inbox.byId.get(m.MessageId);
			if (!old) {
				fresh.push(m);
				inbox.byId.set(m.MessageId, m);
			} else if (JSON.stringify(old) !== JSON.stringify(m)) {
				Object.assign(old, m);
				changed = true;
			}
		}
		if (fresh.length) {
			const selId = inbox.items[inbox.sel]?.MessageId;
			inbox.items = fresh.concat(inbox.items).sort((a, b) => (b.Timestamp || 0) - (a.Timestamp || 0));
			if (selId) inbox.sel = inbox.items.findIndex((m) => m.MessageId === selId);
		}
		if (fresh.length || changed) renderList();
	}

	function renderList() {
		const focused = document.activeElement && list.contains(document.activeElement);
		if (inbox.sel < 0 && inbox.openId) inbox.sel = inbox.items.findIndex((m) => m.MessageId === inbox.openId);
		fill(list, ...inbox.items.map((m, i) => listItem(m, i)));
		const n = inbox.items.length;
		const unread = inbox.items.filter((m) => m.Read === false).length;
		count.textContent = n === 0 ? '' : `${n}${inbox.cursor ? '+' : ''} message${n === 1 ? '' : 's'}${unread ? `, ${unread} unread` : ''}`;
		loadMore.hidden = !inbox.cursor;
		if (n === 0 && !inbox.loading) {
			list.append(h('li', { class: 'empty', id: 'no-messages' },
				Object.keys(activeFilters()).length ? 'No message matches.' : 'No messages yet. Send one through the SES API or SMTP.'));
		}
		if (inbox.sel >= n) inbox.sel = n - 1;
		if (focused && inbox.sel >= 0) itemLink(inbox.sel)?.focus({ preventScroll: true });
	}

	function listItem(m, i) {
		const cls = [m.Read === false ? 'unread' : '', i === inbox.sel ? 'selected' : '', m.MessageId === inbox.openId ? 'open' : ''].join(' ').trim();
		const dests = (m.Destinations || []).join(', ');
		const events = (m.EventTypes || []).filter((t) => t !== 'Send').slice(0, 3);
		return h('li', { class: cls || null, 'data-id': m.MessageId },
			h('a', {
				class: 'item', href: `#/inbox/${encodeURIComponent(m.MessageId)}`,
				tabindex: i === (inbox.sel < 0 ? 0 : inbox.sel) ? 0 : -1,
				onfocus: () => setSel(i),
			},
			h('span', { class: 'from' }, m.Source || '(no sender)'),
			h('span', { class: 'time', title: iso(m.Timestamp) }, shortTime(m.Timestamp)),
			h('span', { class: 'subject' }, m.Subject || '(no subject)'),
			h('span', { class: 'to' }, dests ? `to ${dests}` : ''),
			h('span', { class: 'badges' }, m.Kind && m.Kind !== 'send' ? badge(m.Kind, 'info') : null, events.map((t) => badge(t)))));
	}

	const itemLink = (i) => list.children[i]?.querySelector('a.item');

	function setSel(i) {
		if (i === inbox.sel) return;
		const old = list.children[inbox.sel];
		if (old) {
			old.classList.remove('selected');
			const a = old.querySelector('a.item');
			if (a) a.tabIndex = -1;
		}
		inbox.sel = i;
		const li = list.children[i];
		if (li) {
			li.classList.add('selected');
			const a = li.querySelector('a.item');
			if (a) a.tabIndex = 0;
		}
	}

	// Moves the selection by delta (opening the message when one is open).
	function moveSel(delta, open) {
		const n = inbox.items.length;
		if (n === 0) return;
		const i = Math.max(0, Math.min(n - 1, (inbox.sel < 0 ? -1 : inbox.sel) + delta));
		setSel(i);
		const a = itemLink(i);
		if (a) {
			a.focus({ preventScroll: true });
			a.scrollIntoView({ block: 'nearest' });
		}
		if (i >= n - 5 && inbox.cursor && !inbox.loading) fetchPage(true);
		if (open) location.hash = `#/inbox/${encodeURIComponent(inbox.items[i].MessageId)}`;
	}

	// ---- the open message ----
	let detail = null;           // the open message as the API gave it
	let blobUrls = [];
	let detailTimer = 0;

	function releaseBlobs() {
		for (const u of blobUrls) URL.revokeObjectURL(u);
		blobUrls = [];
	}

	async function open(id) {
		inbox.openId = id;
		wrap.classList.toggle('has-open', !!id);
		for (const li of list.children) li.classList.toggle('open', li.dataset.id === id);
		releaseBlobs();
		detail = null;
		if (!id) {
			fill(pane, h('p', { class: 'empty' }, 'Select a message (j/k, Enter).'));
			return;
		}
		const i = inbox.items.findIndex((m) => m.MessageId === id);
		if (i >= 0) setSel(i);
		fill(pane, h('p', { class: 'empty' }, 'Loading…'));
		const res = await api(`messages/${encodeURIComponent(id)}`);
		if (inbox.openId !== id || gen !== inbox.gen) return;
		if (res.status === 404) {
			fill(pane, h('p', { class: 'empty', id: 'message-missing' }, 'This message no longer exists.'));
			return;
		}
		if (!res.ok) {
			fill(pane, h('div', { class: 'error' }, errText(res)));
			return;
		}
		detail = res.data;
		fill(pane, renderMessage(detail));
		if (getComputedStyle($('.list-pane', wrap)).display === 'none') $('#message-subject')?.focus();
		if (detail.Read === false) setRead(true, true);
	}

	async function refreshDetail() {
		if (!detail) return;
		const id = detail.MessageId;
		const res = await api(`messages/${encodeURIComponent(id)}`);
		if (!res.ok || !detail || detail.MessageId !== id) return;
		const before = JSON.stringify([detail.Events, detail.Publications]);
		if (JSON.stringify([res.data.Events, res.data.Publications]) === before) return;
		detail.Events = res.data.Events;
		detail.Publications = res.data.Publications;
		$('#timeline')?.replaceWith(timeline(detail));
	}

	function scheduleDetail() {
		clearTimeout(detailTimer);
		detailTimer = setTimeout(refreshDetail, 150);
	}

	async function setRead(read, quiet) {
		if (!detail) return;
		const id = detail.MessageId;
		const res = await api(`messages/${encodeURIComponent(id)}/read`, { method: 'POST', body: { read } });
		if (!res.ok) {
			if (!quiet) toast(missingEndpoint(res) ? 'This sesbox keeps no read state.' : errText(res));
			return;
		}
		const m = inbox.byId.get(id);
		if (m) m.Read = read;
		if (detail && detail.MessageId === id) detail.Read = read;
		renderList();
		if (!quiet) toast(read ? 'Marked read' : 'Marked unread');
	}

	async function remove() {
		if (!detail) return;
		const id = detail.MessageId;
		const res = await api(`messages/${encodeURIComponent(id)}`, { method: 'DELETE' });
		if (!res.ok) {
			toast(res.status === 405 ? 'This sesbox cannot delete messages.' : errText(res));
			return;
		}
		const i = inbox.items.findIndex((m) => m.MessageId === id);
		if (i >= 0) inbox.items.splice(i, 1);
		inbox.byId.delete(id);
		toast('Message deleted');
		const nextMsg = inbox.items[Math.min(i, inbox.items.length - 1)];
		inbox.sel = nextMsg ? inbox.items.indexOf(nextMsg) : -1;
		renderList();
		location.hash = nextMsg ? `#/inbox/${encodeURIComponent(nextMsg.MessageId)}` : '#/inbox';
		if (nextMsg) itemLink(inbox.sel)?.focus({ preventScroll: true });
	}

	async function act(kind, body) {
		if (!detail) return;
		const id = detail.MessageId;
		const res = await api(`messages/${encodeURIComponent(id)}/actions/${kind}`, { method: 'POST', body });
		if (!res.ok) {
			toast(errText(res));
			return;
		}
		const ev = res.data && res.data.Event;
		toast(`${ev && ev.Type ? ev.Type : kind} recorded`);
		await api('queue/flush', { method: 'POST' });
		refreshDetail();
		refreshHead();
	}

	function renderMessage(d) {
		const parts = 'Html' in d || 'Text' in d || 'Headers' in d ? serverParts(d) : parseMime(d.Raw || '');
		for (const a of parts.attachments) if (a.blob) blobUrls.push(a.url);
		const id = d.MessageId;
		const enc = encodeURIComponent(id);
		const tags = d.Tags && Object.keys(d.Tags).length
			? Object.entries(d.Tags).map(([k, v]) => badge(`${k}=${Array.isArray(v) ? v.join(',') : v}`, 'info')) : null;
		const env = d.Envelope;
		const toolbar = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Message actions' },
			h('a', { class: 'button back', href: '#/inbox', id: 'back' }, '← Messages'),
			'Read' in d ? h('button', { type: 'button', id: 'mark-unread', onclick: () => setRead(false) }, 'Mark unread') : null,
			// The capture API's messages carry Read: known with the message
			// itself, not only once the list has answered.
			'Read' in d ? h('button', { type: 'button', class: 'danger', id: 'delete', onclick: remove, title: 'Delete (#)' }, 'Delete') : null,
			h('a', { class: 'button', href: `${API}/messages/${enc}/raw`, download: `${id}.eml`, id: 'download' }, 'Download .eml'));
		const art = h('article', { class: 'message', id: 'message', 'data-id': id },
			toolbar,
			h('h1', { id: 'message-subject', tabindex: -1 }, d.Subject || '(no subject)'),
			dl([
				['From', d.Source],
				['To', (d.Destinations || []).join(', ')],
				['Date', longTime(d.Timestamp)],
				['Envelope', env ? `MAIL FROM:<${env.MailFrom || ''}> RCPT TO:${(env.RcptTo || []).map((r) => `<${r}>`).join(' ')}` : null],
				['Kind', [d.Kind, d.Api, d.Operation].filter(Boolean).join(' · ')],
				['Configuration set', d.ConfigurationSet],
				['Tags', tags],
				['Account', d.Account && `${d.Account} / ${d.Region}`],
				['Size', d.Size != null ? size(d.Size) : size((d.Raw || '').length)],
				['Message ID', h('code', {}, id)],
			]),
			actionsBar(d, parts),
			h('h2', {}, 'Events'),
			timeline(d),
			bodyTabs(d, parts));
		return art;
	}

	function actionsBar(d, parts) {
		if (!inbox.actions) return null;
		const rcpt = h('select', { id: 'act-recipient', 'aria-label': 'Recipient' },
			(d.Destinations || []).map((r) => h('option', { value: r }, r)));
		const links = messageLinks(parts);
		const link = h('select', { id: 'act-link', 'aria-label': 'Link to click' },
			links.length ? links.map((u, i) => h('option', { value: String(i + 1) }, u)) : h('option', { value: '' }, '(no links)'));
		const fb = h('select', { id: 'act-feedback', 'aria-label': 'Complaint feedback type' },
			['abuse', 'auth-failure', 'fraud', 'not-spam', 'other', 'virus'].map((t) => h('option', { value: t }, t)));
		const bt = h('select', { id: 'act-bounce-type', 'aria-label': 'Bounce type' },
			[['Permanent/General', 'Permanent · General'], ['Permanent/NoEmail', 'Permanent · NoEmail'],
				['Transient/General', 'Transient · General'], ['Transient/MailboxFull', 'Transient · MailboxFull']]
				.map(([v, t]) => h('option', { value: v }, t)));
		const who = () => (rcpt.value ? { recipient: rcpt.value } : {});
		return h('section', { class: 'card', 'aria-label': 'Simulate the recipient' },
			h('div', { class: 'row' },
				h('label', {}, 'Recipient', rcpt),
				h('button', { type: 'button', id: 'act-open', onclick: () => act('open', who()) }, 'Open'),
				h('label', {}, 'Link', link),
				h('button', { type: 'button', id: 'act-click', disabled: !links.length, onclick: () => act('click', { ...who(), n: Number(link.value) }) }, 'Click'),
				h('label', {}, 'Feedback', fb),
				h('button', { type: 'button', id: 'act-complain', onclick: () => act('complain', { ...who(), feedbackType: fb.value }) }, 'Complain'),
				h('label', {}, 'Bounce', bt),
				h('button', { type: 'button', id: 'act-bounce', onclick: () => {
					const [bounceType, bounceSubType] = bt.value.split('/');
					act('bounce', { ...who(), bounceType, bounceSubType });
				} }, 'Bounce')));
	}

	function bodyTabs(d, parts) {
		const id = d.MessageId;
		const enc = encodeURIComponent(id);
		const tabs = [];
		if (parts.html != null) {
			const frame = h('iframe', {
				class: 'mail', id: 'mail-html', sandbox: '', referrerpolicy: 'no-referrer',
				title: 'Message HTML (sandboxed: no scripts, remote images blocked)',
			});
			if (parts.server) frame.src = `${API}/messages/${enc}/html`;
			else frame.srcdoc = parts.html;
			const show = h('button', { type: 'button', id: 'show-images', onclick: () => {
				frame.src = `${API}/messages/${enc}/html?images=1`;
				show.disabled = true;
				note.textContent = 'Remote images shown. Scripts still never run.';
			} }, 'Show remote images');
			const note = h('span', { id: 'images-note' }, 'Scripts never run here; remote images are blocked.');
			tabs.push(['html', 'HTML', [h('div', { class: 'notice' }, note, parts.server ? show : null), frame]]);
		}
		if (parts.text != null) tabs.push(['text', 'Text', h('pre', { id: 'mail-text' }, parts.text)]);
		tabs.push(['headers', 'Headers', table(['Name', 'Value'],
			(parts.headers || []).map((x) => h('tr', {}, h('td', {}, x.name), h('td', { class: 'mono' }, decodeWords(x.value)))),
			{ id: 'mail-headers' })]);
		const raw = d.Raw || '';
		tabs.push(['source', 'Source', [
			raw.length > SOURCE_SHOWN_MAX ? h('p', { class: 'muted' }, `The first ${size(SOURCE_SHOWN_MAX)} of ${size(raw.length)}; download the .eml for all of it.`) : null,
			h('pre', { class: 'source', id: 'mail-source' }, raw.slice(0, SOURCE_SHOWN_MAX))]]);
		const atts = parts.attachments;
		tabs.push(['attachments', `Attachments (${atts.length})`, atts.length
			? table(['File', 'Type', 'Size', 'Content-ID'], atts.map((a) => h('tr', {},
				h('td', {}, h('a', { href: a.url, download: a.Filename || `attachment-${a.Index}` }, a.Filename || `attachment ${a.Index}`)),
				h('td', { class: 'mono' }, a.ContentType), h('td', {}, size(a.Size)), h('td', { class: 'mono' }, a.ContentId || ''))),
			{ id: 'mail-attachments' })
			: h('p', { class: 'muted' }, 'No attachments.')]);
		return tabset(tabs, 'mail');
	}

	// ---- live updates ----
	let es = null;
	let pollTimer = 0;
	let headTimer = 0;
	const live = $('#live');
	function scheduleHead() {
		clearTimeout(headTimer);
		headTimer = setTimeout(refreshHead, 200);
	}
	function startPolling() {
		live.textContent = 'polling';
		live.className = 'chip warn';
		live.title = 'The live feed is not available: polling every few seconds';
		clearInterval(pollTimer);
		pollTimer = setInterval(() => {
			if (document.hidden) return;
			refreshHead();
			refreshDetail();
		}, POLL_MS);
	}
	// A page kept in the back/forward cache must not hold its feed open:
	// browsers allow few connections per host.
	function onPageHide() {
		if (es) {
			es.close();
			es = null;
		}
	}
	function onPageShow(e) {
		if (e.persisted && !es && !pollTimer) startFeed();
	}
	window.addEventListener('pagehide', onPageHide);
	window.addEventListener('pageshow', onPageShow);

	function startFeed() {
		if (typeof EventSource === 'undefined') {
			startPolling();
			return;
		}
		es = new EventSource(`${API}/feed`);
		es.addEventListener('open', () => {
			live.textContent = 'live';
			live.className = 'chip on';
			live.title = 'Live updates from the feed';
		});
		es.addEventListener('message', scheduleHead);
		es.addEventListener('event', (ev) => {
			let e = null;
			try { e = JSON.parse(ev.data); } catch { /* a malformed line */ }
			scheduleHead();
			if (!e || (detail && e.MessageId === detail.MessageId)) scheduleDetail();
		});
		es.addEventListener('error', () => {
			if (es.readyState === EventSource.CLOSED) {
				es.close();
				es = null;
				startPolling();
			} else {
				live.textContent = 'reconnecting';
				live.className = 'chip warn';
			}
		});
	}

	// ---- keys ----
	function onKey(e) {
		const typing = e.target.matches('input, textarea, select');
		if (typing) return false;
		switch (e.key) {
		case '/':
			q.focus();
			q.select();
			return true;
		case 'j': case 'ArrowDown':
			if (e.target.closest('[role="tablist"]')) return false;
			moveSel(1, !!inbox.openId && e.key === 'j');
			return true;
		case 'k': case 'ArrowUp':
			if (e.target.closest('[role="tablist"]')) return false;
			moveSel(-1, !!inbox.openId && e.key === 'k');
			return true;
		case 'Enter': case 'o':
			if (e.key === 'Enter' && e.target.matches('a, button')) return false;
			if (inbox.sel >= 0 && inbox.items[inbox.sel]) {
				location.hash = `#/inbox/${encodeURIComponent(inbox.items[inbox.sel].MessageId)}`;
				return true;
			}
			return false;
		case 'Escape':
			if (inbox.openId) {
				location.hash = '#/inbox';
				setTimeout(() => itemLink(Math.max(inbox.sel, 0))?.focus(), 0);
				return true;
			}
			return false;
		case 'u':
			if (detail && 'Read' in detail) { setRead(false); return true; }
			return false;
		case '#': case 'Delete':
			if (detail && 'Read' in detail) { remove(); return true; }
			return false;
		case 'r':
			reload();
			return true;
		default:
			return false;
		}
	}
	inboxKeys = onKey;

	// Capabilities of the other endpoints, then the first page.
	if (inbox.actions === null) {
		api('events', { query: { limit: 1 } }).then((r) => {
			inbox.actions = r.ok;
			if (inbox.actions && detail && !$('#act-open')) fill(pane, renderMessage(detail));
		});
	}
	fetchPage(false);
	open(openId);
	startFeed();
	return {
		update: open,
		cleanup: () => {
			inboxKeys = null;
			clearInterval(pollTimer);
			clearTimeout(reloadTimer);
			clearTimeout(headTimer);
			clearTimeout(detailTimer);
			if (es) es.close();
			window.removeEventListener('pagehide', onPageHide);
			window.removeEventListener('pageshow', onPageShow);
			releaseBlobs();
			inbox.openId = null;
		},
	};
}
let inboxKeys = null;

// A tab set: [[key, label, content], ...] with the ARIA tabs pattern.
function tabset(tabs, prefix) {
	const list = h('div', { class: 'tabs', role: 'tablist' });
	const panels = [];
	const buttons = [];
	const select = (i, focus) => {
		buttons.forEach((b, j) => {
			b.setAttribute('aria-selected', String(i === j));
			b.tabIndex = i === j ? 0 : -1;
			panels[j].hidden = i !== j;
		});
		if (focus) buttons[i].focus();
	};
	tabs.forEach(([key, label, content], i) => {
		const b = h('button', {
			type: 'button', role: 'tab', id: `${prefix}-tab-${key}`, 'aria-controls': `${prefix}-panel-${key}`,
			onclick: () => select(i, false),
			onkeydown: (e) => {
				let j = null;
				if (e.key === 'ArrowRight') j = (i + 1) % tabs.length;
				else if (e.key === 'ArrowLeft') j = (i + tabs.length - 1) % tabs.length;
				else if (e.key === 'Home') j = 0;
				else if (e.key === 'End') j = tabs.length - 1;
				if (j !== null) { e.preventDefault(); e.stopPropagation(); select(j, true); }
			},
		}, label);
		buttons.push(b);
		list.append(b);
		panels.push(h('div', { role: 'tabpanel', id: `${prefix}-panel-${key}`, 'aria-labelledby': b.id, tabindex: 0 }, content));
	});
	select(0, false);
	return h('div', {}, list, panels);
}

// ---- message parts ----------------------------------------------------------

function serverParts(d) {
	const enc = encodeURIComponent(d.MessageId);
	return {
		server: true,
		headers: d.Headers || [],
		text: d.Text ?? null,
		html: d.Html ?? null,
		attachments: (d.Attachments || []).map((a) => ({ ...a, url: `${API}/messages/${enc}/attachments/${a.Index}` })),
	};
}

// Links a recipient could click: the HTML's anchors or the text's URLs.
// (Read with a pattern: even an inert DOMParser document would apply the
// message's inline styles against the page's CSP.)
function messageLinks(parts) {
	const out = [];
	if (parts.html) {
		for (const m of parts.html.matchAll(/<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi)) {
			const href = (m[1] ?? m[2] ?? m[3]).replace(/&amp;/g, '&').trim();
			if (/^https?:/i.test(href)) out.push(href);
		}
	} else if (parts.text) {
		for (const m of parts.text.matchAll(/https?:\/\/[^\s<>"]+/g)) out.push(m[0]);
	}
	return out;
}

// Client-side MIME reading, for a server whose message API gives only Raw.
const utf8 = new TextEncoder();

function mimeSplit(raw) {
	let head = '';
	let body = '';
	const lead = /^\r?\n/.exec(raw);
	if (lead) {
		body = raw.slice(lead[0].length);
	} else {
		const m = /\r?\n\r?\n/.exec(raw);
		head = m ? raw.slice(0, m.index) : raw;
		body = m ? raw.slice(m.index + m[0].length) : '';
	}
	const headers = [];
	for (const line of head.split(/\r?\n/)) {
		if (/^[ \t]/.test(line) && headers.length) headers[headers.length - 1].value += ` ${line.trim()}`;
		else {
			const i = line.indexOf(':');
			if (i > 0) headers.push({ name: line.slice(0, i).trim(), value: line.slice(i + 1).trim() });
		}
	}
	return { headers, body };
}

function header(hs, name) {
	const n = name.toLowerCase();
	const x = hs.find((y) => y.name.toLowerCase() === n);
	return x ? x.value : null;
}

function mimeParams(v) {
	const out = { value: '', params: {} };
	if (!v) return out;
	const i = v.indexOf(';');
	out.value = (i < 0 ? v : v.slice(0, i)).trim().toLowerCase();
	const re = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
	let m;
	while ((m = re.exec(v)) !== null)
		out.params[m[1].toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3].trim();
	for (const k of Object.keys(out.params)) {
		if (!k.endsWith('*')) continue;
		const val = /^[^']*'[^']*'(.*)$/.exec(out.params[k]);
		try {
			out.params[k.slice(0, -1)] = decodeURIComponent(val ? val[1] : out.params[k]);
		} catch { /* keep the raw value */ }
	}
	return out;
}

function partBytes(body, cte) {
	const e = (cte || '').trim().toLowerCase();
	if (e === 'base64') {
		let clean = body.replace(/[^A-Za-z0-9+/]/g, '');
		if (clean.length % 4 === 1) clean = clean.slice(0, -1);
		let bin = '';
		try { bin = atob(clean); } catch { bin = ''; }
		const out = new Uint8Array(bin.length);
		for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
		return out;
	}
	if (e === 'quoted-printable') {
		const str = body.replace(/=\r?\n/g, '');
		const out = [];
		let lit = '';
		const flush = () => {
			if (!lit) return;
			for (const b of utf8.encode(lit)) out.push(b);
			lit = '';
		};
		for (let i = 0; i < str.length; i++) {
			const hex = str.slice(i + 1, i + 3);
			if (str[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
				flush();
				out.push(parseInt(hex, 16));
				i += 2;
			} else lit += str[i];
		}
		flush();
		return Uint8Array.from(out);
	}
	return utf8.encode(body);
}

function decodeText(bytes, charset) {
	try {
		return new TextDecoder(charset || 'utf-8').decode(bytes);
	} catch {
		return new TextDecoder('utf-8').decode(bytes);
	}
}

// RFC 2047 encoded words in a header value.
function decodeWords(v) {
	if (!v || !v.includes('=?')) return v;
	return v.replace(/(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)\s+(?==\?)/g, '$1')
		.replace(/=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g, (all, cs, e, txt) => {
			try {
				const bytes = e.toUpperCase() === 'B' ? partBytes(txt, 'base64') : partBytes(txt.replace(/_/g, ' '), 'quoted-printable');
				return decodeText(bytes, cs.replace(/\*.*$/, ''));
			} catch {
				return all;
			}
		});
}

function parseMime(raw) {
	const out = { server: false, headers: [], text: null, html: null, attachments: [] };
	const top = mimeSplit(raw);
	out.headers = top.headers;
	walkPart(top, out, 0);
	for (const a of out.attachments) {
		a.url = URL.createObjectURL(new Blob([a.bytes], { type: a.ContentType || 'application/octet-stream' }));
		a.blob = true;
	}
	return out;
}

function walkPart(part, out, depth) {
	const ct = mimeParams(header(part.headers, 'content-type') || 'text/plain');
	if (ct.value.startsWith('multipart/') && ct.params.boundary && depth < 20) {
		const b = ct.params.boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
		const re = new RegExp(`^--${b}(--)?[ \\t]*\\r?$`, 'gm');
		let m;
		let prev = null;
		while ((m = re.exec(part.body)) !== null) {
			if (prev !== null) {
				const sub = part.body.slice(prev, m.index).replace(/^\n/, '').replace(/\r?\n$/, '');
				walkPart(mimeSplit(sub), out, depth + 1);
			}
			if (m[1]) break;
			prev = m.index + m[0].length;
		}
		return;
	}
	const disp = mimeParams(header(part.headers, 'content-disposition'));
	const filename = decodeWords(disp.params.filename || ct.params.name || '');
	const bytes = partBytes(part.body, header(part.headers, 'content-transfer-encoding'));
	const attached = disp.value === 'attachment' || (filename && disp.value !== 'inline');
	if (!attached && ct.value === 'text/plain' && out.text === null) out.text = decodeText(bytes, ct.params.charset);
	else if (!attached && ct.value === 'text/html' && out.html === null) out.html = decodeText(bytes, ct.params.charset);
	else {
		out.attachments.push({
			Index: out.attachments.length + 1, Filename: filename || null, ContentType: ct.value,
			Size: bytes.length, ContentId: header(part.headers, 'content-id'), Disposition: disp.value || null, bytes,
		});
	}
}

// ---- the event timeline -----------------------------------------------------

function eventRecipients(ev) {
	const d = ev.Detail || {};
	if (Array.isArray(ev.Recipients)) return ev.Recipients;
	const list = d.recipients || (d.bouncedRecipients || d.complainedRecipients || d.delayedRecipients || [])
		.map((r) => r.emailAddress);
	return Array.isArray(list) ? list : [];
}

// Publications under the event they came from: by Id when events carry one,
// else by type and time.
function publicationsOf(d) {
	const events = d.Events || [];
	const pubs = d.Publications || [];
	const out = events.map(() => []);
	for (const p of pubs) {
		let k = events.findIndex((e) => e.Id != null && e.Id === p.Event);
		if (k < 0) {
			let best = -1;
			events.forEach((e, i) => {
				if (e.Type !== p.Type) return;
				const et = toDate(e.Timestamp)?.getTime() ?? 0;
				const pt = toDate(p.Timestamp)?.getTime() ?? 0;
				if (best < 0 || et <= pt) best = i;
			});
			k = best;
		}
		if (k >= 0) out[k].push(p);
	}
	return out;
}

function timeline(d) {
	const events = d.Events || [];
	if (!events.length) return h('div', { id: 'timeline' }, h('p', { class: 'muted' }, 'No events yet.'));
	const pubs = publicationsOf(d);
	return h('ol', { class: 'timeline', id: 'timeline' }, events.map((ev, i) => {
		const rc = eventRecipients(ev);
		return h('li', { class: `t-${slug(ev.Type)}`, 'data-type': ev.Type },
			h('details', {},
				h('summary', {}, h('strong', {}, ev.Type),
					h('span', { class: 'when', title: iso(ev.Timestamp) }, shortTime(ev.Timestamp)),
					rc.length ? h('span', { class: 'muted' }, ` — ${rc.join(', ')}`) : null,
					pubs[i].length ? h('span', { class: 'muted' }, ` · ${pubs[i].length} notification${pubs[i].length === 1 ? '' : 's'}`) : null),
				h('pre', { class: 'event-json' }, json(ev.Detail)),
				pubs[i].length ? h('ul', { class: 'pubs' }, pubs[i].map(publication)) : null));
	}));
}

function publication(p) {
	const delivery = p.Delivery || null;
	const attempts = (delivery && delivery.Attempts) || p.Attempts || [];
	return h('li', { class: 'publication' },
		h('details', {},
			h('summary', {}, badge(p.Status), `${p.Format || ''} → ${p.TargetKind || ''} `, h('code', {}, p.Target || p.Origin || ''),
				p.Error ? h('span', { class: 'muted' }, ` (${p.Error})`) : null),
			h('pre', {}, typeof p.Payload === 'string' ? p.Payload : json(p.Payload)),
			attempts.length ? table(['#', 'When', 'Status', 'HTTP', 'Error'], attempts.map((a, i) => h('tr', {},
				h('td', {}, a.Attempt ?? i + 1), h('td', {}, shortTime(a.Timestamp)), h('td', {}, badge(a.Status || '')),
				h('td', {}, a.HttpStatus ?? ''), h('td', {}, a.Error ?? '')))) : null,
			delivery && delivery.Endpoint ? h('p', { class: 'muted' }, `${delivery.Kind || ''} to ${delivery.Endpoint} — ${delivery.State || ''}`) : null));
}

// ---- SES views --------------------------------------------------------------

function page(main, title, ...kids) {
	const el = h('div', { class: 'page' }, h('h1', {}, title), kids);
	main.append(el);
	return el;
}

function scopeNote(data) {
	return data && data.Account ? `${data.Account} / ${data.Region}` : '';
}

// A paged list: fetch(cursor) → {items, next}; render(item) → node.
function pager(container, fetchFn, renderFn, emptyText) {
	let cursor = null;
	const more = h('button', { type: 'button', class: 'load-more-btn', hidden: true, onclick: () => load(true) }, 'Load more');
	const err = h('div', { class: 'error' });
	const box = h('div', {});
	container.append(err, box, h('div', { class: 'load-more' }, more));
	async function load(next) {
		const res = await fetchFn(next ? cursor : null);
		if (!res.ok) {
			err.textContent = errText(res);
			return null;
		}
		err.textContent = '';
		if (!next) box.replaceChildren();
		cursor = res.next;
		more.hidden = !cursor;
		for (const it of res.items) box.append(renderFn(it));
		if (!box.children.length) box.append(h('p', { class: 'empty' }, emptyText));
		return res;
	}
	return { load };
}

function viewIdentities(main) {
	const shown = h('span', { class: 'muted' });
	const pg = page(main, 'Identities', scopeBar(() => list.load(false), shown));
	const list = pager(pg, async (cursor) => {
		const res = await api('identities', { query: scoped({ limit: 200, cursor }) });
		if (res.ok) shown.textContent = scopeNote(res.data);
		return res.ok ? { ok: true, items: res.data.identities, next: res.data.next_cursor } : res;
	}, identityCard, 'No identities in this account and region.');
	list.load(false);
}

function identityCard(id) {
	const dk = id.Dkim || {};
	const mf = id.MailFrom || {};
	const nt = id.Notifications || {};
	const records = id.Records || [];
	return h('details', { class: 'card identity', 'data-identity': id.Identity },
		h('summary', {}, h('h3', {}, id.Identity), ' ',
			badge(id.Type === 'Domain' ? 'domain' : 'email', 'info'),
			badge(id.VerificationStatus), id.Type === 'Domain' ? badge(`DKIM ${dk.Status}`, STATUS_CLASS[dk.Status]) : null,
			mf.Domain ? badge(`MAIL FROM ${mf.Status || ''}`, STATUS_CLASS[mf.Status]) : null,
			id.SendingEnabled ? null : badge('sending disabled', 'bad')),
		dl([
			['Verification', id.VerificationStatus],
			['DKIM', [dk.Enabled ? 'signing on' : 'signing off', dk.Origin, dk.Status, dk.KeyLength].filter(Boolean).join(' · ')],
			['MAIL FROM', mf.Domain ? `${mf.Domain} (${mf.Status || '—'}; on MX failure: ${mf.BehaviorOnMxFailure})` : 'default (amazonses.com)'],
			['Bounce topic', nt.BounceTopic], ['Complaint topic', nt.ComplaintTopic], ['Delivery topic', nt.DeliveryTopic],
			['Feedback forwarding', nt.ForwardingEnabled ? 'on' : 'off'],
			['Default configuration set', id.ConfigurationSet],
			['Created', longTime(id.CreatedTimestamp)],
		]),
		h('h4', {}, 'DNS records'),
		records.length ? table(['Type', 'Name', 'Value', 'Purpose', 'Status'], records.map((r) => h('tr', {},
			h('td', {}, r.Type), h('td', { class: 'mono' }, r.Name), h('td', { class: 'mono' }, r.Value),
			h('td', {}, r.Purpose), h('td', {}, badge(r.Status)))), { class: 'dns-records' })
			: h('p', { class: 'muted' }, id.Type === 'Domain' ? 'No records.' : 'None: an email address is verified by the link mailed to it.'));
}

// Sample data for a template: every {{path}} it uses, filled with its name.
function sampleData(t) {
	const data = {};
	const text = [t.SubjectPart, t.TextPart, t.HtmlPart].filter(Boolean).join('\n');
	const setPath = (path, value) => {
		const keys = path.split('.');
		let o = data;
		keys.forEach((k, i) => {
			if (i === keys.length - 1) {
				if (!(k in o)) o[k] = value;
			} else {
				if (typeof o[k] !== 'object' || o[k] === null || Array.isArray(o[k])) o[k] = {};
				o = o[k];
			}
		});
	};
	for (const m of text.matchAll(/\{\{\{?\s*([#^]?)(each\s+|if\s+|unless\s+|with\s+)?([A-Za-z_][\w.]*)\s*\}?\}\}/g)) {
		const [, block, helper, path] = m;
		if (['else', 'this'].includes(path)) continue;
		if (helper && helper.startsWith('each')) setPath(path, [path.split('.').pop()]);
		else if (helper && helper.startsWith('with')) setPath(path, {});
		else if (helper) setPath(path, true);
		else if (!block) setPath(path, path.split('.').pop());
	}
	return data;
}

function viewTemplates(main, selected) {
	const shown = h('span', { class: 'muted' });
	const pg = page(main, 'Templates', scopeBar(() => loadList(), shown));
	const listEl = h('ul', { class: 'pick-list', id: 'template-list', 'aria-label': 'Templates' });
	const detail = h('div', { id: 'template-detail' });
	const err = h('div', { class: 'error' });
	pg.append(err, h('div', { class: 'split' }, h('nav', { 'aria-label': 'Template list' }, listEl), detail));
	let templates = [];
	let sel = selected;

	async function loadList() {
		const res = await api('templates', { query: scoped({ limit: 1000 }) });
		if (!res.ok) {
			err.textContent = errText(res);
			return;
		}
		err.textContent = '';
		shown.textContent = scopeNote(res.data);
		templates = res.data.templates;
		fill(listEl, ...templates.map((t) => h('li', {},
			h('a', { href: `#/templates/${encodeURIComponent(t.Name)}`, 'aria-current': t.Name === sel ? 'true' : null }, t.Name))));
		if (!templates.length) listEl.append(h('li', { class: 'muted' }, 'No templates.'));
		showDetail();
	}

	function showDetail() {
		const t = templates.find((x) => x.Name === sel) || (sel ? null : templates[0]);
		if (!t) {
			fill(detail, h('p', { class: 'empty' }, sel ? `No template ${sel} here.` : 'Select a template.'));
			return;
		}
		for (const a of $$('a', listEl)) a.setAttribute('aria-current', String(a.textContent === t.Name));
		const data = h('textarea', { id: 'tpl-data', rows: 8, spellcheck: 'false', 'aria-label': 'Sample data (JSON)' });
		data.value = json(sampleData(t));
		const result = h('div', { id: 'tpl-result', 'aria-live': 'polite' });
		const render = async () => {
			const res = await api(`templates/${encodeURIComponent(t.Name)}/render`, { method: 'POST', body: { data: data.value }, query: scoped() });
			if (!res.ok) {
				fill(result, h('div', { class: 'error', id: 'tpl-error' }, h('code', {}, res.data?.code || res.status), ': ', res.data?.message || ''));
				return;
			}
			const r = res.data;
			fill(result, 
				h('h3', {}, 'Subject'), h('pre', { id: 'tpl-subject' }, r.Subject ?? '(none)'),
				r.Html != null ? [h('h3', {}, 'HTML'), h('iframe', { class: 'mail preview-frame', id: 'tpl-html', sandbox: '', srcdoc: r.Html, title: 'Rendered HTML (sandboxed)', referrerpolicy: 'no-referrer' })] : null,
				r.Text != null ? [h('h3', {}, 'Text'), h('pre', { id: 'tpl-text' }, r.Text)] : null,
				h('details', {}, h('summary', {}, 'As TestRenderTemplate returns it'), h('pre', {}, r.RenderedTemplate || '')));
		};
		fill(detail, 
			h('h2', {}, t.Name),
			dl([['Created', longTime(t.CreatedTimestamp)], ['Updated', longTime(t.UpdatedTimestamp)]]),
			h('h3', {}, 'Subject part'), h('pre', {}, t.SubjectPart ?? '(none)'),
			h('h3', {}, 'Text part'), h('pre', {}, t.TextPart ?? '(none)'),
			h('h3', {}, 'HTML part'), h('pre', {}, t.HtmlPart ?? '(none)'),
			h('h2', {}, 'Render preview'),
			h('p', { class: 'muted' }, 'Sample data as SES takes TemplateData: a JSON object.'),
			data,
			h('div', { class: 'row' }, h('button', { type: 'button', class: 'primary', id: 'tpl-render', onclick: render }, 'Render')),
			result);
	}

	loadList();
	return { update: (name) => { sel = name; showDetail(); } };
}

function destinationText(dest) {
	if (!dest || typeof dest !== 'object') return '';
	const [kind, v] = Object.entries(dest)[0] || [];
	if (!kind) return '';
	const target = v && (v.TopicArn || v.TopicARN || v.EventBusArn || v.DeliveryStreamArn || v.DeliveryStreamARN || v.ApplicationArn);
	if (target) return `${kind.replace(/Destination$/, '')}: ${target}`;
	return `${kind.replace(/Destination$/, '')}: ${JSON.stringify(v)}`;
}

function viewConfigSets(main) {
	const shown = h('span', { class: 'muted' });
	const pg = page(main, 'Configuration sets', scopeBar(() => list.load(false), shown));
	const list = pager(pg, async (cursor) => {
		const res = await api('configuration-sets', { query: scoped({ limit: 100, cursor }) });
		if (res.ok) shown.textContent = scopeNote(res.data);
		return res.ok ? { ok: true, items: res.data.configuration_sets, next: res.data.next_cursor } : res;
	}, (c) => h('section', { class: 'card config-set', 'data-name': c.Name },
		h('h3', {}, c.Name, ' ', badge(c.SendingEnabled ? 'sending' : 'sending paused', c.SendingEnabled ? 'ok' : 'bad'),
			c.ReputationMetricsEnabled ? badge('reputation metrics', 'info') : null),
		dl([
			['Created', longTime(c.CreatedTimestamp)],
			['Last fresh start', c.LastFreshStart ? longTime(c.LastFreshStart) : null],
			['Tracking', c.TrackingOptions ? h('code', {}, JSON.stringify(c.TrackingOptions)) : null],
			['Delivery', c.DeliveryOptions ? h('code', {}, JSON.stringify(c.DeliveryOptions)) : null],
			['Suppression', c.SuppressionOptions ? h('code', {}, JSON.stringify(c.SuppressionOptions)) : 'account level'],
			['VDM', c.VdmOptions ? h('code', {}, JSON.stringify(c.VdmOptions)) : null],
			['Archiving', c.ArchivingOptions ? h('code', {}, JSON.stringify(c.ArchivingOptions)) : null],
		]),
		h('h4', {}, 'Event destinations'),
		c.EventDestinations.length ? table(['Name', 'Enabled', 'Events', 'Destination'], c.EventDestinations.map((d) => h('tr', {},
			h('td', {}, d.Name), h('td', {}, badge(d.Enabled ? 'enabled' : 'disabled', d.Enabled ? 'ok' : '')),
			h('td', {}, (d.MatchingEventTypes || []).map((t) => badge(t, 'info'))),
			h('td', { class: 'mono' }, destinationText(d.Destination)))), { class: 'destinations' })
			: h('p', { class: 'muted' }, 'None.')), 'No configuration sets in this account and region.');
	list.load(false);
}

function viewSuppression(main) {
	const shown = h('span', { class: 'muted' });
	const pg = page(main, 'Suppression list', scopeBar(() => reload(), shown));
	const email = h('input', { id: 'supp-email', type: 'text', placeholder: 'address@example.com', autocomplete: 'off', 'aria-label': 'Address to suppress' });
	const reason = h('select', { id: 'supp-reason', 'aria-label': 'Reason' }, h('option', { value: 'BOUNCE' }, 'BOUNCE'), h('option', { value: 'COMPLAINT' }, 'COMPLAINT'));
	const formErr = h('div', { class: 'error', id: 'supp-error', role: 'alert' });
	const filter = h('select', { id: 'supp-filter', 'aria-label': 'Show reason', onchange: () => reload() },
		h('option', { value: '' }, 'all reasons'), h('option', { value: 'BOUNCE' }, 'BOUNCE'), h('option', { value: 'COMPLAINT' }, 'COMPLAINT'));
	pg.append(h('form', { class: 'row card', id: 'supp-form', onsubmit: async (e) => {
		e.preventDefault();
		const res = await api('suppression', { method: 'PUT', body: { email: email.value, reason: reason.value }, query: scoped() });
		if (!res.ok) {
			formErr.textContent = errText(res);
			return;
		}
		formErr.textContent = '';
		email.value = '';
		toast(`${res.data.EmailAddress} suppressed (${res.data.Reason})`);
		reload();
	} }, h('label', {}, 'Address', email), h('label', {}, 'Reason', reason), h('button', { type: 'submit', class: 'primary', id: 'supp-add' }, 'Add')),
	formErr, h('div', { class: 'row' }, h('label', {}, 'Show', filter)));
	const tbody = h('tbody', { id: 'supp-rows' });
	const more = h('button', { type: 'button', hidden: true, onclick: () => load(true) }, 'Load more');
	const err = h('div', { class: 'error' });
	pg.append(err, h('div', { class: 'table-wrap' }, h('table', { id: 'supp-table' },
		h('thead', {}, h('tr', {}, ['Address', 'Reason', 'Last update', 'Message', ''].map((c) => h('th', { scope: 'col' }, c)))), tbody)),
	h('div', { class: 'load-more' }, more));
	let cursor = null;
	async function load(next) {
		const res = await api('suppression', { query: scoped({ reason: filter.value, limit: 100, cursor: next ? cursor : null }) });
		if (!res.ok) {
			err.textContent = errText(res);
			return;
		}
		err.textContent = '';
		shown.textContent = scopeNote(res.data);
		if (!next) tbody.replaceChildren();
		cursor = res.data.next_cursor;
		more.hidden = !cursor;
		for (const sd of res.data.suppressed) {
			tbody.append(h('tr', { 'data-email': sd.EmailAddress },
				h('td', { class: 'mono' }, sd.EmailAddress), h('td', {}, badge(sd.Reason)),
				h('td', {}, shortTime(sd.LastUpdateTime)), h('td', { class: 'mono' }, sd.MessageId || ''),
				h('td', {}, h('button', { type: 'button', class: 'danger supp-remove', 'aria-label': `Remove ${sd.EmailAddress}`, onclick: async () => {
					const r = await api(`suppression/${encodeURIComponent(sd.EmailAddress)}`, { method: 'DELETE', query: scoped() });
					if (!r.ok) {
						formErr.textContent = errText(r);
						return;
					}
					toast(`${sd.EmailAddress} removed`);
					reload();
				} }, 'Remove'))));
		}
		if (!tbody.children.length) tbody.append(h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No suppressed addresses.')));
	}
	const reload = () => load(false);
	reload();
}

// A rate against its review and shutdown thresholds, as a horizontal bar.
function gauge(label, rate, review, shutdown, id) {
	const W = 300;
	const H = 26;
	const top = Math.max(shutdown * 1.5, rate, 1e-9);
	const x = (v) => Math.min(W, (v / top) * W);
	const cls = rate >= shutdown ? 'bar-bad' : rate >= review ? 'bar-warn' : 'bar-ok';
	return h('div', { class: 'card gauge', id },
		h('div', { class: 'muted' }, label),
		h('div', { class: 'value' }, pct(rate)),
		s('svg', { class: 'chart', viewBox: `0 0 ${W} ${H + 14}`, role: 'img', 'aria-label': `${label} ${pct(rate)}; review at ${pct(review)}, shutdown at ${pct(shutdown)}` },
			s('rect', { class: 'bar-bg', x: 0, y: 0, width: W, height: H, rx: 4 }),
			s('rect', { class: cls, x: 0, y: 0, width: Math.max(x(rate), rate > 0 ? 2 : 0), height: H, rx: 4 }),
			s('line', { class: 'mark-review', x1: x(review), x2: x(review), y1: 0, y2: H }),
			s('line', { class: 'mark-shutdown', x1: x(shutdown), x2: x(shutdown), y1: 0, y2: H }),
			s('text', { x: Math.min(x(review) + 3, W - 60), y: H + 12 }, `review ${pct(review)}`),
			s('text', { x: Math.min(x(shutdown) + 3, W - 70), y: H + 12 }, `shutdown ${pct(shutdown)}`)));
}

const SERIES = [['DeliveryAttempts', 's-attempts', 'Delivery attempts'], ['Bounces', 's-bounces', 'Bounces'],
	['Complaints', 's-complaints', 'Complaints'], ['Rejects', 's-rejects', 'Rejects']];

// GetSendStatistics buckets as bars: attempts, with bounces, complaints and
// rejects stacked from the base.
function statsChart(st) {
	const W = 800;
	const H = 220;
	const L = 40;
	const B = 24;
	const points = st.SendDataPoints || [];
	const t0 = toDate(st.Since)?.getTime() ?? 0;
	const t1 = toDate(st.Now)?.getTime() ?? Date.now();
	const span = Math.max(t1 - t0, 1);
	const bucket = (st.BucketMinutes || 15) * 60000;
	const max = Math.max(1, ...points.map((p) => Math.max(p.DeliveryAttempts, p.Bounces + p.Complaints + p.Rejects)));
	const x = (t) => L + ((t - t0) / span) * (W - L - 4);
	const y = (v) => (H - B) - (v / max) * (H - B - 8);
	const bw = Math.max(2, ((W - L - 4) * bucket) / span);
	const svg = s('svg', { class: 'chart', id: 'stats-chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `Send statistics: ${points.length} buckets` });
	for (const v of [0, max / 2, max]) {
		svg.append(s('line', { class: v ? 'grid' : 'axis', x1: L, x2: W, y1: y(v), y2: y(v) }),
			s('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end' }, Number.isInteger(v) ? v : v.toFixed(1)));
	}
	const day = (t) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
	svg.append(s('text', { x: L, y: H - 6 }, day(t0)), s('text', { x: W - 4, y: H - 6, 'text-anchor': 'end' }, day(t1)));
	for (const p of points) {
		const t = toDate(p.Timestamp)?.getTime() ?? 0;
		const g = s('g', { class: 'bucket' }, s('title', {}, `${iso(p.Timestamp)}: ${p.DeliveryAttempts} attempts, ${p.Bounces} bounces, ${p.Complaints} complaints, ${p.Rejects} rejects`));
		g.append(s('rect', { class: 's-attempts', x: x(t), y: y(p.DeliveryAttempts), width: bw, height: (H - B) - y(p.DeliveryAttempts) }));
		let base = 0;
		for (const [key, cls] of SERIES.slice(1)) {
			if (!p[key]) continue;
			g.append(s('rect', { class: cls, x: x(t), y: y(base + p[key]), width: bw, height: y(base) - y(base + p[key]) }));
			base += p[key];
		}
		svg.append(g);
	}
	return svg;
}

function viewReputation(main) {
	const shown = h('span', { class: 'muted' });
	const pg = page(main, 'Reputation', scopeBar(() => load(), shown));
	const repBox = h('div', { id: 'reputation' });
	const range = h('select', { id: 'stats-range', 'aria-label': 'Period', onchange: () => loadStats() },
		h('option', { value: String(14 * 864e5) }, 'last 14 days'), h('option', { value: String(7 * 864e5) }, 'last 7 days'),
		h('option', { value: String(864e5) }, 'last 24 hours'), h('option', { value: String(36e5) }, 'last hour'));
	const statsBox = h('div', { id: 'statistics' });
	pg.append(repBox, h('h2', {}, 'Send statistics (GetSendStatistics)'), h('div', { class: 'row' }, h('label', {}, 'Period', range)), statsBox);

	async function loadRep() {
		const res = await api('reputation', { query: scoped() });
		if (!res.ok) {
			fill(repBox, h('div', { class: 'error' }, errText(res)));
			return;
		}
		const r = res.data;
		shown.textContent = scopeNote(r);
		const th = r.Thresholds || { BounceRateReview: 0.05, BounceRateShutdown: 0.1, ComplaintRateReview: 0.001, ComplaintRateShutdown: 0.005 };
		fill(repBox, 
			h('p', {}, 'Enforcement status: ', h('span', { class: `status-big ${r.EnforcementStatus}`, id: 'enforcement' }, r.EnforcementStatus)),
			h('p', { class: 'muted' }, `Over the last ${r.WindowHours} hours: ${r.Sends} sends, ${r.Bounces} bounces, ${r.Complaints} complaints`,
				r.MinimumSends != null ? ` (rates count from ${r.MinimumSends} sends)` : ''),
			h('div', { class: 'gauges' },
				gauge('Bounce rate', r.BounceRate, th.BounceRateReview, th.BounceRateShutdown, 'bounce-rate'),
				gauge('Complaint rate', r.ComplaintRate, th.ComplaintRateReview, th.ComplaintRateShutdown, 'complaint-rate')),
			h('h2', {}, 'Configuration sets with reputation metrics'),
			r.ConfigurationSets.length ? table(['Set', 'Sends', 'Bounces', 'Complaints', 'Bounce rate', 'Complaint rate', 'Last fresh start'],
				r.ConfigurationSets.map((c) => h('tr', {}, h('td', {}, c.Name), h('td', {}, c.Sends), h('td', {}, c.Bounces),
					h('td', {}, c.Complaints), h('td', {}, pct(c.BounceRate)), h('td', {}, pct(c.ComplaintRate)),
					h('td', {}, c.LastFreshStart ? shortTime(c.LastFreshStart) : '—'))), { id: 'reputation-sets' })
				: h('p', { class: 'muted' }, 'None.'));
	}

	async function loadStats() {
		const clock = await api('clock');
		const now = clock.ok ? clock.data.now_ms : Date.now();
		const res = await api('statistics', { query: scoped({ since: String(now - Number(range.value)) }) });
		if (!res.ok) {
			fill(statsBox, h('div', { class: 'error' }, errText(res)));
			return;
		}
		const st = res.data;
		fill(statsBox, 
			h('div', { class: 'legend' }, SERIES.map(([key, cls, label]) => h('span', {}, h('span', { class: `sw ${cls}` }), `${label}: ${st.Totals ? st.Totals[key] : ''}`))),
			statsChart(st),
			st.SendDataPoints.length ? null : h('p', { class: 'muted' }, 'No sends in this period.'));
	}

	const load = () => { loadRep(); loadStats(); };
	load();
	const timer = setInterval(() => { if (!document.hidden) load(); }, 10000);
	return { cleanup: () => clearInterval(timer) };
}

function viewSimulator(main) {
	const pg = page(main, 'Mailbox simulator');
	const rulesBox = h('div', { id: 'rules' });
	const editor = h('textarea', { id: 'rules-json', rows: 14, spellcheck: 'false', 'aria-label': 'Rules (JSON)' });
	const err = h('div', { class: 'error', id: 'rules-error', role: 'alert' });
	const fileNote = h('p', { class: 'muted' });
	const reloadBtn = h('button', { type: 'button', id: 'rules-reload', hidden: true, onclick: async () => {
		const res = await api('simulator/rules/reload', { method: 'POST' });
		if (!res.ok) { err.textContent = errText(res); return; }
		err.textContent = '';
		toast('Rules reloaded from the file');
		show(res.data);
	} }, 'Reload the file');
	pg.append(
		h('p', { class: 'muted' }, 'The rules in effect: the first rule whose pattern matches a recipient decides its outcome; SES\'s own simulator addresses keep theirs.'),
		fileNote, rulesBox,
		h('h2', {}, 'Edit'),
		editor, err,
		h('div', { class: 'row' }, h('button', { type: 'button', class: 'primary', id: 'rules-save', onclick: save }, 'Save rules'), reloadBtn),
		h('h2', {}, 'SES simulator addresses'),
		table(['Address', 'Outcome'], [
			['success@simulator.amazonses.com', 'Delivery'],
			['bounce@simulator.amazonses.com', 'Bounce (Permanent/General)'],
			['ooto@simulator.amazonses.com', 'Delivery, then an auto-reply bounce'],
			['complaint@simulator.amazonses.com', 'Delivery, then a Complaint'],
			['suppressionlist@simulator.amazonses.com', 'Bounce (Permanent/Suppressed)'],
		].map(([a, o]) => h('tr', {}, h('td', { class: 'mono' }, a), h('td', {}, o)))));

	function show(data) {
		const rules = data.rules || [];
		fileNote.textContent = data.file ? `Loaded from ${data.file}.` : 'No rules file: rules set through this page or the API.';
		reloadBtn.hidden = !data.file;
		fill(rulesBox, rules.length ? table(['#', 'Match', 'Outcome', 'Details'], rules.map((r, i) => {
			const { match, outcome, ...rest } = r;
			return h('tr', {}, h('td', {}, i + 1), h('td', { class: 'mono' }, match), h('td', {}, badge(outcome, 'info')),
				h('td', { class: 'mono' }, Object.keys(rest).length ? JSON.stringify(rest) : ''));
		}), { id: 'rules-table' }) : h('p', { class: 'muted', id: 'rules-none' }, 'No rules: every other address is delivered.'));
		editor.value = json({ rules });
	}

	async function load() {
		const res = await api('simulator/rules');
		if (!res.ok) { err.textContent = errText(res); return; }
		show(res.data);
	}

	async function save() {
		let body;
		try {
			body = JSON.parse(editor.value);
		} catch (e) {
			err.textContent = `Not JSON: ${e.message}`;
			return;
		}
		const res = await api('simulator/rules', { method: 'PUT', body });
		if (!res.ok) { err.textContent = errText(res); return; }
		err.textContent = '';
		toast('Rules saved');
		show(res.data);
	}

	load();
}

function viewClock(main) {
	const pg = page(main, 'Test clock');
	const now = h('div', { class: 'clock-now', id: 'clock-now' });
	const state = h('p', { id: 'clock-state' });
	const err = h('div', { class: 'error', id: 'clock-error', role: 'alert' });
	const ms = h('input', { id: 'clock-advance-ms', type: 'number', min: 0, step: 1000, value: '60000', 'aria-label': 'Milliseconds to advance' });
	const at = h('input', { id: 'clock-set', type: 'text', placeholder: '2024-01-31T15:31:00Z', 'aria-label': 'Freeze the clock at (ISO-8601)' });
	const post = async (body, what) => {
		const res = await api('clock', { method: 'POST', body });
		if (!res.ok) { err.textContent = errText(res); return; }
		err.textContent = '';
		toast(what);
		show(res.data);
		refreshClockChip();
	};
	const adv = (n, label) => h('button', { type: 'button', 'data-ms': n, onclick: () => post({ advance_ms: n }, `Clock advanced ${label}`) }, `+${label}`);
	pg.append(
		h('p', { class: 'muted' }, 'Every expiry, delay and retry in sesbox reads this clock: move it instead of waiting.'),
		now, state, err,
		h('h2', {}, 'Advance'),
		h('div', { class: 'row' }, adv(60000, '1 min'), adv(15 * 60000, '15 min'), adv(3600000, '1 h'), adv(14 * 3600000, '14 h'), adv(864e5, '1 day'), adv(7 * 864e5, '7 days')),
		h('form', { class: 'row', onsubmit: (e) => { e.preventDefault(); post({ advance_ms: Number(ms.value) }, `Clock advanced ${ms.value} ms`); } },
			h('label', {}, 'Milliseconds', ms), h('button', { type: 'submit', id: 'clock-advance' }, 'Advance')),
		h('h2', {}, 'Set'),
		h('form', { class: 'row', onsubmit: (e) => { e.preventDefault(); post({ set: at.value.trim() }, 'Clock frozen'); } },
			h('label', {}, 'Freeze at (ISO-8601)', at), h('button', { type: 'submit', id: 'clock-freeze' }, 'Freeze'),
			h('button', { type: 'button', id: 'clock-freeze-now', onclick: async () => {
				const r = await api('clock');
				if (r.ok) post({ set_ms: r.data.now_ms }, 'Clock frozen');
			} }, 'Freeze now')),
		h('h2', {}, 'Real time'),
		h('button', { type: 'button', id: 'clock-real', onclick: () => post({ real: true }, 'Clock back to real time') }, 'Back to the wall clock'));

	function show(c) {
		now.textContent = c.now;
		const off = c.now_ms - Date.now();
		state.textContent = c.frozen ? 'Frozen: it moves only when advanced or set.'
			: Math.abs(off) > 2000 ? `Running, ${duration(off)} ahead of the wall clock.` : 'Running with the wall clock.';
		state.dataset.frozen = String(!!c.frozen);
	}
	async function load() {
		const res = await api('clock');
		if (res.ok) show(res.data);
		else err.textContent = errText(res);
	}
	load();
	const timer = setInterval(load, 1000);
	return { cleanup: () => clearInterval(timer) };
}

function duration(ms) {
	const neg = ms < 0;
	let rest = Math.abs(ms);
	const parts = [];
	for (const [unit, n] of [['d', 864e5], ['h', 36e5], ['m', 6e4], ['s', 1e3]]) {
		if (rest >= n) {
			parts.push(`${Math.floor(rest / n)}${unit}`);
			rest %= n;
		}
	}
	return (neg ? '-' : '') + (parts.slice(0, 2).join(' ') || '0s');
}

// The clock chip in the header: shown when the test clock is not real time.
async function refreshClockChip() {
	const chip = $('#clock-chip');
	const res = await api('clock');
	if (!res.ok) {
		chip.textContent = '';
		return;
	}
	const c = res.data;
	const off = c.now_ms - Date.now();
	if (c.frozen) chip.textContent = `clock frozen ${c.now.slice(0, 19).replace('T', ' ')}Z`;
	else if (Math.abs(off) > 2000) chip.textContent = `clock ${off > 0 ? '+' : ''}${duration(off)}`;
	else chip.textContent = '';
	chip.className = 'chip warn';
}

// ---- keyboard ---------------------------------------------------------------

const GO = { i: 'inbox', d: 'identities', t: 'templates', c: 'configuration-sets', s: 'suppression', p: 'reputation', m: 'simulator', k: 'clock' };
let goPending = false;

function onKey(e) {
	if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
	const t = e.target;
	if (t.matches('input, textarea, select, [contenteditable]')) {
		if (e.key === 'Escape') {
			t.blur();
			e.preventDefault();
		}
		return;
	}
	if ($('#help').open) return;
	if (goPending) {
		goPending = false;
		if (GO[e.key]) {
			location.hash = `#/${GO[e.key]}`;
			e.preventDefault();
		}
		return;
	}
	if (e.key === '?') {
		$('#help').showModal();
		e.preventDefault();
		return;
	}
	if (e.key === 'g') {
		goPending = true;
		setTimeout(() => { goPending = false; }, 1500);
		return;
	}
	if (inboxKeys && inboxKeys(e)) e.preventDefault();
}

// ---- start ------------------------------------------------------------------

function start() {
	applyTheme(localStorage.getItem('sesbox.theme') || 'auto');
	$('#theme').addEventListener('click', () => {
		const cur = $('#theme').dataset.theme;
		applyTheme(THEMES[(THEMES.indexOf(cur) + 1) % THEMES.length]);
	});
	$('#help-open').addEventListener('click', () => $('#help').showModal());
	document.addEventListener('keydown', onKey);
	window.addEventListener('hashchange', route);
	route();
	refreshClockChip();
	setInterval(() => { if (!document.hidden) refreshClockChip(); }, CLOCK_POLL_MS);
}

start();
