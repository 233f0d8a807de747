// Flotilla web UI: plain JavaScript over the REST API and the /events stream. No build step.
'use strict';

const I18N = {
  en: {
    templates: 'Service templates', services: 'Services', signIn: 'Sign in', signOut: 'Sign out', user: 'User',
    password: 'Password', id: 'ID', name: 'Name', owner: 'Owner', group: 'Group', startTime: 'Start time',
    state: 'State', registered: 'Registered', instantiate: 'Instantiate', serviceName: 'Service name',
    instances: 'Number of instances', create: 'Create', refresh: 'Refresh', purgeDone: 'Purge done',
    info: 'Info', roles: 'Roles', log: 'Log', delete: 'Delete', recover: 'Recover', recoverDelete: 'Recover - delete',
    role: 'Role', cardinality: 'Cardinality', action: 'Action', number: 'Number', period: 'Period', args: 'Arguments',
    run: 'Run', scale: 'Scale', force: 'Force', vms: 'VMs', userInputs: 'User inputs', strategy: 'Strategy',
    back: 'Back', time: 'Time', message: 'Message', runOnSelected: 'Run on selected VMs', selectVms: 'Select VMs first', notAllowed: 'You may not manage this service',
    template: 'Template', body: 'Contents', chooseAction: '— choose an action —', chooseActionFirst: 'Choose an action first',
    confirmDelete: 'Delete service {0}? Its VMs are terminated.', confirmRecoverDelete: 'Recover - delete service {0}? It is removed with its VMs.',
    confirmPurge: 'Remove every DONE service and its history?', confirmAction: 'Run {0} on role {1} of service {2}?',
    confirmVmAction: 'Run {0} on VMs {1}?', notFound: 'Service {0} does not exist (or you may not see it).',
    templateNotFound: 'Template {0} does not exist (or you may not see it).', dismiss: 'Dismiss',
  },
  ru: {
    templates: 'Шаблоны — Сервисы', services: 'Экземпляры ВМ — Сервисы', signIn: 'Войти', signOut: 'Выйти',
    user: 'Пользователь', password: 'Пароль', id: 'ID', name: 'Имя', owner: 'Владелец', group: 'Группа',
    startTime: 'Время запуска', state: 'Состояние', registered: 'Зарегистрирован', instantiate: 'Развернуть Шаблон Сервиса',
    serviceName: 'Имя сервиса', instances: 'Количество экземпляров', create: 'Создать ВМ', refresh: 'Обновить страницу',
    purgeDone: 'Очистить', info: 'Сведения', roles: 'Роли', log: 'Журнал', delete: 'Удалить', recover: 'Восстановить',
    recoverDelete: 'Восстановить - удалить', role: 'Роль', cardinality: 'Количество ВМ', action: 'Действие',
    number: 'Номер', period: 'Период', args: 'Аргументы', run: 'Выполнить', scale: 'Масштабировать', force: 'Принудительно',
    vms: 'ВМ', userInputs: 'Пользовательские входные данные', strategy: 'Стратегия', back: 'Назад', time: 'Время',
    message: 'Сообщение', runOnSelected: 'Выполнить для выбранных ВМ', selectVms: 'Сначала выберите ВМ', notAllowed: 'У вас нет права управлять этим сервисом',
    template: 'Шаблон', body: 'Содержимое', chooseAction: '— выберите действие —', chooseActionFirst: 'Сначала выберите действие',
    confirmDelete: 'Удалить сервис {0}? Его ВМ будут уничтожены.', confirmRecoverDelete: 'Восстановить - удалить сервис {0}? Он будет удалён вместе с ВМ.',
    confirmPurge: 'Удалить все завершённые сервисы и их историю?', confirmAction: 'Выполнить {0} для роли {1} сервиса {2}?',
    confirmVmAction: 'Выполнить {0} для ВМ {1}?', notFound: 'Сервис {0} не существует (или недоступен вам).',
    templateNotFound: 'Шаблон {0} не существует (или недоступен вам).', dismiss: 'Закрыть',
  },
};
const STATES = ['PENDING', 'DEPLOYING', 'RUNNING', 'UNDEPLOYING', 'WARNING', 'DONE', 'FAILED_UNDEPLOYING',
  'FAILED_DEPLOYING', 'SCALING', 'FAILED_SCALING', 'COOLDOWN', 'DEPLOYING_NETS', 'UNDEPLOYING_NETS',
  'FAILED_DEPLOYING_NETS', 'FAILED_UNDEPLOYING_NETS', 'HOLD'];
