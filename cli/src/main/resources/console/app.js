// Quiver console: one page, plain JavaScript, no build step. Every value shown goes through esc().
'use strict';

const state = { auth: sessionStorage.getItem('quiver.auth'), who: null, history: null };
const main = document.getElementById('main');

function esc(v) {
  return String(v ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}
function fmtTime(ms) {
  if (!ms || ms <= 0) return '-';
  const d = new Date(Number(ms));
  const p = n => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}
function num(v) { return Number(v ?? 0).toLocaleString('en-US'); }
function link(hash, text, id) { return `<a href="#${esc(hash)}"${id ? ` id="${esc(id)}"` : ''}>${esc(text)}</a>`; }
function enc(v) { return encodeURIComponent(v); }

async function api(path, params = {}, method = 'GET') {
  const qs = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
  const headers = {};
  if (state.auth) headers.Authorization = 'Basic ' + state.auth;
  if (method === 'POST') headers['X-Quiver-Console'] = '1';
  const r = await fetch(`/api/${path}${qs ? '?' + qs : ''}`, { method, headers });
  const body = await r.json().catch(() => ({ error: `HTTP ${r.status}` }));
  if (r.status === 401 && state.auth) { // credentials that no longer work: back to read-only
    state.auth = null; sessionStorage.removeItem('quiver.auth');
  }
  if (!r.ok) throw new Error(body.error || `HTTP ${r.status}`);
  return body;
}

function sparkline(values, id, width = 240, height = 40) {
  const pts = (values || []).map((v, i) => [i, v]).filter(([, v]) => v !== null && v !== undefined);
  if (pts.length < 2) return `<svg class="spark" id="${esc(id)}" width="${width}" height="${height}"><text x="4" y="24" fill="#6b7385" font-size="11">collecting…</text></svg>`;
  const max = Math.max(1, ...pts.map(([, v]) => v));
  const n = Math.max(2, values.length);
  const xy = pts.map(([i, v]) => `${(i / (n - 1) * (width - 2) + 1).toFixed(1)},${(height - 2 - v / max * (height - 4)).toFixed(1)}`).join(' ');
  return `<svg class="spark" id="${esc(id)}" width="${width}" height="${height}" data-points="${pts.length}" data-max="${max}"><polyline points="${xy}"/></svg>`;
}
function rates(series, everyMillis) {
  if (!series) return [];
  const out = [];
  for (let i = 1; i < series.length; i++) {
    const a = series[i - 1], b = series[i];
    out.push(a === null || b === null ? null : Math.max(0, (b - a) / (everyMillis / 1000)));
  }
  return out;
}
async function history() {
  try { state.history = await api('history'); } catch (e) { state.history = null; }
  return state.history;
}
function series(name) { return state.history?.series?.[name] || []; }

// ---------------------------------------------------------------- pages

async function cluster() {
  const [brokers] = await Promise.all([api('cluster'), history()]);
  const inNow = brokers.reduce((s, b) => s + Number(b.inTps === '-' ? 0 : b.inTps), 0);
  const outNow = brokers.reduce((s, b) => s + Number(b.outTps === '-' ? 0 : b.outTps), 0);
  let rows = '';
  for (const b of brokers) {
    const rt = b.runtime || {};
    rows += `<tr data-broker="${esc(b.broker)}"><td>${esc(b.cluster)}</td><td>${esc(b.broker)}</td>
      <td>${b.brokerId === 0 ? 'master' : 'replica ' + esc(b.brokerId)}</td><td>${esc(b.address)}</td>
      <td>${esc(rt.brokerVersionDesc || '-')}</td><td>${esc(b.state)}</td>
      <td class="num">${esc(b.inTps)}</td><td class="num">${esc(b.outTps)}</td>
      <td class="num">${num(b.inToday)}</td><td class="num">${num(b.outToday)}</td>
      <td class="num">${rt.commitLogDiskRatio ? (Number(rt.commitLogDiskRatio) * 100).toFixed(1) + ' %' : '-'}</td></tr>`;
  }
  main.innerHTML = `<h1>Cluster</h1>
    <div class="cards">
      <div class="card"><div class="label">Brokers</div><div class="value" id="broker-count">${brokers.length}</div></div>
      <div class="card"><div class="label">Messages in / s (last hour)</div><div class="value" id="tps-in">${inNow.toFixed(1)}</div>${sparkline(series('tps.in'), 'spark-tps-in')}</div>
      <div class="card"><div class="label">Messages out / s (last hour)</div><div class="value" id="tps-out">${outNow.toFixed(1)}</div>${sparkline(series('tps.out'), 'spark-tps-out')}</div>
    </div>
    <table id="brokers"><thead><tr><th>Cluster</th><th>Broker</th><th>Role</th><th>Address</th><th>Version</th><th>State</th>
      <th class="num">In/s</th><th class="num">Out/s</th><th class="num">In today</th><th class="num">Out today</th><th class="num">Disk used</th></tr></thead>
      <tbody>${rows || '<tr><td colspan="11" class="muted">no broker is registered</td></tr>'}</tbody></table>`;
}

async function topics() {
  const [list] = await Promise.all([api('topics'), history()]);
  const every = state.history?.everyMillis || 10000;
  const rows = list.map(t => {
    const r = rates(series('stored.' + t.topic), every);
    return `<tr data-topic="${esc(t.topic)}"><td>${link('/topic/' + enc(t.topic), t.topic)}</td><td class="num">${num(t.queues)}</td>
      <td class="num messages">${num(t.messages)}</td><td class="num">${r.length ? r[r.length - 1]?.toFixed(1) ?? '-' : '-'}</td>
      <td>${sparkline(r, 'spark-topic-' + t.topic, 160, 24)}</td></tr>`;
  }).join('');
  main.innerHTML = `<h1>Topics</h1><table id="topics"><thead><tr><th>Topic</th><th class="num">Queues</th>
    <th class="num">Messages held</th><th class="num">In/s</th><th>Last hour</th></tr></thead>
    <tbody>${rows || '<tr><td colspan="5" class="muted">no topics</td></tr>'}</tbody></table>`;
}

async function topic(name) {
  const t = await api('topic', { name });
  const rows = t.queues.map(q => `<tr><td>${esc(q.broker)}</td><td class="num">${esc(q.queueId)}</td><td class="num">${num(q.minOffset)}</td>
    <td class="num">${num(q.maxOffset)}</td><td class="num">${num(q.maxOffset - q.minOffset)}</td><td>${fmtTime(q.lastStored)}</td></tr>`).join('');
  const groups = (t.groups || []).map(g => `<li>${link('/group/' + enc(g), g)}</li>`).join('');
  main.innerHTML = `<h1>Topic ${esc(t.topic)}</h1>
    <div class="cards"><div class="card"><div class="label">Messages held</div><div class="value" id="topic-messages">${num(t.messages)}</div></div>
      <div class="card"><div class="label">Queues</div><div class="value">${num(t.queues.length)}</div></div></div>
    <h2>Queues</h2><table id="queues"><thead><tr><th>Broker</th><th class="num">Queue</th><th class="num">Min offset</th>
      <th class="num">Max offset</th><th class="num">Messages</th><th>Last stored</th></tr></thead><tbody>${rows}</tbody></table>
    <h2>Consumer groups</h2><ul id="topic-groups">${groups || '<li class="muted">none has consumed it yet</li>'}</ul>
    <p>${link('/messages/' + enc(t.topic), 'Search its messages')}</p>`;
}

async function groups() {
  const [list] = await Promise.all([api('groups'), history()]);
  const rows = list.map(g => `<tr data-group="${esc(g.group)}"><td>${link('/group/' + enc(g.group), g.group)}</td>
    <td class="num">${num(g.clients)}</td><td class="num lag">${num(g.lag)}</td><td>${sparkline(series('lag.' + g.group), 'spark-lag-' + g.group, 160, 24)}</td></tr>`).join('');
  main.innerHTML = `<h1>Consumer groups</h1><table id="groups"><thead><tr><th>Group</th><th class="num">Clients online</th>
    <th class="num">Lag</th><th>Lag, last hour</th></tr></thead><tbody>${rows || '<tr><td colspan="4" class="muted">no groups</td></tr>'}</tbody></table>`;
}

async function group(name, notice) {
  const [g] = await Promise.all([api('group', { name }), history()]);
  const clients = g.clients.map(c => `<tr><td>${esc(c.clientId)}</td><td>${esc(c.address)}</td><td>${esc(c.language)}</td><td>${esc(c.version)}</td></tr>`).join('');
  const subs = Object.values(g.subscriptions || {}).map(s => `<li>${esc(s.topic)}: <code>${esc(s.subString)}</code></li>`).join('');
  const queues = g.queues.map(q => `<tr><td>${esc(q.topic)}</td><td>${esc(q.broker)}</td><td class="num">${esc(q.queueId)}</td>
    <td class="num">${num(q.brokerOffset)}</td><td class="num">${num(q.consumerOffset)}</td><td class="num">${num(q.lag)}</td><td>${fmtTime(q.lastConsumed)}</td></tr>`).join('');
  const topicsOf = [...new Set(g.queues.map(q => q.topic).filter(t => !t.startsWith('%RETRY%')))];
  main.innerHTML = `<h1>Group ${esc(g.group)}</h1>
    ${notice ? `<p class="notice" id="notice">${esc(notice)}</p>` : ''}
    <div class="cards">
      <div class="card"><div class="label">Lag</div><div class="value" id="group-lag">${num(g.lag)}</div>${sparkline(series('lag.' + g.group), 'spark-group-lag')}</div>
      <div class="card"><div class="label">Consumed / s (last minute)</div><div class="value" id="group-tps">${Number(g.consumeTps || 0).toFixed(1)}</div></div>
      <div class="card"><div class="label">Clients online</div><div class="value" id="group-clients">${g.clients.length}</div></div>
      <div class="card"><div class="label">Dead letters</div><div class="value" id="group-dlq">${num(g.deadLetters)}</div>
        ${g.deadLetters > 0 ? '<button class="action" id="redrive">Redrive to retry</button>' : ''}</div>
    </div>
    <h2>Clients</h2><table id="clients"><thead><tr><th>Client id</th><th>Address</th><th>Language</th><th>Version</th></tr></thead>
      <tbody>${clients || '<tr><td colspan="4" class="muted">no client online</td></tr>'}</tbody></table>
    <h2>Subscriptions</h2><ul>${subs || '<li class="muted">none reported</li>'}</ul>
    <h2>Queues</h2><table id="group-queues"><thead><tr><th>Topic</th><th>Broker</th><th class="num">Queue</th><th class="num">Broker offset</th>
      <th class="num">Consumer offset</th><th class="num">Lag</th><th>Last consumed</th></tr></thead><tbody>${queues}</tbody></table>
    <h2>Reset offset by time</h2>
    <form class="inline" id="reset-form"><label>Topic <select id="reset-topic">${topicsOf.map(t => `<option>${esc(t)}</option>`).join('')}</select></label>
      <label>To the first message stored at or after <input id="reset-time" type="datetime-local" step="1" required></label>
      <button class="action" id="reset-go">Reset</button></form><div id="reset-result"></div>`;
  document.getElementById('reset-form').onsubmit = async e => {
    e.preventDefault();
    const t = document.getElementById('reset-time').value;
    try {
      const r = await api('group/reset', { name: g.group, topic: document.getElementById('reset-topic').value, time: String(new Date(t).getTime()) }, 'POST');
      const bad = r.brokers.filter(b => b.code !== 0);
      await group(name, bad.length ? `reset refused: ${bad.map(b => b.broker + ': ' + b.remark).join('; ')}` : `offsets of ${r.topic} reset to ${fmtTime(r.time)}`);
    } catch (err) { document.getElementById('reset-result').innerHTML = `<p class="error" id="reset-error">${esc(err.message)}</p>`; }
  };
  const rd = document.getElementById('redrive');
  if (rd) rd.onclick = async () => {
    try { const r = await api('group/redrive', { name: g.group }, 'POST'); await group(name, `moved ${r.moved} dead letter(s) back to retry`); }
    catch (err) { document.getElementById('reset-result').innerHTML = `<p class="error">${esc(err.message)}</p>`; }
  };
}

async function messages(topicName) {
  main.innerHTML = `<h1>Messages</h1>
    <form class="inline" id="search-form">
      <label>Topic <input id="search-topic" value="${esc(topicName || '')}" required></label>
      <label>Key <input id="search-key" placeholder="a word of KEYS"></label>
      <label>or stored since <input id="search-since" type="datetime-local" step="1"></label>
      <label>until <input id="search-until" type="datetime-local" step="1"></label>
      <button class="action" id="search-go">Search</button></form>
    <form class="inline" id="id-form"><label>Message id (offset id, or a client id with the topic above) <input id="search-id" size="40"></label>
      <button class="action" id="id-go">Open</button></form>
    <div id="results"></div>`;
  document.getElementById('search-form').onsubmit = async e => {
    e.preventDefault();
    const since = document.getElementById('search-since').value, until = document.getElementById('search-until').value;
    const out = document.getElementById('results');
    try {
      const list = await api('messages', { topic: document.getElementById('search-topic').value, key: document.getElementById('search-key').value,
        since: since ? new Date(since).getTime() : '', until: until ? new Date(until).getTime() : '' });
      out.innerHTML = `<p class="muted" id="result-count">${list.length} message(s)</p><table id="message-list"><thead><tr><th>Message id</th><th>Queue</th>
        <th class="num">Offset</th><th>Stored</th><th>Tags</th><th>Keys</th><th>Body</th></tr></thead><tbody>${list.map(m => `<tr>
        <td>${link('/message/' + enc(m.msgId), m.msgId)}</td><td>${esc(m.queueId)}</td><td class="num">${esc(m.queueOffset)}</td><td>${fmtTime(m.storeTimestamp)}</td>
        <td>${esc(m.properties.TAGS)}</td><td>${esc(m.properties.KEYS)}</td><td>${esc((m.body ?? '(binary)').slice(0, 60))}${m.bodyTruncated ? '…' : ''}</td></tr>`).join('')}</tbody></table>`;
    } catch (err) { out.innerHTML = `<p class="error" id="search-error">${esc(err.message)}</p>`; }
  };
  document.getElementById('id-form').onsubmit = e => {
    e.preventDefault();
    const t = document.getElementById('search-topic').value;
    location.hash = '#/message/' + enc(document.getElementById('search-id').value) + (t ? '?topic=' + enc(t) : '');
  };
}

function hex(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length; i += 16) {
    const row = bytes.slice(i, i + 16);
    out += i.toString(16).padStart(8, '0') + '  ' + Array.from(row, b => b.toString(16).padStart(2, '0')).join(' ').padEnd(48) + '  '
      + Array.from(row, b => (b >= 32 && b < 127 ? String.fromCharCode(b) : '.')).join('') + '\n';
  }
  return out;
}

