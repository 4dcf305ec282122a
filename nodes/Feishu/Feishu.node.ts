import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { sendAndWaitWebhook } from './sendAndWait/waitWebhook';
import { SEND_AND_WAIT_WEBHOOKS, WAITING_TOOLTIP } from './sendAndWait/webhookDescription';
import { router } from './actions/router';
import { nodeProperties } from './descriptions';
import { CUSTOM_BOT_CREDENTIAL_TYPE } from './GenericFunctions';
import { feishuApiCredentialTest } from './methods/credentialTest';
import { getApiEndpointFields, searchApiEndpoints } from './methods/apiEndpoints';
import { getBitableFields, searchBitableBases, searchBitableTables } from './methods/bitable';
import { searchChats, searchUsers } from './methods/listSearch';
import { searchSheets, searchSpreadsheets } from './methods/sheets';

export class Feishu implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Feishu',
		name: 'feishu',
		icon: { light: 'file:feishu.svg', dark: 'file:feishu.dark.svg' },
		group: ['output'],
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Send, reply to and manage Feishu / Lark messages, manage group chats and their members, look up people and departments, read and write Bitable (Base) records and spreadsheets, answer card actions, and post through group custom bots',
		defaults: { name: 'Feishu' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// The app's credential for everything but Custom Bot, which takes only its webhook's. `hide`,
		// not a `show` list of the other resources: n8n's editor takes a parameter whose every value
		// some credential's `show` names for the node's authentication field and moves it out of the
		// parameter list (getMainAuthField), which would hide the Resource picker.
		// Names and testedBy as literals: n8n's scanner reads them from the source to see that the
		// credential is tested (credentials/FeishuApi.credentials.ts has no `test` of its own).
		// Bot or user (Authentication, descriptions/AuthenticationDescription.ts): both credentials `show`
		// on the parameter named `authentication`, which n8n's editor then takes as the auth field (by
		// its name, before any other), so Resource stays in the parameter list.
		credentials: [
			{ name: 'feishuApi', required: true, testedBy: 'feishuApiCredentialTest', displayOptions: { show: { authentication: ['appCredential'] }, hide: { resource: ['customBot'] } } },
			{ name: 'feishuOAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] }, hide: { resource: ['customBot'] } } },
			{ name: CUSTOM_BOT_CREDENTIAL_TYPE, required: true, displayOptions: { show: { resource: ['customBot'] } } },
		],
		// Send and Wait: the resume URL n8n serves while an execution waits (never registered on activation).
		webhooks: SEND_AND_WAIT_WEBHOOKS,
		waitingNodeTooltip: WAITING_TOOLTIP,
		properties: nodeProperties,
	};

	methods = { credentialTest: { feishuApiCredentialTest }, listSearch: { searchApiEndpoints, searchBitableBases, searchBitableTables, searchChats, searchSheets, searchSpreadsheets, searchUsers }, resourceMapping: { getApiEndpointFields, getBitableFields } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router(this);
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await sendAndWaitWebhook.call(this);
	}
}