const ROLE_STATES = ['PENDING', 'DEPLOYING', 'RUNNING', 'UNDEPLOYING', 'WARNING', 'DONE', 'FAILED_UNDEPLOYING',
  'FAILED_DEPLOYING', 'SCALING', 'FAILED_SCALING', 'COOLDOWN', 'HOLD'];
const STATE_RU = { PENDING: 'ОЖИДАНИЕ', DEPLOYING: 'РАЗВОРАЧИВАЕТСЯ', RUNNING: 'ЗАПУЩЕНО', UNDEPLOYING: 'УДАЛЯЕТСЯ',
  WARNING: 'ПРЕДУПРЕЖДЕНИЕ', DONE: 'ЗАВЕРШЕНО', SCALING: 'МАСШТАБИРУЕТСЯ', COOLDOWN: 'ОХЛАЖДЕНИЕ', HOLD: 'УДЕРЖАНИЕ' };
const ACTIONS = ['terminate', 'terminate-hard', 'undeploy', 'undeploy-hard', 'hold', 'release', 'stop', 'suspend',
  'resume', 'reboot', 'reboot-hard', 'poweroff', 'poweroff-hard', 'snapshot-create', 'snapshot-revert',
  'snapshot-delete', 'disk-snapshot-create', 'disk-snapshot-revert', 'disk-snapshot-delete'];

let lang = localStorage.getItem('lang') || ((navigator.language || 'en').startsWith('ru') ? 'ru' : 'en');
// Who is signed in and the CSRF token of the session; the session itself is an HttpOnly cookie.
let session = null;
let socket = null;
const t = (key) => (I18N[lang] && I18N[lang][key]) || I18N.en[key] || key;
const stateName = (n) => { const s = STATES[n] || String(n); return lang === 'ru' && STATE_RU[s] ? STATE_RU[s] : s; };
// A <template> parses any fragment (table rows included) as it would appear in its place.
const el = (html) => { const tpl = document.createElement('template'); tpl.innerHTML = html.trim(); return tpl.content.firstElementChild; };
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const time = (epoch) => epoch ? new Date(epoch * 1000).toLocaleString() : '-';

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

/** A question naming what is about to be destroyed or changed: fill {0}, {1}, ... */
function confirmed(key, ...args) {
  return window.confirm(args.reduce((text, a, i) => text.replace('{' + i + '}', a), t(key)));
}

/** Every server error is shown, with the server's own message; a lost session goes back to sign-in. */
async function api(method, path, body) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest' };
  if (session && session.csrf_token) headers['X-CSRF-Token'] = session.csrf_token;
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401 && session && path !== '/session') { session = null; route(); }
  if (!response.ok) {
    let message = response.status + ' ' + response.statusText;
    try { const j = await response.json(); message = j.error ? j.error.message : message; } catch (e) { /* plain */ }
    showError(message);
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return response.status === 204 ? null : response.json();
}

/** OpenNebula's rule, for showing only what the server would allow: owner, group or other bits grant. */
function may(doc, right) {
  const user = session.user;
  if (user.id === 0 || user.groups.includes(0)) return true;
  const p = doc.PERMISSIONS || {};
  const bit = (who) => String(p[who + '_' + right]) === '1';
  return (Number(doc.UID) === user.id && bit('OWNER')) || (user.groups.includes(Number(doc.GID)) && bit('GROUP'))
    || bit('OTHER');
}

