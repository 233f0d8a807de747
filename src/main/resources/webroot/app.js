// Flotilla web console: plain JavaScript over the REST API and the /events stream. No build step.
// Texts live in i18n.js; charts come from uPlot (/ui/lib/, served from its WebJar) when a chart is shown.
'use strict';

const STATES = ['PENDING', 'DEPLOYING', 'RUNNING', 'UNDEPLOYING', 'WARNING', 'DONE', 'FAILED_UNDEPLOYING',
  'FAILED_DEPLOYING', 'SCALING', 'FAILED_SCALING', 'COOLDOWN', 'DEPLOYING_NETS', 'UNDEPLOYING_NETS',
  'FAILED_DEPLOYING_NETS', 'FAILED_UNDEPLOYING_NETS', 'HOLD'];
const ROLE_STATES = ['PENDING', 'DEPLOYING', 'RUNNING', 'UNDEPLOYING', 'WARNING', 'DONE', 'FAILED_UNDEPLOYING',
  'FAILED_DEPLOYING', 'SCALING', 'FAILED_SCALING', 'COOLDOWN', 'HOLD'];
const ACTIONS = ['terminate', 'terminate-hard', 'undeploy', 'undeploy-hard', 'hold', 'release', 'stop', 'suspend',
  'resume', 'reboot', 'reboot-hard', 'poweroff', 'poweroff-hard', 'snapshot-create', 'snapshot-revert',
  'snapshot-delete', 'disk-snapshot-create', 'disk-snapshot-revert', 'disk-snapshot-delete'];
const VM_STATES = ['INIT', 'PENDING', 'HOLD', 'ACTIVE', 'STOPPED', 'SUSPENDED', 'DONE', 'FAILED', 'POWEROFF',
  'UNDEPLOYED', 'CLONING', 'CLONING_FAILURE'];
const LCM_STATES = ['LCM_INIT', 'PROLOG', 'BOOT', 'RUNNING', 'MIGRATE', 'SAVE_STOP', 'SAVE_SUSPEND', 'SAVE_MIGRATE',
  'PROLOG_MIGRATE', 'PROLOG_RESUME', 'EPILOG_STOP', 'EPILOG', 'SHUTDOWN', 'CANCEL', 'FAILURE', 'CLEANUP_RESUBMIT',
  'UNKNOWN', 'HOTPLUG', 'SHUTDOWN_POWEROFF', 'BOOT_UNKNOWN', 'BOOT_POWEROFF', 'BOOT_SUSPENDED', 'BOOT_STOPPED',
  'CLEANUP_DELETE', 'HOTPLUG_SNAPSHOT', 'HOTPLUG_NIC', 'HOTPLUG_SAVEAS', 'HOTPLUG_SAVEAS_POWEROFF',
  'HOTPLUG_SAVEAS_SUSPENDED', 'SHUTDOWN_UNDEPLOY', 'EPILOG_UNDEPLOY', 'PROLOG_UNDEPLOY', 'BOOT_UNDEPLOY',
  'HOTPLUG_PROLOG_POWEROFF', 'HOTPLUG_EPILOG_POWEROFF', 'BOOT_MIGRATE', 'BOOT_FAILURE', 'BOOT_MIGRATE_FAILURE',
  'PROLOG_MIGRATE_FAILURE', 'PROLOG_FAILURE', 'EPILOG_FAILURE'];
/** The most instances one submit of the instantiate form creates (one request each). */
const MAX_INSTANCES = 100;

let lang = localStorage.getItem('lang') || ((navigator.language || 'en').startsWith('ru') ? 'ru' : 'en');
// Who is signed in and the CSRF token of the session; the session itself is an HttpOnly cookie.
let session = null;

// ---------------------------------------------------------------- helpers

const t = (key) => (I18N[lang] && I18N[lang][key]) || I18N.en[key] || key;
/** A text with {0}, {1}, ... filled in. */
const fill = (key, ...args) => args.reduce((text, a, i) => text.split('{' + i + '}').join(String(a)), t(key));
const stateKey = (n) => STATES[n] || String(n);
const stateName = (n) => { const s = stateKey(n); return lang === 'ru' && STATE_RU[s] ? STATE_RU[s] : s; };
const roleStateKey = (n) => ROLE_STATES[n] || String(n);
const roleStateName = (n) => { const s = roleStateKey(n); return lang === 'ru' && STATE_RU[s] ? STATE_RU[s] : s; };
const namedState = (s) => (lang === 'ru' && STATE_RU[s] ? STATE_RU[s] : s);
const actionName = (a) => (lang === 'ru' && ACTION_RU[a] ? ACTION_RU[a] : a);
const vmStateName = (n) => { const s = VM_STATES[n] || (n == null ? '' : String(n)); return lang === 'ru' && VM_STATE_RU[s] ? VM_STATE_RU[s] : s; };
const netStateName = (s) => (lang === 'ru' && NET_STATE_RU[s] ? NET_STATE_RU[s] : s);
const lcmStateName = (n) => (n == null || n === '' ? '' : LCM_STATES[n] || String(n));
const badge = (key, text, id) => `<span class="state"${id ? ` id="${id}"` : ''} data-state="${esc(key)}">${esc(text)}</span>`;
// A <template> parses any fragment (table rows included) as it would appear in its place.
const el = (html) => { const tpl = document.createElement('template'); tpl.innerHTML = html.trim(); return tpl.content.firstElementChild; };
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const asArray = (v) => (v == null ? [] : Array.isArray(v) ? v : [v]);
/** A frame's ISO time (microseconds trimmed to what Date parses everywhere) in epoch seconds. */
const frameTime = (iso) => Date.parse(String(iso).replace(/(\.\d{3})\d+/, '$1')) / 1000;
const isoMs = (iso) => frameTime(iso) * 1000;
/** Replaces a node's content only when it differs: what the user points at or selected stays put. */
function setHtml(node, html) { if (node && node.dataset.html !== html) { node.innerHTML = html; node.dataset.html = html; } }

/** Dates in the user's locale (the console's language decides between Russian and the browser's own). */
let formatter = null;
function dateFormat() {
  const locale = lang === 'ru' ? 'ru-RU' : ((navigator.language || 'en-US').startsWith('ru') ? 'en-GB' : navigator.language || 'en-US');
  if (!formatter || formatter.locale !== locale) {
    formatter = { locale, format: new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'medium' }) };
  }
  return formatter.format;
}
const time = (epoch) => (epoch ? dateFormat().format(new Date(epoch * 1000)) : '-');
const timeMs = (ms) => (ms ? dateFormat().format(new Date(ms)) : '-');
function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const units = lang === 'ru' ? ['д', 'ч', 'мин', 'с'] : ['d', 'h', 'min', 's'];
  const parts = [[Math.floor(s / 86400), units[0]], [Math.floor(s / 3600) % 24, units[1]], [Math.floor(s / 60) % 60, units[2]], [s % 60, units[3]]];
  const shown = parts.filter(([n]) => n > 0).slice(0, 2);
  return shown.length ? shown.map(([n, u]) => n + ' ' + u).join(' ') : '0 ' + units[3];
}

/** An error stays on screen until the user dismisses it (or the next one replaces it). */
function showError(message) {
  const box = document.getElementById('error');
  box.replaceChildren(document.createTextNode(message));
  if (message) {
    const close = el(`<button id="dismiss" aria-label="${t('dismiss')}">×</button>`);
    close.addEventListener('click', () => showError(''));
    box.appendChild(close);
  }
  box.hidden = !message;
}

/** A question naming what is about to be destroyed or changed. */
function confirmed(key, ...args) {
  return window.confirm(fill(key, ...args));
}

/** Every server error is shown, with the server's own message; a lost session goes back to sign-in. */
async function api(method, path, body, options = {}) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest' };
  if (session && session.csrf_token) headers['X-CSRF-Token'] = session.csrf_token;
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401 && session && path !== '/session') { session = null; closeStream(); route(); }
  if (!response.ok) {
    let message = response.status + ' ' + response.statusText;
    let field = null;
    try {
      const j = await response.json();
      if (j.error) { message = j.error.message; field = j.error.details && j.error.details.field; }
    } catch (e) { /* plain */ }
    if (!options.quiet) showError(message);
    const error = new Error(message);
    error.status = response.status;
    error.field = field;
    throw error;
  }
  return response.status === 204 ? null : response.json();
}

/** OpenNebula's rule, for showing only what the server would allow: owner, group or other bits grant. */
function may(doc, right) {
  const user = session.user;
  if (isAdmin()) return true;
  const p = doc.PERMISSIONS || {};
  const bit = (who) => String(p[who + '_' + right]) === '1';
  return (Number(doc.UID) === user.id && bit('OWNER')) || (user.groups.includes(Number(doc.GID)) && bit('GROUP'))
    || bit('OTHER');
}
const isAdmin = () => session && (session.user.id === 0 || session.user.groups.includes(0));
function octet(doc) {
  const p = doc.PERMISSIONS || {};
  return ['OWNER', 'GROUP', 'OTHER'].map((w) => ['U', 'M', 'A'].reduce((n, r, i) => n + (String(p[w + '_' + r]) === '1' ? 4 >> i : 0), 0)).join('');
}

/** Buttons the signed-in user may not use are disabled, and say why. */
function forbid(buttons) {
  buttons.forEach((b) => { b.disabled = true; b.title = t('notAllowed'); });
}

async function act(call) { try { return await call(); } catch (e) { return undefined; /* shown */ } }

/** A message under a field that stays until the field changes; the field is marked invalid. */
function fieldError(input, message) {
  const label = input.closest('label') || input.parentElement;
  let note = label.querySelector('.field-error');
  if (!message) {
    input.removeAttribute('aria-invalid');
    if (note) note.remove();
    return;
  }
  input.setAttribute('aria-invalid', 'true');
  if (!note) { note = el('<span class="field-error" role="alert"></span>'); label.appendChild(note); }
  note.textContent = message;
  input.addEventListener('input', () => fieldError(input, ''), { once: true });
  input.addEventListener('change', () => fieldError(input, ''), { once: true });
}

/**
 * A whole number ≥ min from a field, '' when empty and allowed; otherwise null, with the reason shown
 * at the field (the server refuses the same: Number, Period and cardinality are integers ≥ 0).
 */
function wholeNumber(input, label, min, allowEmpty) {
  const text = input.value.trim();
  if (text === '' && input.validity && input.validity.badInput) { fieldError(input, fill('fieldInteger', label)); return null; }
  if (text === '') {
    if (allowEmpty) return '';
    fieldError(input, fill('fieldRequired', label));
    return null;
  }
  if (!/^-?\d+$/.test(text)) { fieldError(input, fill('fieldInteger', label)); return null; }
  const value = parseInt(text, 10);
  if (value < min) { fieldError(input, fill('fieldMin', label, min)); return null; }
  return value;
}

