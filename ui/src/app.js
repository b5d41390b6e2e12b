// SPDX-License-Identifier: BSD-3-Clause
// app.js - the console's shell: login with a bearer token, the page list
// (#/dashboard ...), the banner of a commit awaiting confirmation, and a
// confirmation dialog the pages share.  Pages: pages.js, pages_config.js.
import { html, render, useState, useEffect, useCallback } from '/ui/preact-htm.mjs';
import { api, token, whenUnauthorized, describe } from '/ui/api.js';
import { Dashboard, Policy, Services, Connections, Trace, Logs } from '/ui/pages.js';
import { Config } from '/ui/pages_config.js';

const PAGES = [
	['dashboard', 'Dashboard', Dashboard],
	['policy', 'Policy', Policy],
	['services', 'Services', Services],
	['connections', 'Connections', Connections],
	['config', 'Config', Config],
	['trace', 'Trace', Trace],
	['logs', 'Logs', Logs],
];

function currentPage() {
	const name = location.hash.replace(/^#\/?/, '') || 'dashboard';
	return PAGES.find((p) => p[0] === name) ? name : 'dashboard';
}

// A dialog that names the effect before anything is done.  ask(text,
// label) resolves true when the operator confirms.
function useConfirm() {
	const [req, setReq] = useState(null);
	const ask = useCallback((text, label = 'Confirm', danger = true) =>
		new Promise((resolve) => setReq({ text, label, danger, resolve })), []);
	const done = (v) => { req.resolve(v); setReq(null); };
	const dialog = req && html`
		<div class="modal-back" onKeyDown=${(e) => e.key === 'Escape' && done(false)}>
			<div class="modal" role="dialog" aria-modal="true" aria-labelledby="dlg-title" id="confirm-dialog">
				<h2 id="dlg-title">Please confirm</h2>
				<p id="confirm-text">${req.text}</p>
				<div class="row">
					<button id="confirm-cancel" ref=${(el) => el && el.focus()} onClick=${() => done(false)}>Cancel</button>
					<button id="confirm-ok" class=${req.danger ? 'danger' : 'primary'} onClick=${() => done(true)}>${req.label}</button>
				</div>
			</div>
		</div>`;
	return [ask, dialog];
}

function Login({ onLogin, error }) {
	const [value, setValue] = useState('');
	const [msg, setMsg] = useState(error || '');
	const [busy, setBusy] = useState(false);
	const submit = async (e) => {
		e.preventDefault();
		setBusy(true);
		try {
			// Any read proves the token; /status is the cheapest.
			await api('GET', '/status', null, { token: value });
			token.set(value);
			onLogin();
		} catch (err) {
			setMsg(describe(err));
		}
		setBusy(false);
	};
	return html`
		<main class="login card">
			<h1>Sekisho console</h1>
			<p class="muted">Log in with an API bearer token (the <code>management.tokens</code> of the unit's config).
				It is kept in this tab only and sent with each request.</p>
			<form onSubmit=${submit}>
				<label for="token">Bearer token</label>
				<input id="token" type="password" autocomplete="off" required value=${value}
					onInput=${(e) => setValue(e.target.value)} />
				<div class="row"><button id="login" class="primary" type="submit" disabled=${busy}>Log in</button></div>
			</form>
			${msg && html`<div class="msg error" role="alert" id="login-error">${msg}</div>`}
		</main>`;
}

// The commit awaiting confirmation, on every page: the operator who locked
// themselves out of nothing must still be told to confirm.
function ConfirmBanner({ ask }) {
	const [c, setC] = useState(null);
	const [msg, setMsg] = useState('');
	const load = async () => {
		try { setC(await api('GET', '/config/confirm')); } catch (e) { /* shown by pages */ }
	};
	useEffect(() => {
		load();
		const t = setInterval(load, 2000);
		const kick = () => load();
		addEventListener('sekisho-commit', kick);
		return () => { clearInterval(t); removeEventListener('sekisho-commit', kick); };
	}, []);
	useEffect(() => {
		if (!msg) return undefined;
		const t = setTimeout(() => setMsg(''), 8000);
		return () => clearTimeout(t);
	}, [msg]);
	if (!c?.pending)
		return msg ? html`<div class="msg ok" role="status">${msg}</div>` : null;
	const confirm = async () => {
		if (!await ask(`Keep generation ${c.generation}? Without this it rolls back to archive ${c.rollback_to} in ${c.remaining_s} s.`, 'Keep it', false))
			return;
		try {
			const r = await api('POST', '/config/confirm', { generation: c.generation });
			setMsg(`Generation ${r.confirmed} confirmed.`);
		} catch (e) { setMsg(describe(e)); }
		load();
	};
	return html`<div class="msg warn" role="alert" id="confirm-banner">
		Generation <b>${c.generation}</b> (committed by ${c.principal}) rolls back to archive ${c.rollback_to} in <b>${c.remaining_s} s</b> unless confirmed.${' '}
		<button id="confirm-commit" class="primary" onClick=${confirm}>Confirm generation ${c.generation}</button>
	</div>`;
}

function App() {
	const [logged, setLogged] = useState(!!token.get());
	const [page, setPage] = useState(currentPage());
	const [status, setStatus] = useState(null);
	const [why, setWhy] = useState('');
	const [ask, dialog] = useConfirm();

	useEffect(() => {
		const f = () => setPage(currentPage());
		addEventListener('hashchange', f);
		whenUnauthorized((e) => { token.clear(); setWhy(describe(e)); setLogged(false); });
		return () => removeEventListener('hashchange', f);
	}, []);
	useEffect(() => {
		if (!logged)
			return undefined;
		const f = () => api('GET', '/status').then(setStatus, () => {});
		f();
		const t = setInterval(f, 5000);
		return () => clearInterval(t);
	}, [logged]);
	useEffect(() => {
		const p = PAGES.find((x) => x[0] === page);
		document.title = (p ? p[1] + ' - ' : '') + 'Sekisho console';
	}, [page]);

	if (!logged)
		return html`<${Login} error=${why} onLogin=${() => { setWhy(''); setLogged(true); }} />`;
	const logout = () => { token.clear(); setStatus(null); setWhy(''); setLogged(false); };
	const Page = PAGES.find((p) => p[0] === page)[2];
	return html`
		<header class="top">
			<span class="brand">Sekisho</span>
			<span class="unit" id="unit">${status ? `${status.unit} · v${status.version} · generation ${status.generation}` : ''}</span>
			<span class="spacer"></span>
			<button id="logout" onClick=${logout}>Log out</button>
		</header>
		<nav class="pages" aria-label="Pages">
			${PAGES.map(([id, label]) => html`<a href=${'#/' + id} id=${'nav-' + id}
				aria-current=${page === id ? 'page' : undefined}>${label}</a>`)}
		</nav>
		<main>
			<${ConfirmBanner} ask=${ask} />
			<${Page} key=${page} ask=${ask} status=${status} />
		</main>
		${dialog}`;
}

render(html`<${App} />`, document.getElementById('app'));
