// SPDX-License-Identifier: BSD-3-Clause
// pages_config.js - the config page: the running text, a candidate
// editor, validate (errors at their line), diff against the running
// config, commit naming the generation it replaces (with confirmation by
// default when the management section changes), archives with view, diff,
// rollback and export, and import of a bundle.
import { html, useState, useEffect, useRef } from '/ui/preact-htm.mjs';
import { api, describe } from '/ui/api.js';
import { Err, usePoll } from '/ui/pages.js';

function Diff({ text, id }) {
	if (text === null) return null;
	if (text === '') return html`<p class="muted" id=${id}>No differences.</p>`;
	return html`<pre class="code" id=${id}>${text.split('\n').map((l) => html`<span class=${l.startsWith('@@') ? 'hunk' :
		l.startsWith('+') && !l.startsWith('+++') ? 'add' : l.startsWith('-') && !l.startsWith('---') ? 'del' : ''}>${l}\n</span>`)}</pre>`;
}

// A textarea with line numbers; lines in bad are marked.
function Editor({ value, onInput, bad, taRef }) {
	const gutter = useRef(null);
	const n = value.split('\n').length;
	const sync = (e) => { gutter.current.scrollTop = e.target.scrollTop; };
	return html`<div class="editor">
		<pre class="gutter" ref=${gutter} aria-hidden="true">${Array.from({ length: n }, (_, i) =>
			html`<span class=${bad.has(i + 1) ? 'err' : ''} data-line=${i + 1}>${i + 1}</span>`)}</pre>
		<textarea id="candidate" ref=${taRef} aria-label="Candidate config" spellcheck="false" value=${value}
			onInput=${(e) => onInput(e.target.value)} onScroll=${sync}></textarea>
	</div>`;
}

// Does a diff touch the management section (tokens, admin networks, the
// listen address)?  Then a mistake may cut the operator off.
const touchesManagement = (diff) => /^[-+](?![-+]).*\b(management|admin_networks|tokens|listen)\b/m.test(diff) ||
	/^@@.*management/m.test(diff);

