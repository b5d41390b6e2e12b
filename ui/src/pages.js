// SPDX-License-Identifier: BSD-3-Clause
// pages.js - the console's read-mostly pages, each over the REST resources
// sekishoctl uses: dashboard (/status /counters /services /ha /logs
// /config/confirm), policy (/rules /lint /exposure), services (/services,
// POST .../backends/{b}), connections (/connections, DELETE), trace
// (/zones, POST /trace), logs (/logs).  The config page: pages_config.js.
import { html, useState, useEffect, useRef } from '/ui/preact-htm.mjs';
import uPlot from '/ui/uplot.mjs';
import { api, query, describe } from '/ui/api.js';

export const fmt = (n) => (n === undefined || n === null) ? '-' :
	typeof n === 'number' ? n.toLocaleString('en-US', { maximumFractionDigits: 1 }) : String(n);
export const rate = (n) => n === null || n === undefined ? '-' :
	n >= 1e9 ? (n / 1e9).toFixed(2) + ' G' : n >= 1e6 ? (n / 1e6).toFixed(2) + ' M' :
	n >= 1e3 ? (n / 1e3).toFixed(1) + ' k' : n.toFixed(n < 10 ? 1 : 0);

// <option>s with the current one selected (a select's own value is set
// before its options exist on the first render).
export const options = (list, cur) => list.map(([v, label]) =>
	html`<option value=${v} selected=${String(v) === String(cur)}>${label ?? v}</option>`);

export function Err({ e }) {
	return e ? html`<div class="msg error" role="alert">${describe(e)}</div>` : null;
}

// Poll fn every ms while the page is shown; [data, error, reload].
export function usePoll(fn, ms, deps = []) {
	const [data, setData] = useState(null);
	const [err, setErr] = useState(null);
	const [tick, setTick] = useState(0);
	useEffect(() => {
		let live = true;
		const run = () => fn().then((d) => { if (live) { setData(d); setErr(null); } },
			(e) => { if (live) setErr(e); });
		run();
		const t = ms ? setInterval(run, ms) : null;
		return () => { live = false; if (t) clearInterval(t); };
	}, [...deps, tick]);
	return [data, err, () => setTick((x) => x + 1)];
}

// A uPlot line chart of series over time: data = [[t...], [s1...], ...].
function Chart({ title, series, data, id }) {
	const el = useRef(null);
	const plot = useRef(null);
	useEffect(() => {
		const width = Math.max(240, el.current.clientWidth - 4);
		plot.current = new uPlot({
			width, height: 160, title,
			scales: { x: { time: true } },
			series: [{}, ...series.map((s, i) => ({ label: s, stroke: ['#0b5cad', '#c2410c', '#a40e26', '#116329'][i % 4], width: 2 }))],
			axes: [{}, { size: 60, values: (u, v) => v.map((x) => rate(x)) }],
		}, data, el.current);
		const ro = new ResizeObserver(() => plot.current.setSize({ width: Math.max(240, el.current.clientWidth - 4), height: 160 }));
		ro.observe(el.current);
		return () => { ro.disconnect(); plot.current.destroy(); };
	}, []);
	useEffect(() => { plot.current && plot.current.setData(data); }, [data]);
	return html`<div class="chart" id=${id} ref=${el} role="img" aria-label=${title}></div>`;
}

const sumPorts = (ports, key) => Object.values(ports || {}).reduce((a, p) => a + (p[key] || 0), 0);
const sumObj = (o) => Object.values(o || {}).reduce((a, v) => a + (typeof v === 'number' ? v : 0), 0);

// Rates from two samples of the counters document.
function rates(prev, cur, dt) {
	const d = (f) => Math.max(0, (f(cur) - f(prev)) / dt);
	return {
		pin: d((c) => sumPorts(c.ports, 'rx_pkts')), pout: d((c) => sumPorts(c.ports, 'tx_pkts')),
		bin: d((c) => sumPorts(c.ports, 'rx_bytes') * 8), bout: d((c) => sumPorts(c.ports, 'tx_bytes') * 8),
		drops: d((c) => sumObj(c.drops)),
	};
}

