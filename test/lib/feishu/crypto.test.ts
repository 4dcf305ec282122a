import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AESCipher } from '@larksuiteoapi/node-sdk';
import { computeSignature, decryptPayload, encryptPayload, FeishuDecryptError, verifySignature } from '../../../lib/feishu';

const CT =
	'AAECAwQFBgcICQoLDA0OD7PVZRoi4t4QIuY0sS8ZOovEk/kGoyRigpdu2APy8/19tk6FftF7fAHqRqmoea5YghYrvo/LKr/C9FJbEcIfm3WypIpjYdl6kFOa8FN9a6Of6Q8KMThPt4HjMnFNYVsM4Q==';
const PLAIN = '{"challenge":"ajls384kdjx98XX","token":"v-verification-token-abc","type":"url_verification"}';

test('official doc vector: "test key" decrypts to hello world', () => {
	assert.equal(decryptPayload('test key', 'P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk='), 'hello world');
});

test('docs/protocol.md "Worked example" vector: fixed IV encrypts to the documented ciphertext and back', () => {
	const iv = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
	assert.equal(encryptPayload('test-encrypt-key-123', PLAIN, iv), CT);
	assert.equal(decryptPayload('test-encrypt-key-123', CT), PLAIN);
});

test('agrees with the official SDK AESCipher both ways', () => {
	const ours = encryptPayload('k-123', '{"a":"中文"}');
	assert.equal(new AESCipher('k-123').decrypt(ours), '{"a":"中文"}');
	assert.equal(decryptPayload('test-encrypt-key-123', CT), new AESCipher('test-encrypt-key-123').decrypt(CT));
});

test('docs/protocol.md "Worked example" signature vector, constant-time verify', () => {
	const raw = JSON.stringify({ encrypt: CT });
	const sig = computeSignature('1700000000', '1234567890', 'test-encrypt-key-123', raw);
	assert.equal(sig, 'f3a4b9c1052a22748b71df64c1e428cd2cf70170464a6999308fcb36ef2a7cd9');
	assert.ok(verifySignature('1700000000', '1234567890', 'test-encrypt-key-123', Buffer.from(raw), sig));
	assert.ok(!verifySignature('1700000000', '1234567890', 'test-encrypt-key-123', Buffer.from(raw + ' '), sig));
	assert.ok(!verifySignature('1700000000', '1234567890', 'test-encrypt-key-123', raw, 'short'));
});

test('garbage ciphertext gives a clear FeishuDecryptError', () => {
	assert.throws(() => decryptPayload('k', 'bm90IGNpcGhlcg=='), FeishuDecryptError);
	assert.throws(() => decryptPayload('k', ''), FeishuDecryptError);
	assert.throws(() => decryptPayload('wrong', CT), FeishuDecryptError);
});