export function Config({ ask }) {
	const [running, runErr, reloadRunning] = usePoll(() => api('GET', '/config'), 0);
	const [archives, arcErr, reloadArchives] = usePoll(() => api('GET', '/config/archives'), 0);
	const [text, setText] = useState(null);
	const [base, setBase] = useState(null);           // the generation the candidate replaces
	const [errors, setErrors] = useState([]);
	const [msg, setMsg] = useState(null);
	const [diff, setDiff] = useState(null);
	const [confirmOn, setConfirmOn] = useState(false);
	const [within, setWithin] = useState(120);
	const [view, setView] = useState(null);
	const ta = useRef(null);

	useEffect(() => {
		if (running && text === null) { setText(running.text); setBase(running.generation); }
	}, [running]);
	const stale = running && base !== null && running.generation !== base;
	const say = (ok, t) => setMsg({ ok, text: t });
	const shown = (e) => {
		const list = e?.details?.errors || [];
		setErrors(list);
		say(false, describe(e));
	};
	const goLine = (line) => {
		const el = ta.current;
		if (!el || !line) return;
		const lines = el.value.split('\n');
		const start = lines.slice(0, line - 1).reduce((a, l) => a + l.length + 1, 0);
		el.focus();
		el.setSelectionRange(start, start + (lines[line - 1] || '').length);
		el.scrollTop = Math.max(0, (line - 5) * 18.2);
	};
	const validate = async () => {
		try {
			const r = await api('POST', '/config/validate', text, { type: 'text/plain' });
			setErrors([]);
			say(true, `Valid: ${r.summary?.zones} zones, ${r.summary?.interfaces} interfaces, ${r.summary?.rules} rules.`);
			return true;
		} catch (e) { shown(e); return false; }
	};
	const showDiff = async () => {
		try {
			const r = await api('POST', '/config/diff', { text });
			setDiff(r.diff);
			if (touchesManagement(r.diff)) setConfirmOn(true);
			return r.diff;
		} catch (e) { shown(e); return null; }
	};
	const commit = async () => {
		if (!await validate()) return;
		const d = await showDiff();
		if (d === null) return;
		if (d === '') { say(false, 'Nothing to commit: the candidate is the running config.'); return; }
		const mgmt = touchesManagement(d);
		const conf = confirmOn || mgmt;
		if (!await ask(`Commit this candidate, replacing generation ${base}?` +
			(conf ? ` Unless you confirm within ${within} s, the unit rolls back by itself.` : '') +
			(mgmt ? ' It changes the management section.' : ''), 'Commit'))
			return;
		const body = { text, replaces: base };
		if (conf) body.confirm_within = Number(within);
		try {
			const r = await api('POST', '/config/commit', body);
			setErrors([]);
			say(true, `Committed: generation ${r.generation} runs (replaced ${base}, built in ${r.build_ms?.toFixed(1)} ms)` +
				(r.confirm ? `; confirm within ${r.confirm.remaining_s} s or it rolls back to archive ${r.confirm.rollback_to}` : '') +
				(r.warning ? '; warning: ' + r.warning : ''));
			setBase(r.generation);
			setDiff(null);
			dispatchEvent(new Event('sekisho-commit'));
			reloadRunning();
			reloadArchives();
		} catch (e) {
			if (e.code === 'stale_generation')
				say(false, `Stale: this candidate replaces generation ${base}, but generation ${e.details?.running ?? '?'} runs now. Reload the running config, or diff first.`);
			else shown(e);
		}
	};
	const reset = () => { setText(running.text); setBase(running.generation); setErrors([]); setDiff(null); setMsg(null); };
	const rollback = async (a) => {
		if (!await ask(`Roll back to the config of archive ${a.generation} (${new Date(a.time * 1000).toISOString()}, by ${a.principal})? It becomes a new generation replacing ${running.generation}.`, 'Roll back'))
			return;
		try {
			const r = await api('POST', '/config/rollback', { generation: a.generation, replaces: running.generation });
			say(true, `Rolled back: generation ${r.generation} runs archive ${a.generation}'s config.`);
			dispatchEvent(new Event('sekisho-commit'));
			reloadRunning(); reloadArchives();
			setText(null);
		} catch (e) { shown(e); }
	};
	const archDiff = async (a) => {
		try { const r = await api('POST', '/config/diff', { from: a.generation }); setView({ title: `archive ${a.generation} → running`, diff: r.diff }); } catch (e) { shown(e); }
	};
	const archShow = async (a) => {
		try { const r = await api('GET', `/config/archives/${a.generation}`); setView({ title: `archive ${a.generation}`, text: r.text }); } catch (e) { shown(e); }
	};
	const archExport = async (a) => {
		try {
			const resp = await api('GET', `/config/archives/${a.generation}/export`, null, { raw: true });
			const url = URL.createObjectURL(await resp.blob());
			const link = document.createElement('a');
			link.href = url;
			link.download = `sekisho-archive-${a.generation}.bundle`;
			link.click();
			setTimeout(() => URL.revokeObjectURL(url), 1000);
		} catch (e) { shown(e); }
	};
	const importFile = async (e) => {
		const file = e.target.files[0];
		if (!file) return;
		const andCommit = await ask(`Import ${file.name}: archive it and install its keys. Also commit it now (replacing generation ${running.generation})?`, 'Import and commit', true);
		try {
			const r = await api('POST', '/config/archives/import' + (andCommit ? `?commit=1&replaces=${running.generation}` : ''),
				await file.arrayBuffer(), { type: 'application/octet-stream' });
			say(true, r.committed ? `Imported and committed as generation ${r.generation}.` : `Imported as archive ${r.archived} (${r.keys} keys).`);
			reloadRunning(); reloadArchives();
		} catch (x) { shown(x); }
		e.target.value = '';
	};
	const bad = new Set(errors.map((x) => x.line).filter(Boolean));
	return html`
		<h1>Config</h1>
		<${Err} e=${runErr || arcErr} />
		<p>Running generation <b id="cfg-running">${running?.generation}</b>${running?.source ? ` (started from ${running.source})` : ''}.
			The candidate replaces generation <b id="cfg-base">${base}</b>${stale ? html` <span class="badge bad" id="cfg-stale">stale: ${running.generation} runs now</span>` : ''}.</p>
		${text !== null && html`<${Editor} value=${text} onInput=${setText} bad=${bad} taRef=${ta} />`}
		<div class="row">
			<button id="cfg-validate" onClick=${validate}>Validate</button>
			<button id="cfg-diff" onClick=${showDiff}>Diff against running</button>
			<label class="inline"><input type="checkbox" id="cfg-confirm" checked=${confirmOn} onChange=${(e) => setConfirmOn(e.target.checked)} />
				roll back unless confirmed within</label>
			<input type="number" min="10" max="86400" value=${within} size="5" aria-label="seconds to confirm" onInput=${(e) => setWithin(e.target.value)} /> s
			<button id="cfg-commit" class="primary" onClick=${commit}>Commit…</button>
			<button id="cfg-reset" onClick=${reset}>Reload running</button>
		</div>
		${msg && html`<div class="msg ${msg.ok ? 'ok' : 'error'}" role="status" id="cfg-msg">${msg.text}</div>`}
		${errors.length > 0 && html`<ul class="errors" id="cfg-errors">${errors.map((x) => html`<li>
			<button onClick=${() => goLine(x.line)}>${x.file || 'candidate'}${x.line ? ':' + x.line : ''}</button>: ${x.message}</li>`)}</ul>`}
		<${Diff} text=${diff} id="cfg-difftext" />
		<h2>Archives</h2>
		<div class="row"><label>Import a bundle<input type="file" id="cfg-import" onChange=${importFile} /></label></div>
		<div class="scroll"><table id="archives">
			<thead><tr><th>generation</th><th>time</th><th>by</th><th>source</th><th></th></tr></thead>
			<tbody>${(archives?.archives || []).map((a) => html`<tr data-gen=${a.generation}>
				<td>${a.generation}${a.running ? html` <span class="badge ok">running</span>` : ''}${a.corrupt ? html` <span class="badge bad">corrupt</span>` : ''}</td>
				<td>${new Date(a.time * 1000).toISOString().replace('T', ' ').slice(0, 19)}</td><td>${a.principal}</td><td>${a.source}</td>
				<td class="row"><button onClick=${() => archShow(a)}>View</button><button onClick=${() => archDiff(a)}>Diff</button>
					<button disabled=${a.running || a.corrupt} class="arch-rollback" onClick=${() => rollback(a)}>Roll back…</button>
					<button onClick=${() => archExport(a)}>Export</button></td></tr>`)}</tbody></table></div>
		${view && html`<div class="card"><h2>${view.title} <button onClick=${() => setView(null)}>Close</button></h2>
			${view.diff !== undefined ? html`<${Diff} text=${view.diff} />` : html`<pre class="code">${view.text}</pre>`}</div>`}`;
}