const HISTORY = 90;

export function Dashboard() {
	const [status, statusErr] = usePoll(() => api('GET', '/status'), 2000);
	const [ha] = usePoll(() => api('GET', '/ha').catch(() => null), 5000);
	const [svcs] = usePoll(() => api('GET', '/services').catch(() => null), 5000);
	const [rules] = usePoll(() => api('GET', '/rules').catch(() => null), 2000);
	const [logs] = usePoll(() => api('GET', '/logs?limit=8').catch(() => null), 3000);
	const [cur, setCur] = useState(null);
	const [err, setErr] = useState(null);
	const hist = useRef({ t: [], pin: [], pout: [], bin: [], bout: [], drops: [], reasons: {} });
	const prev = useRef(null);
	const [, bump] = useState(0);

	useEffect(() => {
		let live = true;
		const run = async () => {
			try {
				const c = await api('GET', '/counters');
				const now = Date.now() / 1000;
				if (!live) return;
				if (prev.current) {
					const r = rates(prev.current.c, c, now - prev.current.t);
					const h = hist.current;
					h.t.push(now);
					for (const k of ['pin', 'pout', 'bin', 'bout', 'drops']) h[k].push(r[k]);
					for (const [reason, v] of Object.entries(c.drops || {}))
						h.reasons[reason] = Math.max(0, (v - ((prev.current.c.drops || {})[reason] || 0)) / (now - prev.current.t));
					if (h.t.length > HISTORY) for (const k of ['t', 'pin', 'pout', 'bin', 'bout', 'drops']) h[k].shift();
				}
				prev.current = { c, t: now };
				setCur(c);
				setErr(null);
				bump((x) => x + 1);
			} catch (e) { if (live) setErr(e); }
		};
		run();
		const t = setInterval(run, 1000);
		return () => { live = false; clearInterval(t); };
	}, []);

	const h = hist.current;
	const last = (a) => a.length ? a[a.length - 1] : null;
	const conns = cur?.conns || {};
	const down = [];
	for (const s of svcs?.services || [])
		for (const b of s.backends || []) {
			const rt = b.runtime || {};
			if (rt.health === 'down' || (rt.admin && rt.admin !== 'up'))
				down.push({ svc: s.name, b: b.name, health: rt.health, admin: rt.admin });
		}
	const up = status?.dataplane?.attached;
	const haTxt = !ha || ha.enabled === false ? 'standalone' :
		`${ha.role} (unit ${ha.unit}); peer ${ha.peer?.alive ? ha.peer.role : 'not seen'}`;
	const drops = Object.entries(cur?.drops || {}).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
	const topRules = [...(rules?.rules || [])].sort((a, b) => b.pkts - a.pkts).slice(0, 8);
	return html`
		<h1>Dashboard</h1>
		<${Err} e=${statusErr || err} />
		<div class="grid">
			<div class="card" id="health-card">
				<h2>Health</h2>
				<div class="kpi ${up ? 'ok' : 'bad'}" id="dp-state">${status ? (up ? 'Forwarding' : 'Dataplane not attached') : '…'}</div>
				<div>Unit <b id="dash-unit">${status?.unit}</b>, version ${status?.version}</div>
				<div>Uptime ${status ? Math.floor(status.uptime_s / 3600) + ' h ' + Math.floor(status.uptime_s % 3600 / 60) + ' min' : '-'}</div>
				<div>Running generation <b id="dash-generation">${status?.generation}</b></div>
				<div>HA: <span id="dash-ha">${haTxt}</span></div>
			</div>
			<div class="card">
				<h2>Traffic now</h2>
				<div>In <b id="pps-in">${rate(last(h.pin))}</b> pps, <b>${rate(last(h.bin))}</b>bit/s</div>
				<div>Out <b id="pps-out">${rate(last(h.pout))}</b> pps, <b>${rate(last(h.bout))}</b>bit/s</div>
				<div class=${last(h.drops) > 0 ? 'bad' : ''}>Drops <b id="drops-rate">${rate(last(h.drops))}</b> /s</div>
			</div>
			<div class="card">
				<h2>Connections</h2>
				<div class="kpi"><span id="conn-count">${fmt(conns.active)}</span>
					<span class="muted"> / ${fmt(conns.capacity)}</span></div>
				<div class="muted">${conns.capacity ? (100 * conns.active / conns.capacity).toFixed(1) + ' % of capacity' : ''}</div>
				<div>created ${fmt(conns.created)}, refused ${fmt(conns.refused)}</div>
			</div>
			<div class="card">
				<h2>Backends down or out</h2>
				${down.length === 0 ? html`<div class="ok" id="backends-down">none</div>` :
					html`<ul id="backends-down">${down.map((d) => html`<li class="bad">${d.svc}/${d.b}: ${d.health}, ${d.admin}</li>`)}</ul>`}
			</div>
		</div>
		<div class="split">
			<div class="card"><${Chart} id="chart-pps" title="Packets/s" series=${['in', 'out']} data=${[h.t, h.pin, h.pout]} /></div>
			<div class="card"><${Chart} id="chart-drops" title="Drops/s" series=${['drops']} data=${[h.t, h.drops]} /></div>
		</div>
		<div class="split">
			<div class="card">
				<h2>Drops by reason</h2>
				<table id="drops-table"><thead><tr><th>reason</th><th class="num">total</th><th class="num">per s</th></tr></thead>
				<tbody>${drops.length ? drops.map(([r, v]) => html`<tr><td>${r}</td><td class="num">${fmt(v)}</td><td class="num">${rate(h.reasons[r] || 0)}</td></tr>`) :
					html`<tr><td colspan="3" class="muted">no drops</td></tr>`}</tbody></table>
				<p class="muted">Top denied sources: not reported by this version of the API.</p>
			</div>
			<div class="card">
				<h2>Busiest rules</h2>
				<table id="dash-rules"><thead><tr><th>rule</th><th>action</th><th class="num">packets</th></tr></thead>
				<tbody>${topRules.map((r) => html`<tr data-rule=${r.name}><td>${r.name}</td><td>${r.action}</td><td class="num rule-pkts">${r.pkts}</td></tr>`)}</tbody></table>
			</div>
		</div>
		<div class="card">
			<h2>Recent log lines</h2>
			<${LogTable} lines=${(logs?.lines || []).slice(-8)} />
		</div>`;
}