// ---------------------------------------------------------------- the /events stream

/**
 * One socket at a time, following what the page shows: the list follows every service the user may
 * see, a service page only its own (with its history replayed from the start). A reconnect resumes
 * after the last frame seen, so nothing is missed.
 */
const stream = { socket: null, query: null, onFrame: null, lastSeq: 0, seen: new Set(), retry: null };

function follow(query, onFrame) {
  stream.onFrame = onFrame;
  if (stream.query === query && (stream.socket || stream.retry)) return false;
  closeStream();
  stream.query = query;
  stream.lastSeq = 0;
  stream.seen = new Set();
  stream.opened = false;
  openStream();
  return true;
}

function openStream() {
  stream.retry = null;
  if (!session || stream.query === null) return;
  const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
  let query = stream.query;
  if (stream.lastSeq) query = query.replace(/([?&])since=\d+/, '$1').replace(/[?&]$/, '') + (query.includes('?') ? '&' : '?') + 'since=' + stream.lastSeq;
  // The session cookie goes with the handshake; nothing secret is in the URL.
  const socket = new WebSocket(scheme + location.host + '/events' + query);
  const resumed = stream.lastSeq > 0;
  const again = stream.opened;
  stream.socket = socket;
  stream.opened = true;
  // A reconnect with no frame to resume after may have missed some: the list is read once more.
  socket.onopen = () => { if (again && !resumed && stream.onFrame === listFrame && list.loaded) refetchAll(); };
  socket.onmessage = (message) => {
    let frame;
    try { frame = JSON.parse(message.data); } catch (e) { return; }
    if (stream.seen.has(frame.seq)) return;
    stream.seen.add(frame.seq);
    if (stream.seen.size > 20000) stream.seen = new Set([...stream.seen].slice(-10000));
    stream.lastSeq = Math.max(stream.lastSeq, frame.seq);
    if (stream.onFrame) stream.onFrame(frame);
  };
  socket.onclose = () => {
    if (stream.socket !== socket) return; // replaced on purpose
    stream.socket = null;
    if (session) stream.retry = setTimeout(openStream, 2000);
  };
}

function closeStream() {
  clearTimeout(stream.retry);
  stream.retry = null;
  const socket = stream.socket;
  stream.socket = null;
  if (socket) socket.close();
}

/** Runs fn once per animation frame however many frames of the stream ask for it. */
function batched(fn) {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; fn(); });
  };
}

// ---------------------------------------------------------------- sign in

function translatePage() {
  document.documentElement.lang = lang;
  document.querySelectorAll('[data-i18n]').forEach((n) => { n.textContent = t(n.dataset.i18n); });
  document.getElementById('lang').value = lang;
}

function signInView() {
  document.getElementById('nav').hidden = true;
  document.getElementById('signout').hidden = true;
  const form = el(`<form id="signin"><h2>${t('signIn')}</h2>
    <label>${t('user')} <input name="user" id="user" value="oneadmin" autocomplete="username"></label>
    <label>${t('password')} <input name="password" id="password" type="password" autocomplete="current-password"></label>
    <button type="submit" id="signin-button">${t('signIn')}</button></form>`);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      session = await api('POST', '/session', { user: form.user.value, password: form.password.value });
      form.password.value = '';
      showError('');
      route(); // the page asked for before signing in, if any
    } catch (err) { session = null; }
  });
  document.getElementById('view').replaceChildren(form);
}

// ---------------------------------------------------------------- templates

async function templatesView(mine) {
  const pool = await api('GET', '/service_template');
  const docs = (pool.DOCUMENT_POOL.DOCUMENT || []);
  const table = el(`<table id="templates"><thead><tr><th>${t('id')}</th><th>${t('name')}</th><th>${t('owner')}</th>
    <th>${t('group')}</th><th>${t('registered')}</th><th></th></tr></thead><tbody></tbody></table>`);
  docs.forEach((d) => {
    const row = el(`<tr data-id="${d.ID}"><td>${d.ID}</td><td><a href="#/template/${d.ID}">${esc(d.NAME)}</a></td><td>${esc(d.UNAME)}</td>
      <td>${esc(d.GNAME)}</td><td>${time(d.TEMPLATE.BODY.registration_time)}</td>
      <td><button class="instantiate">${t('instantiate')}</button></td></tr>`);
    row.querySelector('.instantiate').addEventListener('click', () => instantiateForm(d));
    table.tBodies[0].appendChild(row);
  });
  const create = el(`<a class="button" id="new-template" href="#/template/new">${t('newTemplate')}</a>`);
  draw(mine, el(`<h2>${t('templates')}</h2>`), create, table, el('<div id="instantiate-form"></div>'));
}

const TEMPLATE_SKELETON = {
  name: 'my-service', deployment: 'straight', description: '',
  roles: [
    { name: 'db', type: 'vm', template_id: 0, cardinality: 1 },
    { name: 'web', type: 'vm', template_id: 0, cardinality: 2, parents: ['db'], min_vms: 1, max_vms: 4 },
  ],
};

/** A template page: information, role graph and details, contents; instantiate, edit, clone, delete. */
async function templateView(id, mine) {
  if (id === 'new') { templateEditor(mine, null); return; }
  let doc;
  try {
    doc = (await api('GET', '/service_template/' + id, undefined, { quiet: true })).DOCUMENT;
  } catch (e) {
    if (e.status === 404 || e.status === 403 || e.status === 400) { notFoundView(mine, 'templateNotFound', id); return; }
    showError(e.message);
    throw e;
  }
  const body = doc.TEMPLATE.BODY;
  const page = el(`<section id="template" data-id="${doc.ID}"><h2>${t('template')} ${esc(doc.NAME)}</h2>
    <div class="buttons"><button class="instantiate">${t('instantiate')}</button>
      <button id="edit-template">${t('edit')}</button><button id="clone-template">${t('clone')}</button>
      <button id="delete-template" class="danger">${t('delete')}</button></div>
    <form id="clone-form" hidden><label>${t('cloneName')} <input id="clone-name" value="${esc(doc.NAME)}-copy"></label>
      <button type="submit" id="clone-go">${t('clone')}</button></form>
    <div id="instantiate-form"></div>
    <table class="info"><tr><th>${t('id')}</th><td>${doc.ID}</td></tr><tr><th>${t('name')}</th><td>${esc(doc.NAME)}</td></tr>
    <tr><th>${t('owner')}</th><td>${esc(doc.UNAME)}</td></tr><tr><th>${t('group')}</th><td>${esc(doc.GNAME)}</td></tr>
    <tr><th>${t('permissions')}</th><td>${octet(doc)}</td></tr>
    <tr><th>${t('description')}</th><td>${esc(body.description || '')}</td></tr>
    <tr><th>${t('strategy')}</th><td>${esc(body.deployment || 'none')}</td></tr>
    <tr><th>${t('registered')}</th><td>${time(body.registration_time)}</td></tr></table>
    <h3>${t('roleGraph')}</h3><div class="graph"></div>
    <h3>${t('roles')}</h3><div class="role-details"></div>
    <h3>${t('body')}</h3><pre id="template-body">${esc(JSON.stringify(body, null, 2))}</pre></section>`);
  page.querySelector('.graph').appendChild(roleGraph(body.roles || []));
  (body.roles || []).forEach((r) => page.querySelector('.role-details').appendChild(roleDetails(r, false)));
  page.querySelector('.instantiate').addEventListener('click', () => instantiateForm(doc));
  page.querySelector('#edit-template').addEventListener('click', () => templateEditor(mine, doc));
  page.querySelector('#clone-template').addEventListener('click', () => {
    const form = page.querySelector('#clone-form');
    form.hidden = false;
    form.querySelector('input').focus();
  });
  page.querySelector('#clone-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const input = page.querySelector('#clone-name');
    if (!input.value.trim()) { fieldError(input, fill('fieldRequired', t('cloneName'))); return; }
    const answer = await act(() => api('POST', `/service_template/${doc.ID}/action`,
      { action: { perform: 'clone', params: { name: input.value.trim() } } }));
    if (answer !== undefined) location.hash = answer && answer.DOCUMENT ? '#/template/' + answer.DOCUMENT.ID : '#/templates';
  });
  page.querySelector('#delete-template').addEventListener('click', async () => {
    if (!confirmed('confirmDeleteTemplate', doc.NAME)) return;
    const done = await act(() => api('DELETE', '/service_template/' + doc.ID));
    if (done !== undefined) location.hash = '#/templates';
  });
  if (!may(doc, 'M')) forbid(page.querySelectorAll('#edit-template, #delete-template'));
  draw(mine, page);
}

/** Create or edit a template as JSON; the server validates it and its 400 is shown at the editor. */
function templateEditor(mine, doc) {
  const body = doc ? { ...doc.TEMPLATE.BODY } : TEMPLATE_SKELETON;
  if (doc) delete body.registration_time;
  const page = el(`<section id="template-edit"><h2>${doc ? t('edit') + ': ' + esc(doc.NAME) : t('newTemplate')}</h2>
    <textarea id="template-json" spellcheck="false" rows="24"></textarea>
    <div id="editor-error" class="field-error" role="alert" hidden></div>
    <div class="buttons"><button id="template-save">${t('save')}</button>
    <a href="${doc ? '#/template/' + doc.ID : '#/templates'}" id="template-cancel">${t('cancel')}</a></div></section>`);
  const area = page.querySelector('#template-json');
  area.value = JSON.stringify(body, null, 2);
  const problem = page.querySelector('#editor-error');
  const say = (message) => { problem.textContent = message; problem.hidden = !message; };
  area.addEventListener('input', () => say(''));
  page.querySelector('#template-save').addEventListener('click', async () => {
    let parsed;
    try { parsed = JSON.parse(area.value); } catch (e) { say(fill('invalidJson', e.message)); return; }
    try {
      const answer = doc ? await api('PUT', '/service_template/' + doc.ID, parsed, { quiet: true })
        : await api('POST', '/service_template', parsed, { quiet: true });
      location.hash = '#/template/' + (answer && answer.DOCUMENT ? answer.DOCUMENT.ID : doc.ID);
      if (doc) route();
    } catch (e) { say(e.message); }
  });
  draw(mine, page);
}

