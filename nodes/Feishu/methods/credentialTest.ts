// The Feishu API credential's Test button (both nodes name it in `testedBy`, so n8n runs it wherever the
// credential is tested, the HTTP Request node included): the App ID and Secret must yield a tenant
// token, and the app's scopes must cover sending messages; every operation whose scopes the app lacks
// is named with the console link that grants them.
import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';
import {
	appCredentialsFrom,
	describeScopeGaps,
	FeishuApiClient,
	FeishuApiError,
	getTenantAccessToken,
	listAppScopes,
	scopeGaps,
	scopeGrantUrl,
	tokenErrorMessage,
	type FeishuAppCredentials,
	type ScopeRequirement,
} from '../../../lib/feishu';
import { resources } from '../actions/router';
import { operationTitle } from '../identity';

/** Without these the package does nothing useful: the test fails when they are missing. */
const ESSENTIAL = new Set(['Message > Send', 'Message > Reply']);

/** The scopes of every operation, labelled as the editor names it ("Chat > Add Members"). */
export function operationScopeRequirements(): ScopeRequirement[] {
	return Object.entries(resources).flatMap(([resource, { operations }]) =>
		Object.entries(operations)
			.filter(([, op]) => op.scopes?.length)
			.map(([operation, op]) => ({ feature: operationTitle(resource, operation), scopes: op.scopes! })),
	);
}

/** The test itself, for the given requirements. */
export async function testFeishuApiCredential(credential: ICredentialsDecrypted, requirements: readonly ScopeRequirement[]): Promise<INodeCredentialTestResult> {
	let creds: FeishuAppCredentials;
	try {
		creds = appCredentialsFrom(credential.data ?? {});
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
	try {
		await getTenantAccessToken(creds);
	} catch (error) {
		return { status: 'Error', message: tokenErrorMessage(error) };
	}
	const client = new FeishuApiClient(creds, { maxRetries: 0, maxRateLimitRetries: 0, timeoutMs: 15_000 });
	let appScopes;
	try {
		appScopes = await listAppScopes(client);
	} catch (error) {
		if (error instanceof FeishuApiError && error.code === 212100) {
			return { status: 'Error', message: 'The App ID and Secret are valid, but the app is not installed in the tenant (Feishu code 212100): publish a version of it in the developer console' };
		}
		// The ids are good; a host without the scope list (or a hiccup) should not fail the test.
		return { status: 'OK', message: `Connection tested successfully (the app's scopes could not be listed: ${(error as Error).message})` };
	}
	const gaps = scopeGaps(appScopes, requirements);
	if (!gaps.some((g) => ESSENTIAL.has(g.feature) || g.pending.length > 0)) return { status: 'OK', message: 'Connection tested successfully' };
	const scopes = [...new Set(gaps.map((g) => g.pending[0] ?? g.scopes[0]))];
	return {
		status: 'Error',
		message:
			`The App ID and Secret are valid, but the app lacks scopes. ${describeScopeGaps(gaps).join('; ')}. ` +
			`Grant them under "Permissions & Scopes" (${scopeGrantUrl(client.creds.baseUrl, client.creds.appId, scopes)}), then publish a new version of the app`,
	};
}

/** `methods.credentialTest` of both nodes: the Feishu node's operations decide which scopes count. */
export async function feishuApiCredentialTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	return await testFeishuApiCredential(credential, operationScopeRequirements());
}