// ---- policy ----

export function Policy() {
	const [rules, err] = usePoll(() => api('GET', '/rules'), 3000);
	const [lint] = usePoll(() => api('GET', '/lint').catch((e) => ({ error: e })), 0);
	const [expo] = usePoll(() => api('GET', '/exposure').catch((e) => ({ error: e })), 0);
	const prev = useRef({});
	const rateOf = useRef({});
	if (rules) {
		const now = Date.now() / 1000;
		for (const r of rules.rules) {
			const p = prev.current[r.name];
			if (p && now > p.t + 0.5) {
				rateOf.current[r.name] = Math.max(0, (r.pkts - p.pkts) / (now - p.t));
				prev.current[r.name] = { pkts: r.pkts, t: now };
			} else if (!p) prev.current[r.name] = { pkts: r.pkts, t: now };
		}
	}
	const findings = {};
	for (const f of lint?.findings || [])
		for (const r of f.rules || [])
			(findings[r.name] = findings[r.name] || []).push(f);
	const list = (a) => (a || []).join(', ') || 'any';
	return html`
		<h1>Policy</h1>
		<${Err} e=${err} />
		<p class="muted">Generation ${rules?.generation}; rules are matched in this order, first match wins.
			${rules && !rules.counters ? ' (no counters: dataplane not attached)' : ''}</p>
		<div class="scroll"><table id="rules-table">
			<thead><tr><th>#</th><th>rule</th><th>from → to</th><th>proto</th><th>source</th><th>destination</th><th>ports</th><th>action</th><th class="num">packets</th><th class="num">bytes</th><th class="num">pkt/s</th></tr></thead>
			<tbody>${(rules?.rules || []).map((r) => html`
				<tr data-rule=${r.name}>
					<td>${r.id}</td><td><b>${r.name}</b> <span class="muted">line ${r.line}</span></td>
					<td>${r.from} → ${r.to}</td><td>${r.proto}</td><td>${list(r.src)}</td><td>${list(r.dst)}</td>
					<td>${list(r.dport)}</td>
					<td><span class="badge ${r.action === 'accept' ? 'ok' : 'bad'}">${r.action}</span>${r.log ? ' log' : ''}</td>
					<td class="num rule-pkts">${r.pkts}</td><td class="num">${fmt(r.bytes)}</td>
					<td class="num">${rate(rateOf.current[r.name] || 0)}</td>
				</tr>
				${(findings[r.name] || []).map((f) => html`<tr class="finding"><td></td><td colspan="10">⚠ ${f.severity} ${f.kind}: ${f.message}</td></tr>`)}`)}
			</tbody></table></div>
		<h2>Lint</h2>
		${lint?.error ? html`<${Err} e=${lint.error} />` : html`<p id="lint-summary">${(lint?.findings || []).length} finding(s)${lint?.untrusted_zones ? '; untrusted zones: ' + lint.untrusted_zones.join(', ') : ''}.</p>`}
		<h2>Zone defaults and exposure</h2>
		${expo?.error ? html`<${Err} e=${expo.error} />` : html`<div class="scroll"><table id="exposure-table">
			<thead><tr><th>from</th><th>to</th><th>default</th><th>accepted by</th></tr></thead>
			<tbody>${(expo?.pairs || []).map((p) => html`<tr><td>${p.from}</td><td>${p.to}</td>
				<td>${p.default}${p.default_explicit ? '' : ' (implicit)'}</td>
				<td>${(p.accepted || []).map((a) => a.by === 'rule' ? a.rule?.name : 'default').filter((v, i, s) => s.indexOf(v) === i).join(', ') || html`<span class="muted">nothing</span>`}${p.complete === false ? ' (incomplete)' : ''}</td></tr>`)}</tbody></table></div>`}`;
}