/** Roles as a graph, parents left of their children (levels by the longest path from a root). */
function roleGraph(roles, stateOf) {
  const byName = new Map(roles.map((r) => [r.name, r]));
  const level = new Map();
  const depth = (r, seen = new Set()) => {
    if (level.has(r.name)) return level.get(r.name);
    if (seen.has(r.name)) return 0; // a cycle is the server's to refuse; draw it flat
    seen.add(r.name);
    const parents = asArray(r.parents).map((p) => byName.get(p)).filter(Boolean);
    const d = parents.length ? 1 + Math.max(...parents.map((p) => depth(p, seen))) : 0;
    level.set(r.name, d);
    return d;
  };
  roles.forEach((r) => depth(r));
  const columns = [];
  roles.forEach((r) => { const d = level.get(r.name); (columns[d] = columns[d] || []).push(r); });
  const W = 150; const H = 40; const GX = 60; const GY = 20;
  const pos = new Map();
  columns.forEach((col, x) => col.forEach((r, y) => pos.set(r.name, { x: 10 + x * (W + GX), y: 10 + y * (H + GY) })));
  const width = 20 + Math.max(1, columns.length) * (W + GX) - GX;
  const height = 20 + Math.max(1, ...columns.map((c) => c.length)) * (H + GY) - GY;
  let svg = `<svg class="role-graph" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${esc(t('roleGraph'))}">
    <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>`;
  roles.forEach((r) => asArray(r.parents).forEach((p) => {
    const a = pos.get(p); const b = pos.get(r.name);
    if (!a || !b) return;
    svg += `<line class="edge" data-from="${esc(p)}" data-to="${esc(r.name)}" x1="${a.x + W}" y1="${a.y + H / 2}" x2="${b.x}" y2="${b.y + H / 2}" stroke="#555" marker-end="url(#arrow)"/>`;
  }));
  roles.forEach((r) => {
    const p = pos.get(r.name);
    const state = stateOf ? stateOf(r) : null;
    svg += `<g class="node" data-role="${esc(r.name)}"${state ? ` data-state="${esc(state)}"` : ''}><rect x="${p.x}" y="${p.y}" width="${W}" height="${H}" rx="6"/>
      <text x="${p.x + W / 2}" y="${p.y + H / 2 + 5}" text-anchor="middle">${esc(r.name)} ×${esc(r.cardinality ?? 0)}</text></g>`;
  });
  return el(svg + '</svg>');
}

/** What a role is: parents, bounds, cooldown, shutdown action and its policies. */
function roleDetails(r, live) {
  const policies = (list, describe) => (asArray(list).length ? `<ul>${asArray(list).map((p) => `<li>${describe(p)}</li>`).join('')}</ul>` : t('none'));
  const elastic = (p) => `${esc(p.type)} ${esc(p.adjust)}${p.min_adjust_step ? ` (min step ${esc(p.min_adjust_step)})` : ''} ${lang === 'ru' ? 'если' : 'when'} <code>${esc(p.expression)}</code>
    ${p.period_number ?? 1} × ${fill('seconds', p.period ?? 0)}${p.cooldown != null ? `, ${t('cooldown')} ${fill('seconds', p.cooldown)}` : ''}
    ${live && p.expression_evaluated ? `<br><small>${t('evaluated')}: <code>${esc(p.expression_evaluated)}</code> (${esc(p.true_evals ?? 0)}/${esc(p.period_number ?? 1)})</small>` : ''}`;
  const scheduled = (p) => `${esc(p.type)} ${esc(p.adjust)} — ${p.recurrence ? `<code>${esc(p.recurrence)}</code>` : time(p.start_time)}`;
  return el(`<table class="role-info" data-role="${esc(r.name)}">
    <tr><th>${t('role')}</th><td>${esc(r.name)}</td></tr>
    <tr><th>${t('type')}</th><td>${esc(r.type || 'vm')}</td></tr>
    <tr><th>${t('vmTemplate')}</th><td>${esc(r.template_id ?? r.vm_template ?? '')}</td></tr>
    <tr><th>${t('cardinality')}</th><td class="role-cardinality">${esc(r.cardinality ?? 0)}</td></tr>
    <tr><th>${t('parents')}</th><td class="role-parents">${asArray(r.parents).length ? asArray(r.parents).map(esc).join(', ') : t('none')}</td></tr>
    <tr><th>${t('minMax')}</th><td class="role-bounds">${esc(r.min_vms ?? '-')} / ${esc(r.max_vms ?? '-')}</td></tr>
    <tr><th>${t('cooldown')}</th><td>${r.cooldown != null ? fill('seconds', r.cooldown) : '-'}</td></tr>
    <tr><th>${t('shutdownAction')}</th><td>${esc(r.shutdown_action || '-')}</td></tr>
    ${live ? `<tr><th>${t('onHold')}</th><td>${r.on_hold ? t('yes') : t('no')}</td></tr>` : ''}
    <tr><th>${t('elasticity')}</th><td class="role-elasticity">${policies(r.elasticity_policies, elastic)}</td></tr>
    <tr><th>${t('scheduled')}</th><td class="role-scheduled">${policies(r.scheduled_policies, scheduled)}</td></tr></table>`);
}

// ---------------------------------------------------------------- instantiate

/** A user input spec: "M|type|description|params|default" (templates.md §8.1). */
function parseInput(key, spec) {
  const [mandatory, type, description, params, def] = String(spec).split('|');
  return { key, mandatory: (mandatory || '').trim() === 'M', type: (type || 'text').trim(), description: description || key,
    params: params || '', def: def ?? '' };
}

/** A field typed for its input: masked passwords, numbers, ranges, lists, YES/NO; defaults filled in. */
function inputField(input) {
  const attrs = `data-input="${esc(input.key)}"${input.mandatory ? ' required' : ''}`;
  const value = esc(input.def);
  const [min, max] = input.params.split('..');
  switch (input.type) {
    case 'password': return `<input type="password" autocomplete="new-password" ${attrs} value="${value}">`;
    case 'number': return `<input type="number" step="1" ${attrs} value="${value}">`;
    case 'number-float': return `<input type="number" step="any" ${attrs} value="${value}">`;
    case 'range': case 'range-float':
      return `<input type="number" step="${input.type === 'range' ? 1 : 'any'}" min="${esc(min)}" max="${esc(max)}" ${attrs} value="${value}">`;
    case 'list': return `<select ${attrs}>${input.mandatory ? '' : '<option value=""></option>'}${input.params.split(',').map((o) => o.trim()).filter(Boolean)
      .map((o) => `<option${o === input.def ? ' selected' : ''}>${esc(o)}</option>`).join('')}</select>`;
    case 'list-multiple': {
      const chosen = String(input.def).split(',').map((o) => o.trim());
      return `<select multiple ${attrs}>${input.params.split(',').map((o) => o.trim()).filter(Boolean)
        .map((o) => `<option${chosen.includes(o) ? ' selected' : ''}>${esc(o)}</option>`).join('')}</select>`;
    }
    case 'boolean': return `<select ${attrs}>${input.mandatory ? '' : '<option value=""></option>'}${['YES', 'NO']
      .map((o) => `<option${o === String(input.def).toUpperCase() ? ' selected' : ''}>${o}</option>`).join('')}</select>`;
    case 'fixed': return `<input ${attrs} value="${value}" readonly>`;
    case 'text64': return `<textarea ${attrs}>${value}</textarea>`;
    default: return `<input ${attrs} value="${value}">`;
  }
}

/** The value to send, or null with the reason at the field: the server refuses the same (Instantiation). */
function inputValue(field, input) {
  const label = input.description;
  const text = field.multiple ? [...field.selectedOptions].map((o) => o.value).join(',') : field.value.trim();
  if (field.validity && field.validity.badInput) { fieldError(field, fill(input.type.endsWith('float') ? 'fieldNumber' : 'fieldInteger', label)); return null; }
  if (text === '') {
    if (input.mandatory) { fieldError(field, fill('fieldRequired', label)); return null; }
    return '';
  }
  if (['number', 'range'].includes(input.type) && !/^-?\d+$/.test(text)) { fieldError(field, fill('fieldInteger', label)); return null; }
  if (['number-float', 'range-float'].includes(input.type) && !Number.isFinite(Number(text))) { fieldError(field, fill('fieldNumber', label)); return null; }
  if (input.type.startsWith('range')) {
    const [min, max] = input.params.split('..').map(Number);
    if (Number.isFinite(min) && Number.isFinite(max) && (Number(text) < min || Number(text) > max)) {
      fieldError(field, fill('fieldRange', label, min, max));
      return null;
    }
  }
  if (input.type === 'text64') return btoa(String.fromCharCode(...new TextEncoder().encode(field.value)));
  return field.type === 'password' ? field.value : text;
}

/** The seed's form: service name and number of instances, plus the template's user inputs. */
function instantiateForm(doc) {
  // Mandatory inputs first, then by name (the stored template does not keep the author's key order).
  const inputs = Object.entries(doc.TEMPLATE.BODY.user_inputs || {}).map(([key, spec]) => parseInput(key, spec))
    .sort((a, b) => Number(b.mandatory) - Number(a.mandatory) || a.key.localeCompare(b.key));
  const form = el(`<form id="instantiate" novalidate><h3>${t('instantiate')}: ${esc(doc.NAME)}</h3>
    <label>${t('serviceName')} <input name="name" id="service-name" value="${esc(doc.NAME)}"></label>
    <label>${t('instances')} <input name="count" id="instances" type="number" min="1" max="${MAX_INSTANCES}" step="1" value="1"></label>
    <fieldset><legend>${t('userInputs')}</legend></fieldset>
    <button type="submit" id="create">${t('create')}</button> <span id="create-progress"></span></form>`);
  inputs.forEach((input) => {
    form.querySelector('fieldset').appendChild(el(`<label class="user-input${input.mandatory ? ' required' : ''}" data-key="${esc(input.key)}">
      <span class="label-text">${esc(input.description)}${input.mandatory ? ' <abbr title="required">*</abbr>' : ''}</span> ${inputField(input)}</label>`));
  });
  if (!inputs.length) form.querySelector('fieldset').hidden = true;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const count = wholeNumber(form.count, t('instances'), 1, false);
    if (count === null) return;
    if (count > MAX_INSTANCES) { fieldError(form.count, fill('instancesRange', MAX_INSTANCES)); return; }
    const values = {};
    let valid = true;
    inputs.forEach((input) => {
      const field = form.querySelector(`[data-input="${CSS.escape(input.key)}"]`);
      const value = inputValue(field, input);
      if (value === null) valid = false; else values[input.key] = value;
    });
    if (!valid) return;
    const merge = {};
    if (form.name.value.trim()) merge.name = form.name.value.trim();
    if (inputs.length) merge.user_inputs_values = values;
    const progress = form.querySelector('#create-progress');
    form.querySelector('#create').disabled = true;
    try {
      for (let i = 0; i < count; i++) {
        await api('POST', `/service_template/${doc.ID}/action`,
          { action: { perform: 'instantiate', params: { merge_template: merge } } });
        progress.textContent = fill('createdN', i + 1, count);
      }
      location.hash = '#/services';
    } catch (err) {
      const match = err.field && /^user_inputs_values\.(.+)$/.exec(err.field);
      const field = match && form.querySelector(`[data-input="${CSS.escape(match[1])}"]`);
      if (field) fieldError(field, err.message);
    } finally { form.querySelector('#create').disabled = false; }
  });
  document.getElementById('instantiate-form').replaceChildren(form);
  const first = form.querySelector('[data-input][required]');
  if (first && !first.value) first.focus();
}

