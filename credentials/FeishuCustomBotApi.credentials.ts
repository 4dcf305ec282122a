import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';
import { assertCustomBotUrl, customBotHint, customBotSignFields } from '../lib/feishu';

/**
 * A group custom bot: its webhook URL and, when signature verification is on, its secret. No app
 * and no token: whoever holds the URL can post to the group (docs/protocol.md, "Custom bots").
 */
export class FeishuCustomBotApi implements ICredentialType {
	name = 'feishuCustomBotApi';

	// n8n's scanner wants a credential's display name to end in "API".
	displayName = 'Feishu Custom Bot Webhook API';

	icon: Icon = { light: 'file:feishu.svg', dark: 'file:feishu.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-feishu-bot/n8n-nodes-feishu-bot#custom-bot-group-webhook';

	properties: INodeProperties[] = [
		{
			displayName: 'Webhook URL',
			name: 'webhookUrl',
			type: 'string',
			// Not masked: n8n's scanner warns on a masked field whose name says URL, and n8n stores
			// the credential encrypted either way.
			default: '',
			required: true,
			placeholder: 'https://open.feishu.cn/open-apis/bot/v2/hook/…',
			description:
				'The custom bot\'s webhook address, from the group\'s settings > Bots > the custom bot: https://open.feishu.cn/open-apis/bot/v2/hook/… (Lark: https://open.larksuite.com/…). Anyone who has it can post to the group.',
		},
		{
			displayName: 'Signing Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Only when the bot\'s security settings have "Signature verification" on: the secret shown there. Every message is then signed with it; leave empty otherwise.',
		},
	];

	// Signs whatever request n8n sends with this credential (the Test button's, the HTTP Request
	// node's): the two fields go into the JSON body, as Feishu wants them.
	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		try {
			assertCustomBotUrl(String(credentials.webhookUrl ?? ''));
		} catch (error) {
			// A plain Error: n8n's credential test shows its message as it is.
			throw new Error((error as Error).message);
		}
		const secret = String(credentials.secret ?? '').trim();
		const body = requestOptions.body;
		if (!secret || (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body) || Buffer.isBuffer(body)))) return requestOptions;
		return { ...requestOptions, body: { ...customBotSignFields(secret), ...((body as object | undefined) ?? {}) } };
	}

	// Nothing can be posted to test the URL, so the test sends a text message without content:
	// Feishu checks the token, the IP whitelist and the signature first, then refuses the body
	// (9499 "Bad Request"), and that refusal is the success case here. Its own refusals of the
	// credential fail the test with the fix.
	test: ICredentialTestRequest = {
		request: {
			url: '={{ String($credentials.webhookUrl).trim() }}',
			method: 'POST',
			body: { msg_type: 'text' },
			// The path is the bot's token: never re-posted to wherever a redirect points.
			disableFollowRedirect: true,
			ignoreHttpStatusErrors: true,
		},
		rules: [19001, 19021, 19022].map((code) => ({
			type: 'responseSuccessBody' as const,
			properties: { key: 'code', value: code, message: `Feishu code ${code}: ${customBotHint(code)}` },
		})),
	};
}