// ---- services ----

const EFFECT = {
	enable: 'takes new connections again',
	drain: 'keeps its current connections but takes no new ones',
	disable: 'is taken out of service: its connections are dropped',
};

export function Services({ ask }) {
	const [doc, err, reload] = usePoll(() => api('GET', '/services'), 3000);
	const [msg, setMsg] = useState(null);
	const act = async (svc, b, body) => {
		const what = body.action ? `Backend ${b.name} of ${svc.name} ${EFFECT[body.action]}.` :
			`Backend ${b.name} of ${svc.name} gets weight ${body.weight} (now ${b.runtime?.weight ?? b.weight})${body.weight === 0 ? ': no new connections' : ''}.`;
		if (!await ask(what + ' Until a commit changes this backend.', body.action ? body.action[0].toUpperCase() + body.action.slice(1) : 'Set weight'))
			return;
		try {
			const r = await api('POST', `/services/${encodeURIComponent(svc.name)}/backends/${encodeURIComponent(b.name)}`, body);
			setMsg({ ok: true, text: `${svc.name}/${b.name}: admin ${r.runtime?.admin}, weight ${r.runtime?.weight}` });
		} catch (e) { setMsg({ ok: false, text: describe(e) }); }
		reload();
	};
	const weight = async (svc, b) => {
		const v = prompt(`New weight for ${svc.name}/${b.name} (0 to 65535):`, String(b.runtime?.weight ?? b.weight));
		if (v === null) return;
		const n = Number(v);
		if (!Number.isInteger(n) || n < 0 || n > 65535) { setMsg({ ok: false, text: 'weight is 0 to 65535' }); return; }
		act(svc, b, { weight: n });
	};
	return html`
		<h1>Services</h1>
		<${Err} e=${err} />
		${msg && html`<div class="msg ${msg.ok ? 'ok' : 'error'}" role="status" id="svc-msg">${msg.text}</div>`}
		${doc && !doc.runtime ? html`<div class="msg warn">No run-time view: ${doc.runtime_error}</div>` : null}
		${(doc?.services || []).map((s) => html`
			<div class="card" data-service=${s.name}>
				<h2>${s.name} <span class="muted">${s.vip}:${s.port}/${s.proto}, ${s.scheduler}, ${s.forward}</span></h2>
				<div class="muted">${s.totals ? `${s.totals.serving} of ${s.totals.backends} serving, ${s.totals.active} active connections` : ''}</div>
				<div class="scroll"><table>
					<thead><tr><th>backend</th><th>address</th><th>health</th><th>admin</th><th class="num">weight</th><th class="num">active</th><th class="num">conns</th><th>actions</th></tr></thead>
					<tbody>${(s.backends || []).map((b) => html`
						<tr data-backend=${b.name}>
							<td><b>${b.name}</b></td><td>${b.address}:${b.port || '*'}</td>
							<td><span class="badge ${b.runtime?.health === 'up' ? 'ok' : 'bad'}">${b.runtime?.health ?? '-'}</span></td>
							<td class="admin">${b.runtime?.admin ?? b.state}</td>
							<td class="num">${b.runtime?.weight ?? b.weight}</td>
							<td class="num">${fmt(b.runtime?.active)}</td><td class="num">${fmt(b.runtime?.conns)}</td>
							<td class="row">
								<button class="act-enable" onClick=${() => act(s, b, { action: 'enable' })}>Enable</button>
								<button class="act-drain" onClick=${() => act(s, b, { action: 'drain' })}>Drain</button>
								<button class="act-disable" onClick=${() => act(s, b, { action: 'disable' })}>Disable</button>
								<button class="act-weight" onClick=${() => weight(s, b)}>Weight…</button>
							</td>
						</tr>`)}</tbody></table></div>
			</div>`)}
		${doc && !(doc.services || []).length ? html`<p class="muted">No services in the running config.</p>` : null}`;
}