// ---------------------------------------------------------------- services list

/** The list's model: every visible service by id, and how the user searches, filters, sorts and pages it. */
const list = { docs: new Map(), loaded: false, query: '', state: '', sort: 'id', desc: true, page: 0, size: 25, refetch: new Set(), stale: new Set(), timer: null };

const serviceState = (d) => d.TEMPLATE.BODY.state;
const vmCount = (d) => (d.TEMPLATE.BODY.roles || []).reduce((n, r) => n + asArray(r.nodes).length, 0);
const SORTS = {
  id: (d) => Number(d.ID), name: (d) => d.NAME.toLowerCase(), owner: (d) => d.UNAME, group: (d) => d.GNAME,
  start: (d) => d.TEMPLATE.BODY.start_time || 0, roles: (d) => (d.TEMPLATE.BODY.roles || []).length, vms: vmCount,
  state: (d) => stateKey(serviceState(d)),
};

async function servicesView(mine) {
  follow('', listFrame);
  const pool = await api('GET', '/service');
  list.docs = new Map((pool.DOCUMENT_POOL.DOCUMENT || []).map((d) => [d.ID, d]));
  list.stale.clear();
  list.loaded = true;
  const page = el(`<section id="services-page"><h2>${t('services')}</h2>
    <div class="toolbar"><label>${t('search')} <input id="search" type="search" placeholder="${esc(t('searchHint'))}"></label>
      <label>${t('state')} <select id="state-filter"></select></label>
      <button id="refresh">${t('refresh')}</button><button id="purge" class="danger">${t('purgeDone')}</button></div>
    <div id="state-counts"></div>
    <table id="services"><thead><tr>${[['id', 'id'], ['name', 'name'], ['owner', 'owner'], ['group', 'group'],
      ['start', 'startTime'], ['roles', 'rolesCount'], ['vms', 'vmsTotal'], ['state', 'state']]
      .map(([k, label]) => `<th data-sort="${k}" tabindex="0" aria-sort="none">${t(label)}</th>`).join('')}</tr></thead><tbody></tbody></table>
    <div id="pager"><button id="prev">${t('previous')}</button><span id="page-info"></span><button id="next">${t('next')}</button>
      <label><select id="page-size">${[10, 25, 50, 100].map((n) => `<option value="${n}"${n === list.size ? ' selected' : ''}>${n}</option>`).join('')}</select> ${t('perPage')}</label></div></section>`);
  const search = page.querySelector('#search');
  search.value = list.query;
  search.addEventListener('input', () => { list.query = search.value; list.page = 0; renderList(); });
  page.querySelector('#state-filter').addEventListener('change', (e) => { list.state = e.target.value; list.page = 0; renderList(); });
  page.querySelector('#state-counts').addEventListener('click', (e) => {
    const chip = e.target.closest('button.count');
    if (!chip) return;
    list.state = chip.dataset.n === list.state ? '' : chip.dataset.n;
    list.page = 0;
    renderList();
  });
  page.querySelectorAll('th[data-sort]').forEach((th) => {
    const sortBy = () => {
      if (list.sort === th.dataset.sort) list.desc = !list.desc; else { list.sort = th.dataset.sort; list.desc = false; }
      renderList();
    };
    th.addEventListener('click', sortBy);
    th.addEventListener('keydown', (e) => { if (e.key === 'Enter') sortBy(); });
  });
  page.querySelector('#prev').addEventListener('click', () => { list.page = Math.max(0, list.page - 1); renderList(); });
  page.querySelector('#next').addEventListener('click', () => { list.page += 1; renderList(); });
  page.querySelector('#page-size').addEventListener('change', (e) => { list.size = Number(e.target.value); list.page = 0; renderList(); });
  page.querySelector('#refresh').addEventListener('click', route);
  page.querySelector('#purge').addEventListener('click', async () => {
    if (!confirmed('confirmPurge')) return;
    try { await api('POST', '/service_pool/purge_done'); route(); } catch (e) { /* shown */ }
  });
  if (!current(mine)) return;
  draw(mine, page);
  renderList();
}

function matches(d) {
  if (list.state !== '' && String(serviceState(d)) !== list.state) return false;
  const q = list.query.trim().toLowerCase();
  return !q || [d.ID, d.NAME, d.UNAME, d.GNAME].some((v) => String(v).toLowerCase().includes(q));
}

/** Draws the list from the model: counts per state, the filter's options, the current page. */
function renderList() {
  const tbody = document.querySelector('#services tbody');
  if (!tbody) return;
  const all = [...list.docs.values()];
  const counts = new Map();
  all.forEach((d) => counts.set(serviceState(d), (counts.get(serviceState(d)) || 0) + 1));
  const states = [...counts.keys()].sort((a, b) => a - b);
  const filter = document.getElementById('state-filter');
  if (list.state !== '' && !counts.has(Number(list.state))) states.push(Number(list.state));
  // Rewritten only when they change: a menu the user has open is not pulled from under them.
  setHtml(filter, `<option value="">${t('allStates')} (${all.length})</option>`
    + states.map((s) => `<option value="${s}">${esc(stateName(s))} (${counts.get(s) || 0})</option>`).join(''));
  filter.value = list.state;
  setHtml(document.getElementById('state-counts'), [...counts.keys()].sort((a, b) => a - b).map((s) =>
    `<button class="count${String(s) === list.state ? ' active' : ''}" data-state="${stateKey(s)}" data-n="${s}">${badge(stateKey(s), stateName(s))} <span class="n">${counts.get(s)}</span></button>`).join(''));
  const key = SORTS[list.sort] || SORTS.id;
  const shown = all.filter(matches).sort((a, b) => {
    const x = key(a); const y = key(b);
    const order = x < y ? -1 : x > y ? 1 : Number(a.ID) - Number(b.ID);
    return list.desc ? -order : order;
  });
  const pages = Math.max(1, Math.ceil(shown.length / list.size));
  list.page = Math.min(list.page, pages - 1);
  const from = list.page * list.size;
  const rows = shown.slice(from, from + list.size);
  tbody.replaceChildren(...(rows.length ? rows.map(serviceRow) : [el(`<tr class="empty"><td colspan="8">${t('noServices')}</td></tr>`)]));
  rows.filter((d) => list.stale.has(d.ID)).forEach((d) => list.refetch.add(d.ID));
  if (list.refetch.size && !list.timer) list.timer = setTimeout(refetchListed, 500);
  document.getElementById('page-info').textContent = fill('pageOf', shown.length ? from + 1 : 0, from + rows.length, shown.length);
  document.getElementById('prev').disabled = list.page === 0;
  document.getElementById('next').disabled = list.page >= pages - 1;
  document.querySelectorAll('#services th[data-sort]').forEach((th) => {
    th.setAttribute('aria-sort', th.dataset.sort === list.sort ? (list.desc ? 'descending' : 'ascending') : 'none');
  });
}
const renderListSoon = batched(renderList);

function serviceRow(d) {
  const body = d.TEMPLATE.BODY;
  const row = el(`<tr class="clickable" data-id="${d.ID}"><td>${d.ID}</td><td>${esc(d.NAME)}</td><td>${esc(d.UNAME)}</td>
    <td>${esc(d.GNAME)}</td><td>${time(body.start_time)}</td><td>${(body.roles || []).length}</td><td>${vmCount(d)}</td>
    <td class="state" data-state="${stateKey(body.state)}">${stateName(body.state)}</td></tr>`);
  row.addEventListener('click', () => { location.hash = '#/service/' + d.ID; });
  return row;
}

/**
 * A frame patches the list: a state change at once from the frame; anything else (VMs, a service
 * not listed yet) by fetching that one service again, shortly after its burst of events.
 */
function listFrame(frame) {
  const id = String(frame.service_id);
  const doc = list.docs.get(id);
  if (doc && frame.kind === 'service_state' && frame.data && STATES.includes(frame.data.new)) {
    doc.TEMPLATE.BODY.state = STATES.indexOf(frame.data.new);
    renderListSoon();
  }
  if (doc && (frame.kind === 'vm' || frame.kind === 'role_state' || frame.kind === 'log')) list.stale.add(id);
  // Only what is on screen is fetched again; a stale row off screen is fetched when it is shown.
  if (!doc || (list.stale.has(id) && document.querySelector(`#services tr[data-id="${CSS.escape(id)}"]`))) list.refetch.add(id);
  if (list.refetch.size && !list.timer) list.timer = setTimeout(refetchListed, 500);
}

async function refetchAll() {
  try {
    const pool = await api('GET', '/service', undefined, { quiet: true });
    list.docs = new Map((pool.DOCUMENT_POOL.DOCUMENT || []).map((d) => [d.ID, d]));
    list.stale.clear();
    renderList();
  } catch (e) { /* the next reconnect tries again */ }
}

async function refetchListed() {
  list.timer = null;
  const ids = [...list.refetch];
  list.refetch.clear();
  ids.forEach((id) => list.stale.delete(id));
  await Promise.all(ids.map(async (id) => {
    try {
      const doc = (await api('GET', '/service/' + id, undefined, { quiet: true })).DOCUMENT;
      list.docs.set(id, doc);
    } catch (e) {
      if (e.status === 404 || e.status === 403) list.docs.delete(id); // purged, or no longer shared
    }
  }));
  renderList();
}

// ---------------------------------------------------------------- a service

/** The service on screen: its document, every event of its history (replayed, then live), its VMs as the cloud reports them. */
const shown = { id: null, doc: null, frames: [], cloud: new Map(), tab: 'info', timer: null, vmId: null, logAll: false, autoscalerTimer: null, role: null };
let currentTab = 'info';

