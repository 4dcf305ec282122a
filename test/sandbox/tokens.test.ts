// tenant_access_token lifetime rules (docs/protocol.md, "tenant_access_token"): the same token until less than the refresh
// window remains, then a new one while the old one stays valid until it expires.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenStore } from '../../sandbox/tokens';

test('same token while plenty of lifetime remains; remaining seconds reported', () => {
	const store = new TokenStore(7200);
	const a = store.issue('cli_a');
	const b = store.issue('cli_a');
	assert.equal(a.token, b.token);
	assert.equal(a.expire, 7200);
	assert.ok(b.expire <= 7200 && b.expire >= 7199);
	assert.notEqual(store.issue('cli_b').token, a.token, 'tokens are per app');
	assert.equal(store.check(a.token)?.appId, 'cli_a');
	assert.equal(store.check('t-unknown'), undefined);
});

test('inside the refresh window a new token is issued and the old one stays valid until it expires', async () => {
	const store = new TokenStore(0.4); // refresh window = a quarter of the lifetime for short test tokens
	const a = store.issue('cli_a');
	await new Promise((r) => setTimeout(r, 320));
	const b = store.issue('cli_a');
	assert.notEqual(b.token, a.token);
	assert.ok(store.check(a.token), 'old token still valid');
	await new Promise((r) => setTimeout(r, 120));
	assert.equal(store.check(a.token), undefined, 'old token expired');
	assert.ok(store.check(b.token));
	store.expireAll('cli_a');
	assert.equal(store.check(b.token), undefined);
});
