import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';
import { domainProperties } from './domainProperties';

// n8n expressions mirror lib/feishu/userAuth.ts oauthEndpoints() (an expression cannot call it):
// Feishu and Lark serve the authorization page on their accounts host and the token endpoint on the
// Open API host; a custom base URL (the local sandbox, a proxy) serves both.
const CUSTOM_BASE = 'String($self["baseUrl"] || "").trim().replace(/\\/+$/, "")';
const AUTH_URL_EXPRESSION = `={{ ($self["domain"] === "lark" ? "https://accounts.larksuite.com" : $self["domain"] === "custom" ? ${CUSTOM_BASE} : "https://accounts.feishu.cn") + "/open-apis/authen/v1/authorize" }}`;
const TOKEN_URL_EXPRESSION = `={{ ($self["domain"] === "lark" ? "https://open.larksuite.com" : $self["domain"] === "custom" ? ${CUSTOM_BASE} : "https://open.feishu.cn") + "/open-apis/authen/v2/oauth/token" }}`;
// Space-separated, once each, offline_access always asked for (Feishu issues a refresh token only with it).
const SCOPE_EXPRESSION = '={{ (String($self["scopes"] || "") + " offline_access").split(/[\\s,]+/).filter((s, i, all) => s !== "" && all.indexOf(s) === i).join(" ") }}';

/** The scopes the user-token operations need (README, "Acting as a user"). */
export const DEFAULT_USER_SCOPES = 'offline_access contact:user:search';

/**
 * A Feishu / Lark user's authorization (OAuth 2.0 authorization code, with refresh): the Feishu node
 * acts as that user with Authentication "User (OAuth2)". n8n runs the flow and stores the tokens; the
 * node refreshes the token when Feishu refuses it as expired (docs/protocol.md, "Acting as a user").
 */
export class FeishuOAuth2Api implements ICredentialType {
	name = 'feishuOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Feishu OAuth2 API';

	icon: Icon = { light: 'file:feishu.svg', dark: 'file:feishu.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-feishu-bot/n8n-nodes-feishu-bot#acting-as-a-user';

	properties: INodeProperties[] = [
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'hidden',
			default: 'authorizationCode',
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'cli_a1b2c3d4e5f60718',
			description:
				'The app\'s App ID, from "Credentials & Basic Info" in the developer console (<a href="https://open.feishu.cn/app" target="_blank">Feishu</a> · <a href="https://open.larksuite.com/app" target="_blank">Lark</a>). Add the OAuth Redirect URL shown here under "Security Settings > Redirect URLs".',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The app\'s App Secret, on the same page as the App ID',
		},
		...domainProperties('Serves both the authorization page and the Open API. '),
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: AUTH_URL_EXPRESSION,
			required: true,
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: TOKEN_URL_EXPRESSION,
			required: true,
		},
		{
			displayName: 'Scope',
			name: 'scopes',
			type: 'string',
			default: DEFAULT_USER_SCOPES,
			description:
				'Space-separated scopes the user is asked to grant; each must also be enabled for the app under "Permissions & Scopes". offline_access (a refresh token, so the user stays signed in) is always added. contact:user:search: Contact > Search Users. Operations run as the user need their scope too, e.g. im:chat:readonly for Chat > Get Many, contact:user.base:readonly for Contact > Get User.',
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: SCOPE_EXPRESSION,
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: '',
		},
		{
			// Feishu's token endpoint reads client_id and client_secret from the body.
			displayName: 'Authentication',
			name: 'authentication',
			type: 'hidden',
			default: 'body',
		},
	];
}
