// Helpers for the Open API tests: a quiet in-process sandbox per test file and its control API.
import { DEMO_APP, startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';
import type { FeishuAppCredentials } from '../../lib/feishu';
import { sandboxControl } from '../../sandbox/client';

export const APP = DEMO_APP;

export async function sandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
	return startSandbox({ port: 0, quiet: true, ...opts });
}

export function credsFor(sb: Sandbox, appSecret = APP.appSecret, appId = APP.appId): FeishuAppCredentials {
	return { appId, appSecret, baseUrl: sb.baseUrl };
}

export function control<T = any>(sb: Sandbox, method: string, path: string, body?: unknown): Promise<T> {
	return sandboxControl<T>(sb.baseUrl, method, path, body);
}

export interface RecordedCall {
	method: string;
	path: string;
	query: Record<string, string>;
	body: any;
	status: number;
	code: number;
	log_id: string;
}

/** Open API calls the sandbox recorded, without the token endpoint. */
export async function apiCalls(sb: Sandbox): Promise<RecordedCall[]> {
	const { calls } = await control<{ calls: RecordedCall[] }>(sb, 'GET', 'calls');
	return calls.filter((c) => !c.path.includes('/auth/v3/'));
}

export async function tokenFetches(sb: Sandbox, appId = APP.appId): Promise<number> {
	const stats = await control<{ token_fetches: Record<string, number> }>(sb, 'GET', 'stats');
	return stats.token_fetches[appId] ?? 0;
}

/** A user message in a chat (creates the chat); returns its ids. */
export async function userSays(sb: Sandbox, chatId: string, body: Record<string, unknown>): Promise<{ message_id: string; event_id: string; chat_id: string }> {
	return control(sb, 'POST', `chats/${chatId}/messages`, { chat_type: 'group', ...body });
}

export async function chatMessages(sb: Sandbox, chatId: string): Promise<any[]> {
	return (await control<{ messages: any[] }>(sb, 'GET', `chats/${chatId}/messages`)).messages;
}

/** A valid 1x1 PNG (the sandbox, like Feishu, checks the image format). */
export function tinyPng(): Buffer {
	return Buffer.from(
		'89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
			'1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5d1c0' +
			'5d0000000049454e44ae426082',
		'hex',
	);
}
