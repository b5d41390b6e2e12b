// SPDX-License-Identifier: BSD-3-Clause
// api.js - the console's only way to the unit: the REST API under /api/v1
// with the operator's bearer token.  The token lives in sessionStorage
// (gone when the tab closes; never in a URL or a cookie).
const KEY = 'sekisho.token';

export class ApiError extends Error {
	constructor(status, code, message, details) {
		super(message);
		this.status = status;
		this.code = code;
		this.details = details || {};
	}
}

export const token = {
	get: () => sessionStorage.getItem(KEY),
	set: (t) => sessionStorage.setItem(KEY, t),
	clear: () => sessionStorage.removeItem(KEY),
};

// Listeners told when the API refuses the token (401): the app logs out.
const onUnauthorized = new Set();
export const whenUnauthorized = (fn) => onUnauthorized.add(fn);

// api('GET', '/status'); api('POST', '/config/commit', {...});
// api('POST', '/config/validate', 'text', {type: 'text/plain'});
// {raw: true} gives the Response (export downloads).
export async function api(method, path, body, opts = {}) {
	const headers = { Authorization: 'Bearer ' + (opts.token || token.get() || '') };
	let payload;
	if (body !== undefined && body !== null) {
		if (opts.type) {
			headers['Content-Type'] = opts.type;
			payload = body;
		} else {
			headers['Content-Type'] = 'application/json';
			payload = JSON.stringify(body);
		}
	}
	let resp;
	// A read is tried again when the network failed under it (the browser
	// aborts requests when the host's interfaces change): pages poll, and
	// one lost answer should not flash an error.  Writes are never repeated.
	for (let attempt = 0; ; attempt++) {
		try {
			resp = await fetch('/api/v1' + path, { method, headers, body: payload,
				cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer' });
			break;
		} catch (e) {
			if (method !== 'GET' || attempt >= 2)
				throw new ApiError(0, 'unreachable', 'the unit did not answer: ' + e.message);
			await new Promise((r) => setTimeout(r, 300));
		}
	}
	if (opts.raw && resp.ok)
		return resp;
	const text = await resp.text();
	let doc = null;
	try { doc = text ? JSON.parse(text) : null; } catch (e) { doc = null; }
	if (!resp.ok) {
		const err = new ApiError(resp.status, doc?.code || 'http_' + resp.status,
			doc?.message || resp.statusText || 'HTTP ' + resp.status, doc?.details);
		if (resp.status === 401 && !opts.token)
			onUnauthorized.forEach((fn) => fn(err));
		throw err;
	}
	return doc;
}

// ?a=1&b=2 from an object, empty values left out.
export function query(params) {
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(params))
		if (v !== '' && v !== undefined && v !== null)
			q.set(k, v);
	const s = q.toString();
	return s ? '?' + s : '';
}

// Words for an error, the way the API gives them.
export function describe(e) {
	if (!(e instanceof ApiError))
		return String(e?.message || e);
	if (e.status === 401)
		return 'Not logged in: the token was refused (401 ' + e.code + '). ' + e.message;
	if (e.status === 403)
		return 'Forbidden (403): ' + e.message;
	return (e.status ? e.status + ' ' : '') + e.code + ': ' + e.message;
}
