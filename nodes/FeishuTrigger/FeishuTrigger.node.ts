// Feishu Trigger: one event pipeline (lib/feishu events.ts), two transports. This file only
// orchestrates: read the settings, then start the long connection (trigger) or handle a request
// (webhook). Both methods exist on every instance; each returns at once in the other mode.
import type {
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	ITriggerFunctions,
	ITriggerResponse,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { appCredentialsFrom, holdCallbackReceiver } from '../../lib/feishu';
import { feishuApiCredentialTest } from '../Feishu/methods/credentialTest';
import { CONNECTION_MODE, EVENTS_SUBTITLE, triggerProperties, triggerWebhooks } from './FeishuTriggerDescription';
import { startLongConnection } from './longConnection';
import { readTriggerSettings } from './TriggerSettings';
import { handleFeishuWebhook } from './webhookRequest';
import { ANSWER_WEBHOOK, forgetAnswerUrl, handleAnswerWebhook, listenForTestMessage, rememberAnswerUrl, stopTestListenerOf } from './answerStream';
import { documentsSubscribed, subscribeDocuments, unsubscribeDocuments } from './documentSubscriptions';

export class FeishuTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Feishu Trigger',
		name: 'feishuTrigger',
		icon: { light: 'file:feishu.svg', dark: 'file:feishu.dark.svg' },
		group: ['trigger'],
		// 1.1 behaves as 1. n8n treats a version-1 webhook node like its legacy Webhook v1 and evaluates
		// an extra expression (options.binaryData) on every request; 1.1 spares that.
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: EVENTS_SUBTITLE,
		description: 'Starts the workflow on Feishu / Lark events: messages, card actions and more',
		eventTriggerDescription: 'Waiting for you to message the bot in Feishu',
		activationMessage: 'The workflow now receives Feishu events.',
		// n8n shows its "listening" view only while a test waits on a webhook; the long connection runs
		// as a plain trigger, so this panel is where the editor says what to do (both modes).
		triggerPanel: {
			header: 'Execute this step, then message the bot in Feishu (or click a button on its card)',
			executionsHelp: {
				inactive:
					'<b>While building</b>, execute this step and send the bot a message in Feishu: the event shows up here (long connection: at once; webhook: once the console\'s Request URL is the Test URL). <br /><br /><b>Once it works</b>, activate the workflow: every event then starts an execution, listed under <a data-key="executions">Executions</a>.',
				active:
					'The workflow is active: every Feishu event it is set up for starts an execution, listed under <a data-key="executions">Executions</a>. Executing this step still shows one event here for testing.',
			},
			activationHint: 'Once the workflow works, <a data-key="activate">activate it</a> to receive every event.',
		},
		defaults: { name: 'Feishu Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		// The same Test as the Feishu node's (n8n runs whichever node's it finds first).
		credentials: [{ name: 'feishuApi', required: true, testedBy: 'feishuApiCredentialTest' }],
		webhooks: triggerWebhooks,
		properties: triggerProperties,
	};

	methods = { credentialTest: { feishuApiCredentialTest } };

	// Feishu has no API to register a request URL: the user pastes it in the developer console, so
	// for the URL there is nothing to create or delete. n8n asks checkExists on every activation and
	// test listen, so that is where settings webhook mode cannot run safely without (no Verification
	// Token) fail the activation.
	webhookMethods = {
		default: {
			// Document events need a subscription per file (documentSubscriptions.ts): checkExists asks
			// Feishu whether each is subscribed, create subscribes, delete unsubscribes (never failing).
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const settings = await readTriggerSettings(this);
				if (settings.connectionMode !== CONNECTION_MODE.webhook || settings.documents.length === 0) return true;
				return await documentsSubscribed(settings.creds, settings.documents, this.logger);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const settings = await readTriggerSettings(this);
				if (settings.connectionMode === CONNECTION_MODE.webhook) await subscribeDocuments(this.getNode(), settings.creds, settings.documents, this.logger);
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				// A deactivation must not fail: settings that no longer read (a deleted credential) leave nothing to do.
				const settings = await readTriggerSettings(this).catch(() => undefined);
				if (settings?.connectionMode === CONNECTION_MODE.webhook) await unsubscribeDocuments(settings.creds, settings.documents, this.logger);
				return true;
			},
		},
		// The answer webhook (answerStream.ts) is only called by this trigger: nothing to make at Feishu.
		// Production: note its URL for the trigger. The editor's test: n8n waits for a call to its test
		// URL, so create() listens for one message and hands it on there; delete() stops listening.
		setup: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				if (this.getMode() !== 'manual') rememberAnswerUrl(this);
				return this.getMode() !== 'manual';
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const settings = await readTriggerSettings(this);
				if (settings.answer.enabled && settings.connectionMode === CONNECTION_MODE.longConnection) await listenForTestMessage(this, settings);
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				stopTestListenerOf(this);
				if (this.getMode() !== 'manual') forgetAnswerUrl(this);
				return true;
			},
		},
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const mode = this.getNodeParameter('connectionMode', CONNECTION_MODE.longConnection) as string;
		// Send and Wait asks whether a trigger of its app receives the card callbacks here (either mode).
		const release = holdCallbackReceiver(appCredentialsFrom(await this.getCredentials('feishuApi')).appId);
		// n8n activates a node's trigger and its webhooks alike; in webhook mode the webhook does the work.
		if (mode !== CONNECTION_MODE.longConnection) return { closeFunction: async () => release() };
		let started: ITriggerResponse | undefined;
		try {
			started = await startLongConnection(this, await readTriggerSettings(this));
		} finally {
			if (!started) release();
		}
		const { closeFunction } = started;
		return {
			...started,
			closeFunction: async () => {
				release();
				await closeFunction?.();
			},
		};
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		if (this.getWebhookName() === ANSWER_WEBHOOK) return await handleAnswerWebhook(this, await readTriggerSettings(this));
		return await handleFeishuWebhook(this);
	}
}