function translatePage() {
  document.documentElement.lang = lang;
  document.querySelectorAll('[data-i18n]').forEach((n) => { n.textContent = t(n.dataset.i18n); });
  document.getElementById('lang').value = lang;
}

function signInView() {
  document.getElementById('nav').hidden = true;
  document.getElementById('signout').hidden = true;
  const form = el(`<form id="signin"><h2>${t('signIn')}</h2>
    <label>${t('user')} <input name="user" id="user" value="oneadmin"></label>
    <label>${t('password')} <input name="password" id="password" type="password"></label>
    <button type="submit" id="signin-button">${t('signIn')}</button></form>`);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      session = await api('POST', '/session', { user: form.user.value, password: form.password.value });
      form.password.value = '';
      showError('');
      connectStream();
      route(); // the page asked for before signing in, if any

    } catch (err) { session = null; }
  });
  const view = document.getElementById('view');
  view.replaceChildren(form);
}

async function templatesView(mine) {
  const pool = await api('GET', '/service_template');
  const docs = (pool.DOCUMENT_POOL.DOCUMENT || []);
  const table = el(`<table id="templates"><thead><tr><th>${t('id')}</th><th>${t('name')}</th><th>${t('owner')}</th>
    <th>${t('registered')}</th><th></th></tr></thead><tbody></tbody></table>`);
  docs.forEach((d) => {
    const row = el(`<tr data-id="${d.ID}"><td>${d.ID}</td><td><a href="#/template/${d.ID}">${esc(d.NAME)}</a></td><td>${esc(d.UNAME)}</td>
      <td>${time(d.TEMPLATE.BODY.registration_time)}</td>
      <td><button class="instantiate">${t('instantiate')}</button></td></tr>`);
    row.querySelector('.instantiate').addEventListener('click', () => instantiateForm(d));
    table.tBodies[0].appendChild(row);
  });
  draw(mine, el(`<h2>${t('templates')}</h2>`), table, el('<div id="instantiate-form"></div>'));
}

/** A template page: its information and contents, and the instantiate form. */
async function templateView(id, mine) {
  let doc;
  try {
    doc = (await api('GET', '/service_template/' + id)).DOCUMENT;
  } catch (e) {
    if (e.status === 404 || e.status === 403 || e.status === 400) { notFoundView(mine, 'templateNotFound', id); return; }
    throw e;
  }
  const page = el(`<section id="template" data-id="${doc.ID}"><h2>${t('template')} ${esc(doc.NAME)}</h2>
    <table><tr><th>${t('id')}</th><td>${doc.ID}</td></tr><tr><th>${t('owner')}</th><td>${esc(doc.UNAME)}</td></tr>
    <tr><th>${t('registered')}</th><td>${time(doc.TEMPLATE.BODY.registration_time)}</td></tr></table>
    <h3>${t('body')}</h3><pre id="template-body">${esc(JSON.stringify(doc.TEMPLATE.BODY, null, 2))}</pre>
    <button class="instantiate">${t('instantiate')}</button><div id="instantiate-form"></div></section>`);
  page.querySelector('.instantiate').addEventListener('click', () => instantiateForm(doc));
  draw(mine, page);
}

/** Buttons the signed-in user may not use are disabled, and say why. */
function forbid(buttons) {
  buttons.forEach((b) => { b.disabled = true; b.title = t('notAllowed'); });
}