/** An id that is not there (or not the user's to see) gets its own page, not the previous one. */
function notFoundView(mine, key, ...args) {
  showError('');
  draw(mine, el(`<section id="not-found"><h2>${esc(fill(key, ...args))}</h2>
    <a href="#/services">${t('services')}</a></section>`));
}

async function loadService(id) {
  return (await api('GET', '/service/' + id, undefined, { quiet: true })).DOCUMENT;
}

async function serviceView(id, mine, vmId) {
  if (shown.id !== id) {
    // Another service opens on its Info tab (web-ui.md §2.1); coming back from one of its VMs keeps the tab.
    Object.assign(shown, { id, doc: null, frames: [], cloud: new Map(), logAll: false });
    currentTab = 'info';
  }
  shown.vmId = vmId;
  // A new socket replays the whole history again: what an earlier one brought is dropped.
  if (follow('?services=' + encodeURIComponent(id) + '&since=0', serviceFrame)) shown.frames = [];
  let doc;
  try {
    doc = await loadService(id);
  } catch (e) {
    if (e.status === 404 || e.status === 403 || e.status === 400) { notFoundView(mine, 'notFound', id); return; }
    showError(e.message);
    throw e;
  }
  shown.doc = doc;
  shown.docAt = Date.now();
  if (!current(mine)) return;
  // The cloud's view of the VMs comes after the first paint, then patches it.
  loadCloudView(doc).then(() => { if (current(mine) && shown.doc === doc) patchVms(); });
  if (vmId != null) { vmView(mine); return; }
  const body = doc.TEMPLATE.BODY;
  const page = el(`<section id="service" data-id="${doc.ID}"><h2><span id="service-name-title">${esc(doc.NAME)}</span>
    ${badge(stateKey(body.state), stateName(body.state), 'service-state')}</h2>
    <div class="buttons"><button id="delete" class="danger">${t('delete')}</button><button id="recover">${t('recover')}</button>
    <button id="recover-delete" class="danger">${t('recoverDelete')}</button></div>
    <div class="tabs" role="tablist">${['info', 'roles', 'log', 'timeline', 'autoscaler']
      .map((tab) => `<button data-tab="${tab}" role="tab">${t(tab)}</button>`).join('')}</div><div id="tab"></div></section>`);
  page.querySelector('#delete').addEventListener('click', () => {
    if (confirmed('confirmDelete', shown.doc.NAME)) act(() => api('DELETE', '/service/' + id));
  });
  page.querySelector('#recover').addEventListener('click', () => act(() => api('POST', `/service/${id}/action`,
    { action: { perform: 'recover', params: { delete: false } } })));
  page.querySelector('#recover-delete').addEventListener('click', () => {
    if (confirmed('confirmRecoverDelete', shown.doc.NAME)) {
      act(() => api('POST', `/service/${id}/action`, { action: { perform: 'recover', params: { delete: true } } }));
    }
  });
  page.querySelectorAll('[data-tab]').forEach((b) => b.addEventListener('click', () => { currentTab = b.dataset.tab; renderTab(); }));
  if (!may(doc, 'M')) forbid(page.querySelectorAll('.buttons button'));
  draw(mine, page);
  renderTab();
}

/** What the stream says of this service: its log, timeline and pending batches at once; the document shortly after. */
function serviceFrame(frame) {
  if (String(frame.service_id) !== shown.id) return;
  shown.frames.push(frame);
  // Replayed history is older than the document on screen: only newer frames patch states directly
  // (the document fetched again right after settles it either way, whatever the clocks say).
  const newer = shown.doc && frameTime(frame.time) * 1000 >= shown.docAt - 1000;
  if (frame.kind === 'service_state' && frame.data && newer) {
    const state = STATES.indexOf(frame.data.new);
    if (state >= 0) { shown.doc.TEMPLATE.BODY.state = state; patchHeader(); }
  }
  if (frame.kind === 'role_state' && frame.data && newer) {
    const role = (shown.doc.TEMPLATE.BODY.roles || []).find((r) => r.name === frame.data.role);
    if (role && ROLE_STATES.includes(frame.data.new)) role.state = ROLE_STATES.indexOf(frame.data.new);
  }
  renderEventsSoon();
  if (!shown.timer) shown.timer = setTimeout(refreshService, 300);
}

/** One document by id again (not the list), then every part of the page patched in place. */
async function refreshService() {
  shown.timer = null;
  const id = shown.id;
  if (!id) return;
  let doc;
  try { doc = await loadService(id); } catch (e) {
    if (e.status === 404) { shown.doc = null; if (document.getElementById('service')) route(); }
    return;
  }
  if (shown.id !== id) return;
  shown.doc = doc;
  shown.docAt = Date.now();
  await loadCloudView(doc);
  if (shown.id !== id) return;
  patchHeader();
  if (document.getElementById('vm')) { renderVm(); return; }
  if (currentTab === 'info') renderTab();
  else if (currentTab === 'roles') patchRoles();
}

function patchVms() {
  if (document.getElementById('vm')) renderVm();
  else if (currentTab === 'roles') patchRoles();
}

const renderEventsSoon = batched(() => {
  if (currentTab === 'log') renderLog();
  else if (currentTab === 'timeline') renderTimeline();
  else if (currentTab === 'roles') patchRoles();
});

function patchHeader() {
  const state = document.getElementById('service-state');
  if (!state || !shown.doc) return;
  const body = shown.doc.TEMPLATE.BODY;
  state.textContent = stateName(body.state);
  state.dataset.state = stateKey(body.state);
  document.getElementById('service-name-title').textContent = shown.doc.NAME;
}

function renderTab() {
  document.querySelectorAll('[data-tab]').forEach((b) => {
    b.classList.toggle('active', b.dataset.tab === currentTab);
    b.setAttribute('aria-selected', String(b.dataset.tab === currentTab));
  });
  clearInterval(shown.autoscalerTimer);
  const tab = document.getElementById('tab');
  if (!tab || !shown.doc) return;
  if (currentTab === 'info') tab.replaceChildren(infoTable(shown.doc));
  else if (currentTab === 'log') renderLog();
  else if (currentTab === 'timeline') renderTimeline();
  else if (currentTab === 'autoscaler') renderAutoscaler();
  else renderRoles();
}

function infoTable(doc) {
  const body = doc.TEMPLATE.BODY;
  const roles = body.roles || [];
  const specs = Object.fromEntries(Object.entries(body.user_inputs || {}).map(([k, s]) => [k, parseInput(k, s)]));
  const values = Object.entries(body.user_inputs_values || {}).map(([k, v]) =>
    `<li><code>${esc(k)}</code> = ${specs[k] && specs[k].type === 'password' ? t('masked') : esc(v)}</li>`).join('');
  const nets = networkTable(body);
  return el(`<table id="info">
    <tr><th>${t('id')}</th><td>${doc.ID}</td></tr><tr><th>${t('name')}</th><td>${esc(doc.NAME)}</td></tr>
    <tr><th>${t('state')}</th><td id="info-state">${badge(stateKey(body.state), stateName(body.state))}</td></tr>
    <tr><th>${t('owner')}</th><td>${esc(doc.UNAME)}</td></tr><tr><th>${t('group')}</th><td>${esc(doc.GNAME)}</td></tr>
    <tr><th>${t('permissions')}</th><td>${octet(doc)}</td></tr>
    <tr><th>${t('description')}</th><td>${esc(body.description || '')}</td></tr>
    <tr><th>${t('strategy')}</th><td>${esc(body.deployment || 'none')}</td></tr>
    <tr><th>${t('startTime')}</th><td id="info-start">${time(body.start_time)}</td></tr>
    <tr><th>${t('rolesCount')}</th><td id="info-roles">${roles.length}</td></tr>
    <tr><th>${t('vmsTotal')}</th><td id="info-vms">${vmCount(doc)}</td></tr>
    <tr><th>${t('shutdownAction')}</th><td>${esc(body.shutdown_action || '-')}</td></tr>
    <tr><th>${t('readyGate')}</th><td>${body.ready_status_gate ? t('yes') : t('no')}</td></tr>
    <tr><th>${t('autoDelete')}</th><td>${body.automatic_deletion ? t('yes') : t('no')}</td></tr>
    ${values ? `<tr><th>${t('userInputs')}</th><td><ul id="info-inputs">${values}</ul></td></tr>` : ''}
    ${nets ? `<tr><th>${t('network')}</th><td>${nets}</td></tr>` : ''}</table>`);
}

/**
 * The service's networks, one row each: its id, where it comes from, and the state of the newest
 * attempt (data-net-state keeps the cloud's name for colours; the text is the user's language).
 */
