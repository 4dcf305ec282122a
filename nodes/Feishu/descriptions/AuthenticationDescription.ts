// Whose identity the Feishu node calls Feishu with (README, "Acting as a user"). The name and the
// credentials' `show` on it follow n8n's own nodes (Slack, Google): n8n's editor then takes this field
// as the node's authentication field and offers the choice where the credential is picked.
import type { INodeProperties } from 'n8n-workflow';

/** The value the app credential (tenant token) answers to; the default, as before this field existed. */
export const APP_AUTHENTICATION = 'appCredential';
/** The value the Feishu OAuth2 credential (a user's token) answers to. */
export const USER_AUTHENTICATION = 'oAuth2';

export const authenticationProperty: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	options: [
		{ name: 'Bot (App Credential)', value: APP_AUTHENTICATION, description: 'Act as the app\'s bot, with the Feishu API credential (App ID and Secret)' },
		{ name: 'User (OAuth2)', value: USER_AUTHENTICATION, description: 'Act as the user who connected the Feishu OAuth2 credential (needed by Contact > Search Users)' },
	],
	default: APP_AUTHENTICATION,
	description: 'Whether to act as the app\'s bot or as a signed-in user; some operations take only one of them',
	displayOptions: { hide: { resource: ['customBot'] } },
};