/** The seed's form: service name and number of instances, plus the template's user inputs. */
function instantiateForm(doc) {
  const inputs = doc.TEMPLATE.BODY.user_inputs || {};
  const form = el(`<form id="instantiate"><h3>${t('instantiate')}: ${esc(doc.NAME)}</h3>
    <label>${t('serviceName')} <input name="name" id="service-name"></label>
    <label>${t('instances')} <input name="count" id="instances" type="number" min="1" value="1"></label>
    <fieldset><legend>${t('userInputs')}</legend></fieldset>
    <button type="submit" id="create">${t('create')}</button></form>`);
  Object.entries(inputs).forEach(([key, spec]) => {
    const description = String(spec).split('|')[2] || key;
    form.querySelector('fieldset').appendChild(el(`<label>${esc(description)} <input data-input="${esc(key)}"></label>`));
  });
  if (!Object.keys(inputs).length) form.querySelector('fieldset').hidden = true;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const merge = {};
    if (form.name.value) merge.name = form.name.value;
    const values = {};
    form.querySelectorAll('[data-input]').forEach((i) => { values[i.dataset.input] = i.value; });
    if (Object.keys(values).length) merge.user_inputs_values = values;
    const count = Math.max(1, parseInt(form.count.value || '1', 10));
    try {
      for (let i = 0; i < count; i++) {
        await api('POST', `/service_template/${doc.ID}/action`,
          { action: { perform: 'instantiate', params: { merge_template: merge } } });
      }
      location.hash = '#/services';
    } catch (err) { /* shown */ }
  });
  document.getElementById('instantiate-form').replaceChildren(form);
}

async function servicesView(mine) {
  const pool = await api('GET', '/service');
  const docs = (pool.DOCUMENT_POOL.DOCUMENT || []);
  const table = el(`<table id="services"><thead><tr><th>${t('id')}</th><th>${t('name')}</th><th>${t('owner')}</th>
    <th>${t('group')}</th><th>${t('startTime')}</th><th>${t('state')}</th></tr></thead><tbody></tbody></table>`);
  docs.forEach((d) => table.tBodies[0].appendChild(serviceRow(d)));
  const refresh = el(`<button id="refresh">${t('refresh')}</button>`);
  refresh.addEventListener('click', route);
  const purge = el(`<button id="purge">${t('purgeDone')}</button>`);
  purge.addEventListener('click', async () => {
    if (!confirmed('confirmPurge')) return;
    try { await api('POST', '/service_pool/purge_done'); route(); } catch (e) { /* shown */ }
  });
  draw(mine, el(`<h2>${t('services')}</h2>`), refresh, purge, table);
}

function serviceRow(d) {
  const row = el(`<tr class="clickable" data-id="${d.ID}"><td>${d.ID}</td><td>${esc(d.NAME)}</td><td>${esc(d.UNAME)}</td>
    <td>${esc(d.GNAME)}</td><td>${time(d.TEMPLATE.BODY.start_time)}</td>
    <td class="state" data-state="${STATES[d.TEMPLATE.BODY.state]}">${stateName(d.TEMPLATE.BODY.state)}</td></tr>`);
  row.addEventListener('click', () => { location.hash = '#/service/' + d.ID; });
  return row;
}

let currentTab = 'info';
/** An id that is not there (or not the user's to see) gets its own page, not the previous one. */
function notFoundView(mine, key, id) {
  showError('');
  draw(mine, el(`<section id="not-found"><h2>${esc(t(key).replace('{0}', id))}</h2>
    <a href="#/services">${t('services')}</a></section>`));
}

async function serviceView(id, mine) {
  let doc;
  try {
    doc = (await api('GET', '/service/' + id)).DOCUMENT;
  } catch (e) {
    if (e.status === 404 || e.status === 403 || e.status === 400) { notFoundView(mine, 'notFound', id); return; }
    throw e;
  }
  const body = doc.TEMPLATE.BODY;
  const page = el(`<section id="service" data-id="${doc.ID}"><h2>${esc(doc.NAME)}
    <span class="state" id="service-state" data-state="${STATES[body.state]}">${stateName(body.state)}</span></h2>
    <div class="buttons"><button id="delete">${t('delete')}</button><button id="recover">${t('recover')}</button>
    <button id="recover-delete">${t('recoverDelete')}</button></div>
    <div class="tabs"><button data-tab="info">${t('info')}</button><button data-tab="roles">${t('roles')}</button>
    <button data-tab="log">${t('log')}</button></div><div id="tab"></div></section>`);
  page.querySelector('#delete').addEventListener('click', () => {
    if (confirmed('confirmDelete', doc.NAME)) act(() => api('DELETE', '/service/' + id));
  });
  page.querySelector('#recover').addEventListener('click', () => act(() => api('POST', `/service/${id}/action`,
    { action: { perform: 'recover', params: { delete: false } } })));
  page.querySelector('#recover-delete').addEventListener('click', () => {
    if (confirmed('confirmRecoverDelete', doc.NAME)) {
      act(() => api('POST', `/service/${id}/action`, { action: { perform: 'recover', params: { delete: true } } }));
    }
  });
  page.querySelectorAll('[data-tab]').forEach((b) => b.addEventListener('click', () => { currentTab = b.dataset.tab; renderTab(doc); }));
  if (!may(doc, 'M')) forbid(page.querySelectorAll('.buttons button'));
  if (!current(mine)) return;
  draw(mine, page);
  renderTab(doc);
}