async function message(id, topic) {
  const m = await api('message', { id, topic });
  const bytes = m.body !== undefined ? new TextEncoder().encode(m.body) : Uint8Array.from(atob(m.bodyBase64), c => c.charCodeAt(0));
  let json = null;
  try { if (m.body !== undefined) json = JSON.stringify(JSON.parse(m.body), null, 2); } catch (e) { json = null; }
  const props = Object.entries(m.properties).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('');
  const uniq = m.properties.UNIQ_KEY || m.msgId;
  main.innerHTML = `<h1>Message ${esc(m.msgId)}</h1>
    <table id="message-detail"><tbody>
      <tr><th>Topic / queue / offset</th><td id="m-topic">${esc(m.topic)} / ${esc(m.queueId)} / ${esc(m.queueOffset)}</td></tr>
      <tr><th>Born / stored</th><td>${fmtTime(m.bornTimestamp)} / ${fmtTime(m.storeTimestamp)}</td></tr>
      <tr><th>Reconsumed</th><td>${esc(m.reconsumeTimes)} times</td></tr></tbody></table>
    <h2>Properties</h2><table id="message-properties"><tbody>${props}</tbody></table>
    <h2>Body (${bytes.length} bytes)</h2>
    <div class="tabs"><button id="tab-text" class="on">Text</button><button id="tab-json"${json ? '' : ' disabled'}>JSON</button><button id="tab-hex">Hex</button></div>
    <pre class="body" id="body-view"></pre>
    <p>${link('/trace/' + enc(uniq), 'Trace this message', 'trace-link')}</p>`;
  const view = document.getElementById('body-view');
  const show = (which) => {
    ['text', 'json', 'hex'].forEach(t => document.getElementById('tab-' + t).classList.toggle('on', t === which));
    view.textContent = which === 'hex' ? hex(bytes) : which === 'json' ? json : (m.body ?? '(binary: see Hex)');
  };
  document.getElementById('tab-text').onclick = () => show('text');
  document.getElementById('tab-json').onclick = () => show('json');
  document.getElementById('tab-hex').onclick = () => show('hex');
  show('text');
}

