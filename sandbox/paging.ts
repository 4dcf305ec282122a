// Feishu's list paging as the sandbox answers it: `page_size` checked against the endpoint's range,
// an opaque `page_token` (a token the sandbox never issued is refused), `has_more` and the next token.
import { ApiError } from './openApi';

/** Feishu's 99992402 naming every refused field. */
export function fieldViolations(violations: { field: string; description: string }[]): ApiError {
	return new ApiError(400, 99992402, 'field validation failed', {}, { field_violations: violations });
}

export function fieldViolation(field: string, description: string): ApiError {
	return fieldViolations([{ field, description }]);
}

const TOKEN_PREFIX = 'sbx';

function tokenFor(offset: number): string {
	return Buffer.from(`${TOKEN_PREFIX}:${offset}`).toString('base64url');
}

function offsetOf(token: string): number {
	const [prefix, n] = Buffer.from(token, 'base64url').toString('utf8').split(':');
	const offset = Number(n);
	if (prefix !== TOKEN_PREFIX || !Number.isInteger(offset) || offset < 0) throw fieldViolation('page_token', 'page_token is invalid');
	return offset;
}

/** One page of `items` for the request's `page_size` / `page_token`. */
export function pageOf<T>(items: T[], query: URLSearchParams, limits: { defaultSize: number; maxSize: number }): { items: T[]; has_more: boolean; page_token?: string } {
	const raw = query.get('page_size');
	const size = raw === null || raw === '' ? limits.defaultSize : Number(raw);
	if (!Number.isInteger(size) || size < 1 || size > limits.maxSize) throw fieldViolation('page_size', `page_size must be between 1 and ${limits.maxSize}`);
	const token = query.get('page_token');
	const offset = token ? offsetOf(token) : 0;
	const page = items.slice(offset, offset + size);
	const hasMore = offset + size < items.length;
	return { items: page, has_more: hasMore, ...(hasMore ? { page_token: tokenFor(offset + size) } : {}) };
}

/** An enumerated query parameter: absent gives the default, anything else not listed is refused. */
export function oneOf<T extends string>(query: URLSearchParams, name: string, allowed: readonly T[], fallback: T): T {
	const v = query.get(name);
	if (v === null || v === '') return fallback;
	if (!(allowed as readonly string[]).includes(v)) throw fieldViolation(name, `${name} must be one of ${allowed.join(', ')}`);
	return v as T;
}