async function act(call) { try { await call(); } catch (e) { /* shown */ } }

function renderTab(doc) {
  const body = doc.TEMPLATE.BODY;
  document.querySelectorAll('[data-tab]').forEach((b) => b.classList.toggle('active', b.dataset.tab === currentTab));
  const tab = document.getElementById('tab');
  if (currentTab === 'info') {
    tab.replaceChildren(el(`<table id="info"><tr><th>${t('id')}</th><td>${doc.ID}</td></tr>
      <tr><th>${t('name')}</th><td>${esc(doc.NAME)}</td></tr><tr><th>${t('owner')}</th><td>${esc(doc.UNAME)}</td></tr>
      <tr><th>${t('group')}</th><td>${esc(doc.GNAME)}</td></tr><tr><th>${t('strategy')}</th><td>${esc(body.deployment)}</td></tr>
      <tr><th>${t('state')}</th><td>${stateName(body.state)}</td></tr>
      <tr><th>${t('startTime')}</th><td>${time(body.start_time)}</td></tr></table>`));
  } else if (currentTab === 'log') {
    const table = el(`<table id="log"><thead><tr><th>${t('time')}</th><th></th><th>${t('message')}</th></tr></thead><tbody></tbody></table>`);
    (body.log || []).forEach((e) => table.tBodies[0].appendChild(el(`<tr class="severity-${esc(e.severity)}"><td>${time(e.timestamp)}</td>
      <td>${esc(e.severity)}</td><td>${esc(e.message)}</td></tr>`)));
    tab.replaceChildren(table);
  } else {
    const list = el('<div id="roles"></div>');
    body.roles.forEach((r) => list.appendChild(roleBlock(doc, r)));
    if (!may(doc, 'M')) forbid(list.querySelectorAll('button'));
    tab.replaceChildren(list);
  }
}