async function trace(id) {
  const r = await api('trace', { id });
  const items = r.events.map(e => `<li class="${e.kind.startsWith('CLIENT_') ? 'client' : e.kind === 'DEAD_LETTERED' ? 'bad' : ''}" data-kind="${esc(e.kind)}">
    <span class="muted">${fmtTime(e.time)}</span> <span class="kind">${esc(e.kind)}</span>
    ${e.topic ? ` ${esc(e.topic)}${e.queueId >= 0 ? ` [${esc(e.queueId)}] @${esc(e.queueOffset)}` : ''}` : ''}
    ${e.group ? ` · group ${esc(e.group)}` : ''}${e.client ? ` · ${esc(e.client)}` : ''}${e.detail ? ` · ${esc(e.detail)}` : ''}
    <span class="muted"> (${esc(e.broker)})</span></li>`).join('');
  main.innerHTML = `<h1>Trace of ${esc(id)}</h1>
    ${(r.warnings || []).map(w => `<p class="error">${esc(w)}</p>`).join('')}
    <ol class="timeline" id="timeline">${items || '<li class="muted">nothing known of this message</li>'}</ol>
    ${r.truncated ? '<p class="muted">more events exist than one answer holds</p>' : ''}`;
}

async function transactions() {
  const list = await api('transactions');
  let html = '<h1>Pending transactions</h1>';
  for (const b of list) {
    const c = b.counters || {};
    html += `<h2>Broker ${esc(b.broker)}: ${num(c.pending)} pending, ${num(c.committed)} committed, ${num(c.rolledBack)} rolled back, ${num(c.checked)} checks</h2>
      <table class="pending"><thead><tr><th>Message id</th><th>Topic</th><th>Producer group</th><th class="num">Age (s)</th><th class="num">Checks</th></tr></thead><tbody>
      ${(b.pending || []).map(p => `<tr><td>${link('/trace/' + enc(p.msgId), p.msgId)}</td><td>${esc(p.topic)}</td><td>${esc(p.producerGroup)}</td>
        <td class="num">${esc((p.ageMillis / 1000).toFixed(1))}</td><td class="num">${esc(p.checks)}</td></tr>`).join('') || '<tr><td colspan="5" class="muted">none</td></tr>'}</tbody></table>`;
  }
  main.innerHTML = html;
}