// ---- connections ----

const PAGE = 50;

export function Connections({ ask }) {
	const [f, setF] = useState({ src: '', dst: '', proto: '', port: '', rule: '' });
	const [applied, setApplied] = useState(f);
	const [page, setPage] = useState(0);
	const [msg, setMsg] = useState(null);
	const [doc, err, reload] = usePoll(() => api('GET', '/connections' + query({ ...applied, limit: (page + 1) * PAGE + 1 })), 5000, [applied, page]);
	const [count] = usePoll(() => api('GET', '/connections/count' + query(applied)), 5000, [applied]);
	const set = (k) => (e) => setF({ ...f, [k]: e.target.value });
	const rows = (doc?.connections || []).slice(page * PAGE, (page + 1) * PAGE);
	const more = (doc?.connections || []).length > (page + 1) * PAGE;
	const filtered = Object.values(applied).some((v) => v !== '');
	const kill = async () => {
		const n = count?.count ?? '?';
		const words = Object.entries(applied).filter(([, v]) => v !== '').map(([k, v]) => `${k} ${v}`).join(', ');
		if (!await ask(filtered ? `Kill the ${n} connection(s) matching ${words}? Their packets will need a new connection through the policy.` :
			`Kill ALL ${n} connections of the unit? Every flow through it must start again.`, 'Kill'))
			return;
		try {
			const r = await api('DELETE', '/connections' + query(filtered ? applied : { all: 1 }));
			setMsg({ ok: true, text: `${r.killed} connection(s) killed` });
		} catch (e) { setMsg({ ok: false, text: describe(e) }); }
		reload();
	};
	return html`
		<h1>Connections</h1>
		<form class="row" onSubmit=${(e) => { e.preventDefault(); setPage(0); setApplied(f); }}>
			<label>Source (CIDR)<input id="f-src" value=${f.src} onInput=${set('src')} size="16" /></label>
			<label>Destination (CIDR)<input id="f-dst" value=${f.dst} onInput=${set('dst')} size="16" /></label>
			<label>Protocol<select id="f-proto" onChange=${set('proto')}>
				${options([['', 'any'], ['tcp'], ['udp'], ['icmp'], ['icmpv6']], f.proto)}</select></label>
			<label>Port<input id="f-port" value=${f.port} onInput=${set('port')} size="6" inputmode="numeric" /></label>
			<label>Rule id<input id="f-rule" value=${f.rule} onInput=${set('rule')} size="5" inputmode="numeric" /></label>
			<button class="primary" type="submit" id="f-apply">Filter</button>
			<button type="button" class="danger" id="kill" onClick=${kill}>Kill ${filtered ? 'matching' : 'all'}…</button>
		</form>
		<${Err} e=${err} />
		${msg && html`<div class="msg ${msg.ok ? 'ok' : 'error'}" role="status" id="conn-msg">${msg.text}</div>`}
		<p><span id="conn-total">${fmt(count?.count)}</span> connection(s) match; showing ${rows.length ? page * PAGE + 1 : 0}–${page * PAGE + rows.length}.</p>
		<div class="scroll"><table id="conn-table">
			<thead><tr><th>proto</th><th>source</th><th>destination</th><th>state</th><th>in → out</th><th>rule</th><th class="num">pkts →/←</th><th class="num">bytes →/←</th><th class="num">idle ms</th></tr></thead>
			<tbody>${rows.map((c) => html`<tr><td>${c.proto}</td><td>${c.src}:${c.sport}</td><td>${c.dst}:${c.dport}</td><td>${c.state}</td>
				<td>${c.in ?? c.in_iface} → ${c.out ?? c.out_iface}</td><td>${c.rule ?? c.rule_id}</td>
				<td class="num">${c.pkts_orig}/${c.pkts_reply}</td><td class="num">${fmt(c.bytes_orig)}/${fmt(c.bytes_reply)}</td><td class="num">${c.idle_ms}</td></tr>`)}</tbody></table></div>
		<div class="row"><button disabled=${page === 0} onClick=${() => setPage(page - 1)}>Previous</button>
			<button disabled=${!more} onClick=${() => setPage(page + 1)}>Next</button></div>`;
}