/** A role: its actions with Number and Period (empty = the server's defaults), scale, and its VMs. */
function roleBlock(doc, r) {
  const id = doc.ID;
  // No action is chosen for the user: the first entry of each menu is a prompt, not "terminate".
  const menu = (cls) => `<select class="${cls}"><option value="">${t('chooseAction')}</option>${ACTIONS.map((a) => `<option>${a}</option>`).join('')}</select>`;
  const block = el(`<fieldset class="role" data-role="${esc(r.name)}"><legend>${t('role')} ${esc(r.name)} —
    ${ROLE_STATES[r.state] || r.state}, ${t('cardinality')} ${r.cardinality}</legend>
    <label>${t('action')} ${menu('action')}</label>
    <label>${t('number')} <input class="number" type="number" min="0"></label>
    <label>${t('period')} <input class="period" type="number" min="0"></label>
    <label>${t('args')} <input class="args"></label>
    <button class="run">${t('run')}</button>
    <label>${t('cardinality')} <input class="cardinality" type="number" min="0" value="${r.cardinality}"></label>
    <label><input class="force" type="checkbox"> ${t('force')}</label>
    <button class="scale">${t('scale')}</button>
    <div class="vm-actions">${menu('vm-action')}
    <button class="vm-run">${t('runOnSelected')}</button></div>
    <table class="vms"><thead><tr><th></th><th>${t('id')}</th><th>${t('name')}</th></tr></thead><tbody>
    ${(r.nodes || []).map((n) => `<tr><td><input type="checkbox" value="${n.deploy_id}"></td><td>${n.deploy_id}</td>
      <td>${esc(n.vm_info && n.vm_info.VM ? n.vm_info.VM.NAME : '')}</td></tr>`).join('')}</tbody></table></fieldset>`);
  block.querySelector('.run').addEventListener('click', () => {
    const perform = block.querySelector('.action').value;
    if (!perform) { showError(t('chooseActionFirst')); return; }
    if (!confirmed('confirmAction', perform, r.name, doc.NAME)) return;
    act(() => api('POST', `/service/${id}/role/${encodeURIComponent(r.name)}/action`, { action: { perform,
      params: { number: block.querySelector('.number').value, period: block.querySelector('.period').value,
        args: block.querySelector('.args').value } } }));
  });
  // Per-VM actions: the selected VMs only, all at once.
  block.querySelector('.vm-run').addEventListener('click', () => {
    const ids = [...block.querySelectorAll('.vms input:checked')].map((c) => parseInt(c.value, 10));
    const perform = block.querySelector('.vm-action').value;
    if (!perform) { showError(t('chooseActionFirst')); return; }
    if (!ids.length) { showError(t('selectVms')); return; }
    if (!confirmed('confirmVmAction', perform, ids.join(', '))) return;
    act(() => api('POST', `/service/${id}/role/${encodeURIComponent(r.name)}/action`, { action: {
      perform, params: { number: 0, period: 0, vm_ids: ids } } }));
  });
  block.querySelector('.scale').addEventListener('click', () => act(() => api('POST', `/service/${id}/scale`, {
    role_name: r.name, cardinality: parseInt(block.querySelector('.cardinality').value, 10),
    force: block.querySelector('.force').checked })));
  return block;
}

/** Live updates: every event of a shown service refreshes what is on the page. */
function connectStream() {
  if (socket || !session) return;
  const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
  // The session cookie goes with the handshake; nothing secret is in the URL.
  socket = new WebSocket(scheme + location.host + '/events');
  let pending = null;
  socket.onmessage = () => {
    if (pending) return;
    pending = setTimeout(() => { pending = null; liveRefresh(); }, 200);
  };
  socket.onclose = () => { socket = null; if (session) setTimeout(connectStream, 2000); };
}

async function liveRefresh() {
  const hash = location.hash || '#/services';
  try {
    if (hash === '#/services') {
      const pool = await api('GET', '/service');
      const tbody = document.querySelector('#services tbody');
      if (tbody) tbody.replaceChildren(...(pool.DOCUMENT_POOL.DOCUMENT || []).map(serviceRow));
    } else if (hash.startsWith('#/service/')) {
      const doc = (await api('GET', '/service/' + hash.split('/')[2])).DOCUMENT;
      const state = document.getElementById('service-state');
      if (state) { state.textContent = stateName(doc.TEMPLATE.BODY.state); state.dataset.state = STATES[doc.TEMPLATE.BODY.state]; }
      if (currentTab !== 'roles') renderTab(doc);
    }
  } catch (e) { /* shown */ }
}

/** Only the newest navigation may draw: a slower, older one must not overwrite it. */
let generation = 0;
function current(mine) { return mine === generation; }
function draw(mine, ...nodes) { if (current(mine)) document.getElementById('view').replaceChildren(...nodes); }

async function route() {
  const mine = ++generation;
  translatePage();
  if (!session) { signInView(); return; }
  document.getElementById('nav').hidden = false;
  document.getElementById('signout').hidden = false;
  document.getElementById('whoami').textContent = session.user.name;
  const hash = location.hash || '#/services';
  try {
    if (hash.startsWith('#/templates')) await templatesView(mine);
    else if (hash.startsWith('#/template/')) await templateView(hash.split('/')[2], mine);
    else if (hash.startsWith('#/service/')) await serviceView(hash.split('/')[2], mine);
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
  if (socket) socket.close();
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
  connectStream();
  route();
}
start();
