// Ids that go into API paths, checked where the paths are built: a request can only ever reach the
// endpoint its function names.
import { FeishuValidationError } from './errors';

/** A required id or key, trimmed. */
export function requireId(field: string, value: string | undefined): string {
	if (typeof value !== 'string' || !value.trim()) throw new FeishuValidationError(field, 'is required');
	return value.trim();
}

// Feishu's ids and keys (om_…, oc_…, img_v3_…, file_v3_…) are letters, digits, '_' and '-'. Anything
// else ('.', '..', '/', '?', '#', '%') would change which API path the request reaches.
const PATH_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** An id that goes into a URL path: required, and nothing that could climb or leave the segment. */
export function pathId(field: string, value: string | undefined): string {
	const id = requireId(field, value);
	if (!PATH_ID.test(id)) {
		throw new FeishuValidationError(field, `"${id.slice(0, 80)}" is not a valid id (only letters, digits, "_" and "-", at most 128)`);
	}
	return id;
}

/** A checked id as one path segment. */
export const seg = (id: string): string => encodeURIComponent(id);