// ---- trace ----

export function Trace() {
	const [zones] = usePoll(() => api('GET', '/zones'), 0);
	const [p, setP] = useState({ from: '', src: '', dst: '', proto: 'tcp', sport: '', dport: '', flags: 'S' });
	const [res, setRes] = useState(null);
	const [err, setErr] = useState(null);
	const set = (k) => (e) => setP({ ...p, [k]: e.target.value });
	const run = async (e) => {
		e.preventDefault();
		const body = { src: p.src, dst: p.dst, proto: p.proto };
		const [kind, name] = p.from.split(':');
		body[kind === 'if' ? 'in' : 'from'] = name;
		for (const k of ['sport', 'dport']) if (p[k] !== '') body[k] = Number(p[k]);
		if (p.proto === 'tcp' && p.flags) body.flags = p.flags;
		try { setRes(await api('POST', '/trace', body)); setErr(null); } catch (x) { setErr(x); setRes(null); }
	};
	const zs = (zones?.zones || []).filter((z) => z.name !== 'local');
	if (zones && p.from === '' && zs.length) setP({ ...p, from: 'zone:' + zs[0].name });
	const pol = res?.policy;
	return html`
		<h1>Trace a packet</h1>
		<p class="muted">What the running policy (generation ${zones?.generation}) does with one packet: no traffic is sent.</p>
		<form class="row" onSubmit=${run}>
			<label>Arrives on<select id="t-from" onChange=${set('from')}>
				${options([...zs.map((z) => ['zone:' + z.name, 'zone ' + z.name]),
					...(zones?.interfaces || []).map((i) => ['if:' + i.name, 'interface ' + i.name])], p.from)}</select></label>
			<label>Source<input id="t-src" required value=${p.src} onInput=${set('src')} size="16" /></label>
			<label>Destination<input id="t-dst" required value=${p.dst} onInput=${set('dst')} size="16" /></label>
			<label>Protocol<select id="t-proto" onChange=${set('proto')}>
				${options([['tcp'], ['udp'], ['icmp'], ['icmpv6']], p.proto)}</select></label>
			<label>Source port<input id="t-sport" value=${p.sport} onInput=${set('sport')} size="6" inputmode="numeric" /></label>
			<label>Destination port<input id="t-dport" value=${p.dport} onInput=${set('dport')} size="6" inputmode="numeric" /></label>
			<label>TCP flags<input id="t-flags" value=${p.flags} onInput=${set('flags')} size="4" /></label>
			<button class="primary" id="t-run" type="submit">Trace</button>
		</form>
		<${Err} e=${err} />
		${res && html`<div class="card" id="trace-result">
			<h2>Verdict: <span id="t-decision" class=${res.decision === 'drop' ? 'bad' : 'ok'}>${res.decision}</span>
				${res.drop_reason ? html` <span class="muted">(${res.drop_reason})</span>` : ''}</h2>
			<table><tbody>
				<tr><th>rule</th><td id="t-rule">${pol?.rule ? `${pol.rule.name} (id ${pol.rule.id}, line ${pol.rule.line})` : pol?.default ? `zone default ${pol.default.from} → ${pol.default.to}` : '-'}</td></tr>
				<tr><th>action</th><td id="t-action">${pol?.action ?? '-'}</td></tr>
				<tr><th>route</th><td>${res.route ? `${res.route.egress_interface} (zone ${res.route.egress_zone}) via ${res.route.next_hop}` : res.local ? 'to the unit itself' : '-'}</td></tr>
				<tr><th>service</th><td>${res.service ? `${res.service.name} ${res.service.vip}` : '-'}</td></tr>
				<tr><th>backend</th><td>${res.backend ? `${res.backend.name} ${res.backend.address}:${res.backend.port}` : '-'}</td></tr>
				<tr><th>NAT</th><td>${res.nat ? `${res.nat.dst}${res.nat.src ? '; ' + res.nat.src : ''}` : '-'}</td></tr>
			</tbody></table>
			<h2>Steps</h2><ol id="t-steps">${(res.steps || []).map((s) => html`<li>${s}</li>`)}</ol>
		</div>`}`;
}