function networkTable(body) {
  const nets = body.service_networks || [];
  if (!nets.length) return '';
  const rows = nets.map((n) => {
    const source = n.template_id != null ? fill('netFromTemplate', n.template_id)
      : n.reserve_from != null ? fill('netReservedFrom', n.reserve_from) : t('netExisting');
    const notes = [n.left_behind ? t('netLeftBehind') : n.deleting ? t('netDeleting') : '',
      n.attempt > 1 ? fill('netAttempt', n.attempt) : ''].filter(Boolean);
    return `<tr data-network="${esc(n.name)}"><td><code title="${esc(n.network_name || '')}">${esc(n.name)}</code></td>
      <td class="net-id">${n.id == null ? '-' : esc(n.id)}</td><td class="net-source">${esc(source)}</td>
      <td class="net-state" data-net-state="${esc(n.state || '')}">${esc(n.state ? netStateName(n.state) : '-')}${
        notes.length ? ` <span class="note">(${esc(notes.join(', '))})</span>` : ''}${
        n.error ? `<div class="net-error">${esc(n.error)}</div>` : ''}</td></tr>`;
  }).join('');
  return `<table id="info-networks"><thead><tr><th>${t('name')}</th><th>${t('id')}</th><th>${t('netSource')}</th>
    <th>${t('state')}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

// ---- log and timeline: the document's last lines plus every frame of the stream

/** Log lines oldest first: the stream's history when it came, the document's own lines otherwise. */
function logEntries() {
  const entries = shown.frames.map((f) => ({ at: frameTime(f.time), severity: f.severity, message: f.message, kind: f.kind, data: f.data, seq: f.seq }));
  const have = new Set(entries.map((e) => Math.floor(e.at) + '|' + e.message));
  ((shown.doc && shown.doc.TEMPLATE.BODY.log) || []).forEach((l) => {
    if (!have.has(l.timestamp + '|' + l.message)) entries.push({ at: l.timestamp, severity: l.severity, message: l.message });
  });
  return entries.sort((a, b) => a.at - b.at || (a.seq || 0) - (b.seq || 0));
}

const LOG_SHOWN = 300;
function renderLog() {
  const tab = document.getElementById('tab');
  if (!tab) return;
  const entries = logEntries();
  const from = shown.logAll ? 0 : Math.max(0, entries.length - LOG_SHOWN);
  const table = el(`<table id="log"><thead><tr><th>${t('time')}</th><th></th><th>${t('message')}</th></tr></thead><tbody></tbody></table>`);
  table.tBodies[0].append(...entries.slice(from).map((e) => el(`<tr class="severity-${esc(e.severity)}"><td>${time(e.at)}</td>
      <td>${esc(e.severity)}</td><td>${esc(e.message)}</td></tr>`)));
  const parts = [table];
  if (from > 0) {
    const more = el(`<p class="note">${fill('showingLast', entries.length - from, entries.length)} <button id="log-all">${t('showAll')}</button></p>`);
    more.querySelector('button').addEventListener('click', () => { shown.logAll = true; renderLog(); });
    parts.unshift(more);
  }
  tab.replaceChildren(...parts);
}

/** State changes of the service and of each role, from the event log: when each began and how long it lasted. */
function stateHistory(entries) {
  const service = [];
  const roles = new Map();
  entries.forEach((e) => {
    let m;
    if (e.kind === 'service_state' && e.data) service.push({ at: e.at, state: e.data.new, reason: e.data.reason });
    else if (e.kind === 'role_state' && e.data) {
      if (!roles.has(e.data.role)) roles.set(e.data.role, []);
      roles.get(e.data.role).push({ at: e.at, state: e.data.new, reason: e.data.reason });
    } else if (e.kind !== 'role_state' && e.kind !== 'service_state' && (m = /^Role (\S+) new state: ([A-Z_]+)/.exec(e.message))) {
      if (!roles.has(m[1])) roles.set(m[1], []);
      roles.get(m[1]).push({ at: e.at, state: m[2] });
    } else if (e.kind !== 'role_state' && e.kind !== 'service_state' && (m = /new state: ([A-Z_]+)/i.exec(e.message)) && !/^Role /.test(e.message)) {
      service.push({ at: e.at, state: m[1] });
    }
  });
  return { service, roles };
}

function renderTimeline() {
  const tab = document.getElementById('tab');
  if (!tab) return;
  const { service, roles } = stateHistory(logEntries());
  const now = Date.now() / 1000;
  const strip = (changes) => {
    if (!changes.length) return '';
    const start = changes[0].at;
    const total = Math.max(1, now - start);
    return `<div class="strip">${changes.map((c, i) => {
      const end = i + 1 < changes.length ? changes[i + 1].at : now;
      return `<span class="state" data-state="${esc(c.state)}" style="flex-grow:${Math.max(0.5, ((end - c.at) / total) * 100)}" title="${esc(namedState(c.state))} ${esc(duration(end - c.at))}">${esc(namedState(c.state))}</span>`;
    }).join('')}</div>`;
  };
  const rows = (changes) => changes.map((c, i) => {
    const end = i + 1 < changes.length ? changes[i + 1].at : null;
    return `<tr>${badgeCell(c.state)}<td>${time(c.at)}</td><td>${end ? duration(end - c.at) : `${duration(now - c.at)} (${t('now')})`}</td><td>${esc(c.reason || '')}</td></tr>`;
  }).join('');
  const head = `<thead><tr><th>${t('state')}</th><th>${t('entered')}</th><th>${t('lasted')}</th><th>${t('reason')}</th></tr></thead>`;
  tab.replaceChildren(el(`<div id="timeline"><h3>${t('serviceStates')}</h3>${strip(service)}
    <table class="timeline service-timeline">${head}<tbody>${rows(service)}</tbody></table>
    <h3>${t('roleStates')}</h3>${[...roles.entries()].map(([name, changes]) => `<h4>${t('role')} ${esc(name)}</h4>${strip(changes)}
      <table class="timeline role-timeline" data-role="${esc(name)}">${head}<tbody>${rows(changes)}</tbody></table>`).join('')}</div>`));
}
const badgeCell = (state) => `<td>${badge(state, namedState(state))}</td>`;

// ---- pending role-action batches, from the log lines that schedule, run, cancel and drop them

const SCHEDULED = /^Role (\S+): action (\S+)(?: \((.*)\))? on VMs \[([^\]]*)\] in (\d+) batch\(es\)(?: of (\d+) every (\d+) s)?; sched action (\d+)/;
const BATCH_RAN = /^Role (\S+) : VM (\d+) (?:error performing )?(\S+)(?: \(.*\))?(?: done)? \(batch (\d+)\/(\d+)\)/;
const CANCELLED = /^Sched action (\d+) cancelled/;
const DROPPED = /^Role (\S+): (\S+) dropped \(sched action (\d+)\)/;

function pendingBatches() {
  const all = [];
  const byId = new Map();
  logEntries().forEach((e) => {
    let m;
    if ((m = SCHEDULED.exec(e.message))) {
      const b = { role: m[1], action: m[2], args: m[3] || '', vms: m[4], batches: Number(m[5]), number: Number(m[6] || 0),
        period: Number(m[7] || 0), id: m[8], at: e.at, done: 0, over: false };
      all.push(b);
      byId.set(b.id, b);
    } else if ((m = BATCH_RAN.exec(e.message))) {
      const [, role, , action, k, n] = m;
      const b = all.find((x) => !x.over && x.role === role && x.action === action && x.batches === Number(n) && x.done <= Number(k));
      if (b) { b.done = Math.max(b.done, Number(k)); if (b.done >= b.batches) b.over = true; }
    } else if ((m = CANCELLED.exec(e.message))) {
      if (byId.has(m[1])) byId.get(m[1]).over = true;
    } else if ((m = DROPPED.exec(e.message))) {
      if (byId.has(m[3])) byId.get(m[3]).over = true;
    }
  });
  const done = shown.doc && stateKey(shown.doc.TEMPLATE.BODY.state) === 'DONE';
  return all.filter((b) => !b.over && !done).map((b) => ({ ...b, next: b.at + b.done * b.period }));
}

function pendingTable(role) {
  const rows = pendingBatches().filter((b) => b.role === role.name);
  if (!rows.length) return el(`<p class="pending-none">${t('noPending')}</p>`);
  const table = el(`<table class="pending"><thead><tr><th>${t('schedAction')}</th><th>${t('action')}</th><th>${t('vms')}</th>
    <th>${t('progress')}</th><th>${t('nextAt')}</th><th></th></tr></thead><tbody></tbody></table>`);
  rows.forEach((b) => {
    const row = el(`<tr data-sched="${esc(b.id)}"><td>${esc(b.id)}</td><td>${esc(actionName(b.action))}${b.args ? ` (${esc(b.args)})` : ''}</td>
      <td>${esc(b.vms)}</td><td class="batch-progress">${fill('batchProgress', b.done, b.batches)}</td><td>${time(b.next)}</td>
      <td><button class="cancel-batches">${t('cancel')}</button></td></tr>`);
    row.querySelector('button').addEventListener('click', () => {
      if (!confirmed('confirmCancelBatches', actionName(b.action), role.name, b.id)) return;
      act(() => api('DELETE', `/service/${shown.id}/role/${encodeURIComponent(role.name)}/sched_action/${b.id}`));
    });
    table.tBodies[0].appendChild(row);
  });
  if (!may(shown.doc, 'M')) forbid(table.querySelectorAll('button'));
  return table;
}

// ---- roles and their VMs

/** Admins on the simulator may read the cloud's view of each VM (state, LCM state, reboots), as Sunstone reads the core. */
let cloudReadable = null;
async function loadCloudView(doc) {
  const ids = (doc.TEMPLATE.BODY.roles || []).flatMap((r) => asArray(r.nodes).map((n) => n.deploy_id)).filter((v) => v != null);
  if (!isAdmin() || cloudReadable === false || !ids.length) return;
  const wanted = ids.slice(0, 100);
  await Promise.all(wanted.map(async (vmId) => {
    try {
      const answer = await fetch('/sim/vm/' + vmId, { headers: { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest' }, credentials: 'same-origin' });
      if (answer.status === 404 && cloudReadable === null) { const text = await answer.text(); if (!text.includes('one.vm.info')) cloudReadable = false; return; }
      if (answer.status === 401 || answer.status === 403) { cloudReadable = false; return; }
      if (answer.ok) { cloudReadable = true; shown.cloud.set(String(vmId), (await answer.json()).VM); }
    } catch (e) { /* the table shows what the document has */ }
  }));
}

/** What is known of one VM: the document's vm_info, completed by the cloud's view when readable. */
function vmFacts(node) {
  const info = (node.vm_info && node.vm_info.VM) || {};
  const cloud = shown.cloud.get(String(node.deploy_id)) || {};
  const pick = (k) => (info[k] != null && info[k] !== '' ? info[k] : cloud[k]);
  const template = info.TEMPLATE || cloud.TEMPLATE || {};
  const ips = asArray(template.NIC).map((n) => n.IP || n.IP6).filter(Boolean);
  const history = asArray(info.HISTORY_RECORDS && info.HISTORY_RECORDS.HISTORY);
  const host = history.length ? history[history.length - 1].HOSTNAME : cloud.HOSTNAME;
  const user = cloud.USER_TEMPLATE || info.USER_TEMPLATE || {};
  return { id: node.deploy_id, name: pick('NAME') || '', state: pick('STATE'), lcm: pick('LCM_STATE'), ips, host: host || '',
    reboots: pick('REBOOTS'), ready: user.READY, info, cloud };
}

/** The cells of a VM's row after its checkbox. */
function vmCells(f) {
  return [`<a href="#/service/${shown.id}/vm/${esc(f.id)}">${esc(f.id)}</a>`, esc(f.name),
    `<span class="vm-state" data-vm-state="${esc(VM_STATES[f.state] || '')}">${esc(f.state == null ? '-' : vmStateName(f.state))}</span>`,
    esc(f.lcm == null ? '-' : lcmStateName(f.lcm)), esc(f.ips.join(', ') || '-'), esc(f.host || '-'), esc(f.reboots ?? '-')];
}

/** The role's VM rows brought up to date in place: a row (and its checkbox) stays while its VM does. */
function patchVmRows(tbody, role) {
  const wanted = asArray(role.nodes).map(vmFacts);
  const keep = new Set(wanted.map((f) => String(f.id)));
  [...tbody.rows].forEach((row) => { if (!keep.has(row.dataset.vm)) row.remove(); });
  wanted.forEach((f, i) => {
    let row = tbody.querySelector(`tr[data-vm="${CSS.escape(String(f.id))}"]`);
    if (!row) {
      row = el(`<tr data-vm="${esc(f.id)}"><td><input type="checkbox" value="${esc(f.id)}" aria-label="${esc(t('vm'))} ${esc(f.id)}"></td>
        <td class="vm-id"></td><td class="vm-name"></td><td class="vm-state-cell"></td><td class="vm-lcm"></td><td class="vm-ip"></td>
        <td class="vm-host"></td><td class="vm-reboots"></td></tr>`);
    }
    if (tbody.rows[i] !== row) tbody.insertBefore(row, tbody.rows[i] || null);
    vmCells(f).forEach((html, c) => setHtml(row.cells[c + 1], html));
  });
}

function renderRoles() {
  const tab = document.getElementById('tab');
  const body = shown.doc.TEMPLATE.BODY;
  const wrap = el('<div id="roles"><div class="graph"></div></div>');
  wrap.querySelector('.graph').appendChild(roleGraph(body.roles || [], (r) => roleStateKey(r.state)));
  (body.roles || []).forEach((r) => wrap.appendChild(roleBlock(shown.doc, r)));
  if (!may(shown.doc, 'M')) forbid(wrap.querySelectorAll('button'));
  tab.replaceChildren(wrap);
}

/** New facts into the role blocks without touching what the user is typing or has selected. */
function patchRoles() {
  const wrap = document.getElementById('roles');
  if (!wrap || !shown.doc) return;
  const roles = shown.doc.TEMPLATE.BODY.roles || [];
  const blocks = [...wrap.querySelectorAll('fieldset.role')];
  if (blocks.length !== roles.length || roles.some((r, i) => blocks[i].dataset.role !== r.name)) { renderRoles(); return; }
  const graph = roleGraph(roles, (r) => roleStateKey(r.state));
  const graphBox = wrap.querySelector('.graph');
  if (!graphBox.firstElementChild || graphBox.firstElementChild.outerHTML !== graph.outerHTML) graphBox.replaceChildren(graph);
  roles.forEach((r, i) => {
    const block = blocks[i];
    const legendState = block.querySelector('.role-state');
    legendState.textContent = roleStateName(r.state);
    legendState.dataset.state = roleStateKey(r.state);
    block.querySelector('.role-card').textContent = r.cardinality;
    const details = roleDetails(r, true);
    const box = block.querySelector('.details');
    if (!box.firstElementChild || box.firstElementChild.outerHTML !== details.outerHTML) box.replaceChildren(details);
    const cardinality = block.querySelector('input.cardinality');
    if (!cardinality.dataset.edited) cardinality.value = r.cardinality;
    patchVmRows(block.querySelector('.vms tbody'), r);
    const pending = pendingTable(r);
    const wrap = block.querySelector('.pending-wrap');
    if (!wrap.firstElementChild || wrap.firstElementChild.outerHTML !== pending.outerHTML) wrap.replaceChildren(pending);
  });
}

const actionMenu = (cls) => `<select class="${cls}"><option value="">${t('chooseAction')}</option>${ACTIONS
  .map((a) => `<option value="${a}">${esc(actionName(a))}</option>`).join('')}</select>`;

/** A role: what it is, its actions with Number and Period (empty = the server's defaults), scale, pending batches, its VMs. */
function roleBlock(doc, r) {
  const id = doc.ID;
  // No action is chosen for the user: the first entry of each menu is a prompt, not "terminate".
  const block = el(`<fieldset class="role" data-role="${esc(r.name)}"><legend>${t('role')} ${esc(r.name)} —
    ${badge(roleStateKey(r.state), roleStateName(r.state)).replace('class="state"', 'class="state role-state"')}, ${t('cardinality')} <span class="role-card">${r.cardinality}</span></legend>
    <details class="role-more"><summary>${t('info')}</summary><div class="details"></div></details>
    <div class="role-action"><label>${t('action')} ${actionMenu('action')}</label>
    <label title="${esc(t('numberHint'))}">${t('number')} <input class="number" type="number" min="0" step="1"></label>
    <label title="${esc(t('periodHint'))}">${t('period')} <input class="period" type="number" min="0" step="1"></label>
    <label>${t('args')} <input class="args"></label>
    <button class="run">${t('run')}</button></div>
    <div class="role-scale"><label>${t('cardinality')} <input class="cardinality" type="number" min="0" step="1" value="${r.cardinality}"></label>
    <label><input class="force" type="checkbox"> ${t('force')}</label>
    <button class="scale">${t('scale')}</button></div>
    <h4>${t('pending')}</h4><div class="pending-wrap"></div>
    <h4>${t('vms')}</h4>
    <div class="vm-actions">${actionMenu('vm-action')}
    <button class="vm-run">${t('runOnSelected')}</button></div>
    <table class="vms"><thead><tr><th></th><th>${t('id')}</th><th>${t('name')}</th><th>${t('state')}</th><th>${t('lcmState')}</th>
    <th>${t('ip')}</th><th>${t('host')}</th><th>${t('reboots')}</th></tr></thead><tbody></tbody></table></fieldset>`);
  patchVmRows(block.querySelector('.vms tbody'), r);
  block.querySelector('.details').appendChild(roleDetails(r, true));
  block.querySelector('.pending-wrap').appendChild(pendingTable(r));
  block.querySelector('input.cardinality').addEventListener('input', (e) => { e.target.dataset.edited = '1'; });
  block.querySelector('.run').addEventListener('click', () => {
    const perform = block.querySelector('.action').value;
    if (!perform) { showError(t('chooseActionFirst')); return; }
    const number = wholeNumber(block.querySelector('.number'), t('number'), 0, true);
    const period = wholeNumber(block.querySelector('.period'), t('period'), 0, true);
    if (number === null || period === null) return;
    if (!confirmed('confirmAction', actionName(perform), r.name, shown.doc.NAME)) return;
    const params = { number, period };
    const args = block.querySelector('.args').value.trim();
    if (args) params.args = args;
    act(() => api('POST', `/service/${id}/role/${encodeURIComponent(r.name)}/action`, { action: { perform, params } }));
  });
  // Per-VM actions: the selected VMs only, all at once.
  block.querySelector('.vm-run').addEventListener('click', () => {
    const ids = [...block.querySelectorAll('.vms input:checked')].map((c) => parseInt(c.value, 10));
    const perform = block.querySelector('.vm-action').value;
    if (!perform) { showError(t('chooseActionFirst')); return; }
    if (!ids.length) { showError(t('selectVms')); return; }
    if (!confirmed('confirmVmAction', actionName(perform), ids.join(', '))) return;
    act(() => api('POST', `/service/${id}/role/${encodeURIComponent(r.name)}/action`, { action: {
      perform, params: { number: 0, period: 0, vm_ids: ids } } }));
  });
  block.querySelector('.scale').addEventListener('click', async () => {
    const input = block.querySelector('.cardinality');
    const cardinality = wholeNumber(input, t('cardinality'), 0, false);
    if (cardinality === null) return;
    const force = block.querySelector('.force').checked;
    const role = (shown.doc.TEMPLATE.BODY.roles || []).find((x) => x.name === r.name) || r;
    const min = role.min_vms ?? 0;
    const max = role.max_vms ?? Infinity;
    if (!force && (cardinality < min || cardinality > max)) {
      fieldError(input, fill('cardinalityBounds', min, max === Infinity ? '∞' : max));
      return;
    }
    const done = await act(() => api('POST', `/service/${id}/scale`, { role_name: r.name, cardinality, force }));
    if (done !== undefined) delete input.dataset.edited;
  });
  return block;
}

// ---- one VM

function vmView(mine) {
  const page = el('<section id="vm"></section>');
  draw(mine, page);
  renderVm();
}

function renderVm() {
  const page = document.getElementById('vm');
  if (!page || !shown.doc) return;
  const vmId = String(shown.vmId);
  let role = null; let node = null;
  (shown.doc.TEMPLATE.BODY.roles || []).forEach((r) => asArray(r.nodes).forEach((n) => {
    if (String(n.deploy_id) === vmId) { role = r; node = n; }
  }));
  if (!node) {
    page.replaceChildren(el(`<div id="not-found"><h2>${esc(fill('vmNotFound', vmId, shown.doc.NAME))}</h2>
      <a href="#/service/${shown.id}">${esc(shown.doc.NAME)}</a></div>`));
    return;
  }
  const f = vmFacts(node);
  const kv = (obj) => Object.entries(obj || {}).filter(([, v]) => v == null || typeof v !== 'object')
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('');
  const section = el(`<div><p><a href="#/service/${shown.id}" id="vm-back">← ${esc(shown.doc.NAME)}</a></p>
    <h2>${esc(fill('openVm', f.id))} ${esc(f.name)} ${badge(VM_STATES[f.state] || '', f.state == null ? '-' : vmStateName(f.state), 'vm-state')}</h2>
    <table class="info" id="vm-facts"><tr><th>${t('roleOfVm')}</th><td>${esc(role.name)}</td></tr>
      <tr><th>${t('state')}</th><td>${esc(f.state == null ? '-' : vmStateName(f.state))}</td></tr>
      <tr><th>${t('lcmState')}</th><td id="vm-lcm">${esc(f.lcm == null ? '-' : lcmStateName(f.lcm))}</td></tr>
      <tr><th>${t('ip')}</th><td>${esc(f.ips.join(', ') || '-')}</td></tr><tr><th>${t('host')}</th><td>${esc(f.host || '-')}</td></tr>
      <tr><th>${t('reboots')}</th><td id="vm-reboots">${esc(f.reboots ?? '-')}</td></tr><tr><th>${t('ready')}</th><td>${esc(f.ready || '-')}</td></tr>
      <tr><th>${t('snapshots')}</th><td>${esc(asArray(f.cloud.SNAPSHOTS).map((s) => s.NAME || s.ID || JSON.stringify(s)).join(', ') || '-')}</td></tr></table>
    <h3>${t('vmActions')}</h3><div class="vm-actions">${actionMenu('vm-action')}<button class="vm-run">${t('run')}</button></div>
    <h3>vm_info</h3><table class="info">${kv(f.info)}</table>
    ${Object.keys(f.cloud).length ? `<h3>${t('cloudView')}</h3><table class="info" id="vm-cloud">${kv(f.cloud)}</table>
      <h4>${t('userTemplate')}</h4><table class="info">${kv(f.cloud.USER_TEMPLATE)}</table>` : ''}</div>`);
  section.querySelector('.vm-run').addEventListener('click', () => {
    const perform = section.querySelector('.vm-action').value;
    if (!perform) { showError(t('chooseActionFirst')); return; }
    if (!confirmed('confirmVmAction', actionName(perform), f.id)) return;
    act(() => api('POST', `/service/${shown.id}/role/${encodeURIComponent(role.name)}/action`, { action: {
      perform, params: { number: 0, period: 0, vm_ids: [Number(f.id)] } } }));
  });
  if (!may(shown.doc, 'M')) forbid(section.querySelectorAll('button'));
  page.replaceChildren(section);
}

// ---- autoscaler: per role, the metric over time, its thresholds and every decision

let uplotLoading = null;
function loadUplot() {
  if (window.uPlot) return Promise.resolve();
  if (!uplotLoading) {
    uplotLoading = new Promise((resolve, reject) => {
      const css = document.createElement('link');
      css.rel = 'stylesheet';
      css.href = '/ui/lib/uPlot.min.css';
      document.head.appendChild(css);
      const script = document.createElement('script');
      script.src = '/ui/lib/uPlot.iife.min.js';
      script.onload = resolve;
      script.onerror = () => { uplotLoading = null; reject(new Error('uPlot did not load')); };
      document.head.appendChild(script);
    });
  }
  return uplotLoading;
}

/** The value an evaluation saw: "CPU[95.0] > 80" → 95, else the mean of the VMs' inputs of the first attribute. */
function metricOf(evaluation, attribute) {
  const m = /\[(-?[\d.]+(?:[eE][-+]?\d+)?)\]/.exec(evaluation.evaluated || '');
  if (m) return Number(m[1]);
  const values = Object.values(evaluation.inputs || {}).map((vm) => vm && vm[attribute]).filter((v) => typeof v === 'number');
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}
const firstAttribute = (expression) => (/[A-Za-z_][A-Za-z0-9_]*/.exec(expression || '') || [''])[0];
const thresholdOf = (expression) => { const m = /[<>]=?|==|!=/.exec(expression || ''); if (!m) return null; const n = /-?\d+(?:\.\d+)?/.exec(expression.slice(m.index)); return n ? Number(n[0]) : null; };

async function renderAutoscaler() {
  const tab = document.getElementById('tab');
  const roles = shown.doc.TEMPLATE.BODY.roles || [];
  if (!shown.role || !roles.some((r) => r.name === shown.role)) {
    shown.role = (roles.find((r) => asArray(r.elasticity_policies).length || asArray(r.scheduled_policies).length) || roles[0] || {}).name;
  }
  const view = el(`<div id="autoscaler"><label>${t('role')} <select id="autoscaler-role">${roles.map((r) =>
    `<option${r.name === shown.role ? ' selected' : ''}>${esc(r.name)}</option>`).join('')}</select></label>
    <button id="autoscaler-refresh">${t('refresh')}</button><div id="autoscaler-body"></div></div>`);
  view.querySelector('#autoscaler-role').addEventListener('change', (e) => { shown.role = e.target.value; renderAutoscaler(); });
  view.querySelector('#autoscaler-refresh').addEventListener('click', () => drawAutoscaler());
  tab.replaceChildren(view);
  await drawAutoscaler();
  clearInterval(shown.autoscalerTimer);
  // Evaluations are not events: the open chart is read again every 10 s (web-ui.md allows polling every ≤ 10 s).
  shown.autoscalerTimer = setInterval(() => { if (document.getElementById('autoscaler')) drawAutoscaler(); else clearInterval(shown.autoscalerTimer); }, 10000);
}

async function drawAutoscaler() {
  const target = document.getElementById('autoscaler-body');
  if (!target) return;
  const role = (shown.doc.TEMPLATE.BODY.roles || []).find((r) => r.name === shown.role);
  if (!role) return;
  const policies = asArray(role.elasticity_policies);
  let evaluations = [];
  try {
    const answer = await api('GET', `/service/${shown.id}/autoscaler?limit=200`, undefined, { quiet: true });
    evaluations = ((answer.roles || {})[role.name] || []).slice().reverse();
  } catch (e) { /* shown as no evaluations */ }
  if (!document.getElementById('autoscaler-body') || shown.role !== role.name) return;
  const summary = el(`<details class="role-summary"><summary>${t('role')} ${esc(role.name)}: ${t('elasticity')}, ${t('scheduled')}</summary>${roleDetails(role, true).outerHTML}</details>`);
  if (!evaluations.length) {
    target.replaceChildren(...(policies.length || asArray(role.scheduled_policies).length ? [] : [el(`<p>${t('noPolicies')}</p>`)]),
      el(`<p id="no-evaluations">${t('noEvaluations')}</p>`), summary);
    return;
  }
  const chartBox = el('<div id="autoscaler-chart"></div>');
  const parts = [chartBox, summary];
  const decisions = evaluations.filter((e) => e.decision !== 'no change' || e.new_cardinality !== e.cardinality);
  const table = el(`<table id="autoscaler-decisions"><caption>${t('evaluations')} (${t('decisions')}: ${decisions.length})</caption>
    <thead><tr><th>${t('time')}</th><th>${t('policy')}</th><th>${t('evaluated')}</th><th>${t('cardinality')}</th><th>${t('decision')}</th><th>${t('reason')}</th></tr></thead>
    <tbody>${evaluations.slice().reverse().map((e) => `<tr class="${e.decision !== 'no change' ? 'decision' : ''}"><td>${timeMs(isoMs(e.time))}</td>
      <td>${esc(e.policy)}</td><td><code>${esc(e.evaluated || '')}</code>${e.true_evals != null ? ` (${esc(e.true_evals)}/${esc(e.period_number)})` : ''}</td>
      <td>${esc(e.cardinality)}${e.new_cardinality !== e.cardinality ? ` → ${esc(e.new_cardinality)}` : ''}</td><td class="decision-cell">${esc(e.decision)}</td><td>${esc(e.reason)}</td></tr>`).join('')}</tbody></table>`);
  parts.push(table);
  target.replaceChildren(...parts);
  try { await loadUplot(); } catch (e) { chartBox.textContent = e.message; return; }
  chartBox.replaceChildren();
  // One x axis for every series: each pass's time (seconds); gaps where a series has no value then.
  const times = [...new Set(evaluations.map((e) => Math.round(isoMs(e.time) / 1000)))].sort((a, b) => a - b);
  const at = new Map(times.map((x, i) => [x, i]));
  const column = () => times.map(() => null);
  const series = [{}];
  const data = [times];
  policies.forEach((p, i) => {
    const attribute = firstAttribute(p.expression);
    const values = column();
    evaluations.filter((e) => e.policy === 'elasticity #' + i).forEach((e) => { values[at.get(Math.round(isoMs(e.time) / 1000))] = metricOf(e, attribute); });
    series.push({ label: `${t('metric')} ${attribute} (#${i})`, stroke: ['#1f6feb', '#8250df', '#0a7ea4'][i % 3], width: 2, spanGaps: true, scale: 'metric', points: { show: false } });
    data.push(values);
    const threshold = thresholdOf(p.expression);
    if (threshold != null) {
      series.push({ label: `${t('threshold')} ${p.expression}`, stroke: '#c62828', dash: [6, 4], width: 1, scale: 'metric', points: { show: false } });
      data.push(times.map(() => threshold));
    }
  });
  const cardinality = column();
  evaluations.forEach((e) => { cardinality[at.get(Math.round(isoMs(e.time) / 1000))] = e.new_cardinality; });
  series.push({ label: t('cardinality'), stroke: '#1a7f37', width: 2, spanGaps: true, scale: 'vms', points: { show: false }, paths: window.uPlot.paths && window.uPlot.paths.stepped ? window.uPlot.paths.stepped({ align: 1 }) : undefined });
  data.push(cardinality);
  const decided = column();
  decisions.forEach((e) => { decided[at.get(Math.round(isoMs(e.time) / 1000))] = e.new_cardinality; });
  series.push({ label: t('decisions'), stroke: '#b7791f', fill: '#b7791f', width: 0, scale: 'vms', points: { show: true, size: 10, fill: '#b7791f' }, paths: () => null });
  data.push(decided);
  const width = Math.max(320, Math.min(900, (document.getElementById('tab').clientWidth || 800) - 20));
  // eslint-disable-next-line no-new
  new window.uPlot({
    width, height: 280, series, scales: { x: { time: true }, vms: { range: (u, min, max) => [0, Math.max(1, max + 1)] } },
    axes: [{}, { scale: 'metric', label: t('metric') }, { scale: 'vms', side: 1, label: t('cardinality'), grid: { show: false } }],
    fmtDate: () => (d) => dateFormat().format(d),
  }, data, chartBox);
}

