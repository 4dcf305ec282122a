import type { INodeProperties } from 'n8n-workflow';

/**
 * Where the app lives, shared by the app and the OAuth2 credential: Feishu, Lark, or a custom base URL
 * (the local sandbox, a proxy). lib/feishu/domains.ts turns the two values into the Open API's host.
 * `baseUrlServes` says what the custom URL must serve for this credential.
 */
export function domainProperties(baseUrlServes: string): INodeProperties[] {
	return [
		{
			displayName: 'Domain',
			name: 'domain',
			type: 'options',
			options: [
				{ name: 'Feishu (open.feishu.cn)', value: 'feishu' },
				{ name: 'Lark (open.larksuite.com)', value: 'lark' },
				{ name: 'Custom Base URL', value: 'custom' },
			],
			default: 'feishu',
			description: 'Feishu for China, Lark for the international edition, or a custom URL (e.g. the local sandbox)',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://open.example.com',
			description: `${baseUrlServes}Must use https://. Plain http:// is accepted only for localhost, 127.x.x.x and [::1] (e.g. the local sandbox at http://127.0.0.1:9800): elsewhere secrets and tokens would travel in clear. Redirects are not followed.`,
			displayOptions: { show: { domain: ['custom'] } },
		},
	];
}