// ---- logs ----

function LogTable({ lines }) {
	return html`<div class="scroll"><table class="logs"><thead><tr><th>time</th><th>kind</th><th>what</th></tr></thead>
		<tbody>${lines.map((l) => {
			const { ts, kind, event, text, ...rest } = l;
			return html`<tr><td>${ts || ''}</td><td>${event || kind || ''}</td>
				<td>${text || Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`).join(' ')}</td></tr>`;
		})}</tbody></table></div>`;
}

export function Logs() {
	const [limit, setLimit] = useState(200);
	const [filter, setFilter] = useState('');
	const [kind, setKind] = useState('');
	const [follow, setFollow] = useState(true);
	const [doc, err] = usePoll(() => api('GET', '/logs' + query({ limit })), follow ? 2000 : 0, [limit, follow]);
	const lines = (doc?.lines || []).filter((l) => (!kind || (l.event || l.kind) === kind) &&
		(!filter || JSON.stringify(l).toLowerCase().includes(filter.toLowerCase()))).reverse();
	const kinds = [...new Set((doc?.lines || []).map((l) => l.event || l.kind).filter(Boolean))].sort();
	return html`
		<h1>Logs</h1>
		<div class="row">
			<label>Contains<input id="l-filter" value=${filter} onInput=${(e) => setFilter(e.target.value)} /></label>
			<label>Kind<select id="l-kind" onChange=${(e) => setKind(e.target.value)}>
				${options([['', 'all'], ...kinds.map((k) => [k])], kind)}</select></label>
			<label>Last<select onChange=${(e) => setLimit(Number(e.target.value))}>
				${options([[50], [200], [1000]], limit)}</select></label>
			<label class="inline"><input type="checkbox" checked=${follow} onChange=${(e) => setFollow(e.target.checked)} /> follow</label>
		</div>
		<${Err} e=${err} />
		<p class="muted">${lines.length} line(s), newest first.</p>
		<${LogTable} lines=${lines} />`;
}
