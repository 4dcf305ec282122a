// Bot or user (README, "Acting as a user"): which Authentication the node runs with, and, before any
// call, whether Feishu takes that identity's token for the operation (lib/feishu/tokenTypes.ts). An
// operation Feishu serves only to one of them says so at once, naming the setting that fixes it,
// instead of Feishu's 99991663 / 99991668 after the call.
import type { IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { operationTokenTypes } from '../../lib/feishu';
import { nodeProperties } from './descriptions';
import { APP_AUTHENTICATION, USER_AUTHENTICATION } from './descriptions/AuthenticationDescription';

export type Authentication = typeof APP_AUTHENTICATION | typeof USER_AUTHENTICATION;

/** The node's Authentication (the bot, unless set to the user). */
export function authenticationOf(ctx: IExecuteFunctions | ILoadOptionsFunctions): Authentication {
	const value = 'getInputData' in ctx ? ctx.getNodeParameter('authentication', 0, APP_AUTHENTICATION) : ctx.getNodeParameter('authentication', APP_AUTHENTICATION);
	return value === USER_AUTHENTICATION ? USER_AUTHENTICATION : APP_AUTHENTICATION;
}

/** What the editor calls the operation: "Contact > Search Users". */
export function operationTitle(resource: string, operation: string): string {
	const resourceName = (nodeProperties.find((p) => p.name === 'resource')?.options ?? []).find((o) => 'value' in o && o.value === resource)?.name ?? resource;
	const operations = nodeProperties.find((p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes(resource));
	const operationName = (operations?.options ?? []).find((o) => 'value' in o && o.value === operation)?.name ?? operation;
	return `${resourceName} > ${operationName}`;
}

export interface OperationRef {
	resource: string;
	operation: string;
	endpoint: string;
}

/** Throws when Feishu takes only the other identity's token for the operation's endpoint. */
export function assertIdentity(ctx: IExecuteFunctions | ILoadOptionsFunctions, authentication: Authentication, op: OperationRef): void {
	const accepted = operationTokenTypes(op.endpoint);
	if (!accepted) return;
	const title = operationTitle(op.resource, op.operation);
	if (authentication === USER_AUTHENTICATION && !accepted.includes('user')) {
		throw new NodeOperationError(ctx.getNode(), `${title} cannot act as a user: Feishu takes only the app's own (bot) token for it`, {
			description: `Set Authentication to "Bot (App Credential)" and pick a Feishu API credential (Feishu: ${op.endpoint} accepts a tenant_access_token only)`,
		});
	}
	if (authentication === APP_AUTHENTICATION && !accepted.includes('tenant')) {
		throw new NodeOperationError(ctx.getNode(), `${title} needs a signed-in user: Feishu takes only a user's token for it, not the bot's`, {
			description: `Set Authentication to "User (OAuth2)" and pick a Feishu OAuth2 credential that a user has connected (Feishu: ${op.endpoint} accepts a user_access_token only)`,
		});
	}
}