// ---------------------------------------------------------------- routing and sign-in

const routes = [
  [/^\/?$|^\/cluster$/, () => cluster(), 'cluster'],
  [/^\/topics$/, () => topics(), 'topics'],
  [/^\/topic\/(.+)$/, m => topic(decodeURIComponent(m[1])), 'topics'],
  [/^\/groups$/, () => groups(), 'groups'],
  [/^\/group\/(.+)$/, m => group(decodeURIComponent(m[1])), 'groups'],
  [/^\/messages(?:\/(.+))?$/, m => messages(m[1] ? decodeURIComponent(m[1]) : ''), 'messages'],
  [/^\/message\/([^?]+)(?:\?topic=(.*))?$/, m => message(decodeURIComponent(m[1]), m[2] ? decodeURIComponent(m[2]) : ''), 'messages'],
  [/^\/trace\/(.+)$/, m => trace(decodeURIComponent(m[1])), 'messages'],
  [/^\/transactions$/, () => transactions(), 'transactions'],
];

async function route() {
  const path = location.hash.replace(/^#/, '');
  for (const [re, page, nav] of routes) {
    const m = path.match(re);
    if (!m) continue;
    document.querySelectorAll('header nav a').forEach(a => a.classList.toggle('active', a.id === 'nav-' + nav));
    try { await page(m); } catch (e) { main.innerHTML = `<p class="error" id="page-error">${esc(e.message)}</p>`; }
    return;
  }
  main.innerHTML = '<p class="error" id="page-error">no such page</p>';
}

async function whoami() {
  try {
    state.who = await api('whoami');
    document.getElementById('who').textContent = state.who.allowed
      ? (state.who.account ? `signed in as ${state.who.account}` : 'read-only') : state.who.reason;
    document.getElementById('signin').textContent = state.who.account ? 'Sign out' : 'Sign in';
  } catch (e) {
    document.getElementById('who').textContent = e.message;
  }
}

document.getElementById('signin').onclick = () => {
  if (state.who?.account) {
    state.auth = null; sessionStorage.removeItem('quiver.auth'); whoami().then(route); return;
  }
  document.getElementById('signin-dialog').showModal();
};
document.getElementById('signin-form').onsubmit = e => {
  if (e.submitter?.value !== 'ok') return;
  const raw = new TextEncoder().encode(document.getElementById('signin-ak').value + ':' + document.getElementById('signin-sk').value);
  state.auth = btoa(Array.from(raw, b => String.fromCharCode(b)).join(''));
  sessionStorage.setItem('quiver.auth', state.auth);
  whoami().then(route);
};
window.addEventListener('hashchange', route);
whoami().then(route);
