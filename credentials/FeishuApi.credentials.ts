import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';
import { appCredentialsFrom, getTenantAccessToken, tokenErrorMessage } from '../lib/feishu';
import { domainProperties } from './domainProperties';

// The Test button is the nodes' `feishuApiCredentialTest` (nodes/Feishu/methods/credentialTest.ts):
// besides the ids it checks the app's scopes, which a declarative test request cannot.
export class FeishuApi implements ICredentialType {
	name = 'feishuApi';

	displayName = 'Feishu API';

	icon: Icon = { light: 'file:feishu.svg', dark: 'file:feishu.dark.svg' };

	// The package's own steps (English and Chinese), which link Feishu's pages where they help.
	documentationUrl = 'https://github.com/n8n-nodes-feishu-bot/n8n-nodes-feishu-bot#feishu-console-setup';

	properties: INodeProperties[] = [
		{
			displayName: 'App ID',
			name: 'appId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'cli_a1b2c3d4e5f60718',
			description:
				'From the app\'s "Credentials & Basic Info" page in the developer console (<a href="https://open.feishu.cn/app" target="_blank">Feishu</a> · <a href="https://open.larksuite.com/app" target="_blank">Lark</a>)',
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'On the same "Credentials & Basic Info" page, next to the App ID; if it was reset there, paste the new one',
		},
		...domainProperties(''),
		// Stays masked despite the scanner's credential-unnecessary-password warning (it guesses from the name):
		// the Encrypt Key decrypts every event and checks every request's signature, so it is a secret.
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password
		{
			displayName: 'Encrypt Key',
			name: 'encryptKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Recommended for the webhook trigger ("Events & Callbacks" > "Encryption Strategy"): Feishu then encrypts every event and signs every request, which the trigger verifies',
		},
		{
			displayName: 'Verification Token',
			name: 'verificationToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Required for the webhook trigger ("Events & Callbacks" > "Encryption Strategy"): checked against the token Feishu puts in every request; without it webhook mode does not activate',
		},
	];

	// The tenant token comes from the process-wide cache in lib/feishu, shared by every node and
	// execution, so it is fetched once and refreshed before it expires; a failed fetch throws Feishu's
	// own message (e.g. "app secret invalid"), which n8n shows (in the HTTP Request node too).
	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		const creds = appCredentialsFrom(credentials);
		let token: string;
		try {
			token = await getTenantAccessToken(creds);
		} catch (error) {
			// A plain Error: n8n shows error.cause.code when there is one, which would reduce
			// Feishu's message to a bare number.
			throw new Error(tokenErrorMessage(error));
		}
		return { ...requestOptions, headers: { ...(requestOptions.headers ?? {}), Authorization: `Bearer ${token}` } };
	}
}