// ---------------------------------------------------------------- routing

/** Only the newest navigation may draw: a slower, older one must not overwrite it. */
let generation = 0;
function current(mine) { return mine === generation; }
function draw(mine, ...nodes) { if (current(mine)) document.getElementById('view').replaceChildren(...nodes); }

async function route() {
  const mine = ++generation;
  translatePage();
  clearInterval(shown.autoscalerTimer);
  if (!session) { closeStream(); stream.query = null; signInView(); return; }
  document.getElementById('nav').hidden = false;
  document.getElementById('signout').hidden = false;
  document.getElementById('whoami').textContent = session.user.name;
  const hash = location.hash || '#/services';
  const parts = hash.split('/');
  try {
    if (hash.startsWith('#/templates')) { follow(null, null); await templatesView(mine); }
    else if (hash.startsWith('#/template/')) { follow(null, null); await templateView(parts[2], mine); }
    else if (hash.startsWith('#/service/')) await serviceView(parts[2], mine, parts[3] === 'vm' ? parts[4] : null);
    else await servicesView(mine);
  } catch (e) {
    if (document.getElementById('error').hidden) showError(String(e.message || e));
  }
}

document.getElementById('lang').addEventListener('change', (e) => { lang = e.target.value; localStorage.setItem('lang', lang); route(); });
document.getElementById('signout').addEventListener('click', async () => {
  try { await api('DELETE', '/session'); } catch (e) { /* shown */ }
  session = null;
  document.getElementById('whoami').textContent = '';
  route();
});
window.addEventListener('hashchange', route);

/** A reloaded page asks who it is: the cookie may still hold a session. */
async function start() {
  try {
    const response = await fetch('/session', { headers: { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest' } });
    if (response.ok) {
      const me = await response.json();
      if (me.csrf_token) session = me;
    }
  } catch (e) { /* not signed in */ }
  route();
}
start();
