// What the editor shows for the Feishu Trigger: connection mode, the Feishu console setup for each
// mode, the events to listen to, message filters and timing options.
import type { INodeProperties, IWebhookDescription } from 'n8n-workflow';
import { ANY_EVENT, COMMON_EVENT_TYPES, DEFAULT_ATTACHMENT_MAX_MB, DEFAULT_CALLBACK_BUDGET_MS, FEISHU_RESOURCE_LIMIT_MB, MAX_CALLBACK_BUDGET_MS } from '../../lib/feishu';

export const CONNECTION_MODE = { longConnection: 'longConnection', webhook: 'webhook' } as const;
export type ConnectionMode = (typeof CONNECTION_MODE)[keyof typeof CONNECTION_MODE];

const CONSOLE = { feishu: 'https://open.feishu.cn/app', lark: 'https://open.larksuite.com/app' };
const README = 'https://github.com/n8n-nodes-feishu-bot/n8n-nodes-feishu-bot';

const webhookOnly = { show: { connectionMode: [CONNECTION_MODE.webhook] } };
const longConnectionOnly = { show: { connectionMode: [CONNECTION_MODE.longConnection] } };

const properties: INodeProperties[] = [
	{
		displayName: 'Connection Mode',
		name: 'connectionMode',
		type: 'options',
		description: 'How Feishu delivers events to n8n; pick the same in the console\'s Events & Callbacks',
		noDataExpression: true,
		options: [
			{
				name: 'Long Connection (Recommended)',
				value: CONNECTION_MODE.longConnection,
				description: 'Opens a WebSocket from n8n to Feishu: no public URL needed',
			},
			{
				name: 'Webhook',
				value: CONNECTION_MODE.webhook,
				description: 'Feishu POSTs events to this node\'s URL (needs a public HTTPS address)',
			},
		],
		// CONNECTION_MODE.longConnection, written as a literal so n8n's linter can check it.
		default: 'longConnection',
	},
	{
		displayName: `In the developer console (<a href="${CONSOLE.feishu}" target="_blank">Feishu</a> · <a href="${CONSOLE.lark}" target="_blank">Lark</a>) open your app's <b>Events & Callbacks</b>: under Event Configuration choose <b>Receive events through persistent connection</b> and add the events below; for card actions do the same under Callback Configuration and add <code>card.action.trigger</code>. Then publish a version of the app. All workflows using the same app share one connection. <a href="${README}#feishu-console-setup" target="_blank">Step by step</a>`,
		name: 'longConnectionNotice',
		type: 'notice',
		default: '',
		displayOptions: longConnectionOnly,
	},
	{
		displayName: `Feishu calls one Request URL per app. <b>To test</b>: open <b>Webhook URLs</b> at the top of this panel, copy the <b>Test URL</b> into the console's <b>Events & Callbacks</b> (<a href="${CONSOLE.feishu}" target="_blank">Feishu</a> · <a href="${CONSOLE.lark}" target="_blank">Lark</a>; also under Callback Configuration for card actions) while <b>Listen for test event</b> runs: Feishu checks the URL at once. <b>For production</b>: activate the workflow, then paste the <b>Production URL</b> there instead. Copy the console's Encrypt Key and Verification Token into the credential so every request is verified. <a href="${README}#feishu-console-setup" target="_blank">Step by step</a>`,
		name: 'webhookNotice',
		type: 'notice',
		default: '',
		displayOptions: webhookOnly,
	},
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		options: [
			// The key first: it is what the Feishu console asks for.
			...COMMON_EVENT_TYPES.map((e) => ({ name: e.name, value: e.value, description: `${e.value} · ${e.description}` })),
			{ name: 'Any Event', value: ANY_EVENT, description: 'Every event the app receives' },
		],
		default: ['im.message.receive_v1'],
		description: 'Events that start the workflow. Each must also be added to the app in the Feishu console.',
	},
	{
		displayName: 'Custom Event Types',
		name: 'customEventTypes',
		type: 'string',
		default: '',
		placeholder: 'e.g. approval_instance, calendar.calendar.event.changed_v4',
		description: 'More event types by name, separated by commas: any event Feishu sends works, even ones not listed above',
	},
	{
		displayName: 'Documents',
		name: 'documents',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. https://example.feishu.cn/base/bascnAbCdEf123 or https://example.feishu.cn/sheets/shtcnAbCdEf123',
		description:
			'Links of the Bases (…/base/…) and spreadsheets (…/sheets/…) to watch, or Base app tokens, separated by commas or new lines. The trigger subscribes the app to each on activation and unsubscribes on deactivation; the app must be able to manage each document (··· > More > Add Document App).',
		typeOptions: { rows: 2 },
		displayOptions: { show: { events: ['drive.file.bitable_record_changed_v1', 'drive.file.edit_v1'] } },
	},
	{
		displayName: 'Message Filters',
		name: 'messageFilters',
		type: 'collection',
		placeholder: 'Add Filter',
		// Shows the filter that applies anyway (the code drops bot messages unless told otherwise).
		default: { ignoreBotMessages: true },
		description: 'Applied to received messages (im.message.receive_v1) only; other events always pass',
		options: [
			{
				displayName: 'Chat Type',
				name: 'chatType',
				type: 'options',
				options: [
					{ name: 'Any', value: 'any' },
					{ name: 'Direct Messages (P2P)', value: 'p2p' },
					{ name: 'Groups', value: 'group' },
				],
				default: 'any',
			},
			{
				displayName: 'Ignore Messages From Bots',
				name: 'ignoreBotMessages',
				type: 'boolean',
				default: true,
				description: 'Whether to skip messages sent by bots or apps (sender type "app"), which avoids bot-to-bot loops',
			},
			{
				displayName: 'Message Types',
				name: 'messageTypes',
				type: 'multiOptions',
				options: [
					{ name: 'Audio', value: 'audio' },
					{ name: 'Card (Interactive)', value: 'interactive' },
					{ name: 'File', value: 'file' },
					{ name: 'Image', value: 'image' },
					{ name: 'Location', value: 'location' },
					{ name: 'Media (Video)', value: 'media' },
					{ name: 'Merged Forward', value: 'merge_forward' },
					{ name: 'Rich Text (Post)', value: 'post' },
					{ name: 'Shared Chat', value: 'share_chat' },
					{ name: 'Shared User', value: 'share_user' },
					{ name: 'Sticker', value: 'sticker' },
					{ name: 'System', value: 'system' },
					{ name: 'Text', value: 'text' },
				],
				default: [],
				description: 'Only these message types start the workflow; none selected means all',
			},
			{
				displayName: 'Require @Mention in Groups',
				name: 'onlyWhenMentioned',
				type: 'boolean',
				default: false,
				description: 'Whether group messages must @mention the bot; direct messages always pass',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Answer in a Streaming Card',
				name: 'answerCard',
				type: 'boolean',
				default: false,
				description:
					'Whether to reply to each message at once with a "thinking" card that an AI Agent\'s answer streams into as it is written (the agent\'s streaming option on). End the workflow with the Feishu node\'s "Send Answer" so the card also gets the answer when nothing streams.',
			},
			{
				displayName: 'Card Answer Time Limit (Milliseconds)',
				name: 'callbackBudgetMs',
				type: 'number',
				typeOptions: { minValue: 100, maxValue: MAX_CALLBACK_BUDGET_MS },
				default: DEFAULT_CALLBACK_BUDGET_MS,
				description:
					'How long a card action waits for the workflow\'s "Respond to Card Action" before Feishu gets an empty answer. Feishu gives up after 3 s.',
			},
			{
				displayName: 'Conversation Key',
				name: 'sessionKey',
				type: 'options',
				options: [
					{ name: 'Automatic', value: 'auto', description: 'Direct messages: the chat. Groups: the thread, or the message a reply chain started from.' },
					{ name: 'Chat', value: 'chat', description: 'One conversation per chat' },
					{ name: 'Chat and Sender', value: 'chatSender', description: 'One conversation per person in each chat' },
				],
				default: 'auto',
				description: 'How the output\'s session_id is made, for an AI memory node\'s Session ID',
			},
			{
				displayName: 'Download Attachments',
				name: 'downloadAttachments',
				type: 'boolean',
				default: false,
				description:
					'Whether to download the images and files of each message (image, file, audio and video messages, and every image of a rich-text post) into the item\'s binary data, as attachment_0, attachment_1, …, so an AI Agent can see the images and a document loader can read the files. The item\'s "attachments" field lists each one, and says why any was skipped. Needs the im:message or im:message:readonly scope.',
			},
			{
				displayName: 'Max Attachment Size (MB)',
				name: 'maxAttachmentSizeMb',
				type: 'number',
				typeOptions: { minValue: 0.1, maxValue: FEISHU_RESOURCE_LIMIT_MB, numberPrecision: 1 },
				default: DEFAULT_ATTACHMENT_MAX_MB,
				description:
					'With Download Attachments: larger files are not downloaded; the item\'s "attachments" field says so and the workflow still runs. Feishu serves files of at most 100 MB.',
				displayOptions: { show: { downloadAttachments: [true] } },
			},
			{
				displayName: 'Max Waiting Events',
				name: 'maxWaitingEvents',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 10000,
				description:
					'Long connection: events that may wait for a free run. Further ones are left unacknowledged, and Feishu sends them again later.',
				displayOptions: { show: { '/connectionMode': [CONNECTION_MODE.longConnection] } },
			},
			{
				displayName: 'Parallel Processing Limit',
				name: 'maxConcurrentRuns',
				type: 'number',
				default: 10,
				description:
					'Long connection: most executions of this app\'s events running at a time; further events wait, unacknowledged, until one finishes, so a burst cannot overload n8n. Use -1 for no limit. Shared by every trigger on the app, which uses the largest value among them.',
				displayOptions: { show: { '/connectionMode': [CONNECTION_MODE.longConnection] } },
			},
			{
				displayName: 'Replay Window (Seconds)',
				name: 'replayWindowSeconds',
				type: 'number',
				typeOptions: { minValue: 10, maxValue: 28800 },
				default: 300,
				description:
					'Webhook mode: requests whose signed timestamp is older or newer than this are rejected. At most 8 hours, the time redelivered events are remembered, so a replayed request can never run twice.',
				displayOptions: { show: { '/connectionMode': [CONNECTION_MODE.webhook] } },
			},
			{
				displayName: 'Working Reaction',
				name: 'workingReaction',
				type: 'string',
				default: '',
				placeholder: 'Typing',
				description:
					'With Answer in a Streaming Card: an emoji type (Feishu\'s list, case-sensitive, e.g. Typing or OnIt) put on the person\'s message while the answer is written, removed after. Empty: none.',
				displayOptions: { show: { answerCard: [true] } },
			},
		],
	},
];

// Registered only in webhook mode (an empty method registers nothing), so the editor's "listen for
// test event" opens the long connection instead of waiting for a webhook call.
const HTTP_METHOD = `={{ $parameter["connectionMode"] === "${CONNECTION_MODE.webhook}" ? "POST" : "" }}`;
const HIDE_URL = `={{ $parameter["connectionMode"] !== "${CONNECTION_MODE.webhook}" }}`;

/**
 * Who answers Feishu. A trigger that listens to callbacks (card actions, link previews) needs n8n's
 * responseNode mode: their answer comes from the workflow's "Respond to Card Action". Any other
 * trigger uses onReceived, and n8n sends the ack webhook() returns: n8n 2.x sends it once it holds
 * the run (execution stored, queued in queue mode), so a crash before that is redelivered, not
 * lost; 1.x sends it before the run starts. Self-contained: its source is also the template below.
 * Custom types match by substring, so "card.action.trigger_v2" keeps responseNode (the safe side).
 * Plain ES2015 only (no ?? or ?.): n8n 1.x's expression engine parses the template too.
 */
export const webhookResponseMode = (p: Record<string, unknown>): 'responseNode' | 'onReceived' =>
	(Array.isArray(p.events) ? p.events : []).some((e) => e === '*' || e === 'card.action.trigger' || e === 'card.action.trigger_v1' || e === 'url.preview.get') ||
	String(p.customEventTypes || '').includes('card.action.trigger') ||
	String(p.customEventTypes || '').includes('url.preview.get')
		? 'responseNode'
		: 'onReceived';
const RESPONSE_MODE = `={{ (${String(webhookResponseMode)})($parameter) }}`;

// n8n 2.x resolves a webhook description's expressions natively when it declares resolvers under
// this symbol (n8n-workflow webhookDescriptionFields; older n8n ignores it): without them n8n runs
// its expression engine (an isolate with N8N_EXPRESSION_ENGINE=vm) on every webhook request.
const WEBHOOK_RESOLVERS = Symbol.for('n8n.webhookDescriptionResolvers');
const isWebhookMode = (parameters: Record<string, unknown>) => parameters.connectionMode === CONNECTION_MODE.webhook;
const answersInCard = (parameters: Record<string, unknown>) => (parameters.options as Record<string, unknown> | undefined)?.answerCard === true;
const ANSWER_HTTP_METHOD = '={{ $parameter["options"] && $parameter["options"]["answerCard"] === true ? "POST" : "" }}';

export const triggerWebhooks: IWebhookDescription[] = [
	{
		name: 'default',
		httpMethod: HTTP_METHOD,
		responseMode: RESPONSE_MODE,
		// Empty, not absent: n8n's default ('firstEntryJson') would become the onReceived answer's
		// body; empty makes it send the webhookResponse webhook() returns ({"msg":"success"}).
		responseData: '',
		path: 'webhook',
		ndvHideMethod: true,
		ndvHideUrl: HIDE_URL,
		[WEBHOOK_RESOLVERS]: {
			httpMethod: { template: HTTP_METHOD, resolve: (p: Record<string, unknown>) => (isWebhookMode(p) ? 'POST' : '') },
			ndvHideUrl: { template: HIDE_URL, resolve: (p: Record<string, unknown>) => !isWebhookMode(p) },
			responseMode: { template: RESPONSE_MODE, resolve: webhookResponseMode },
		},
	} as IWebhookDescription,
	{
		// The answer webhook (answerStream.ts): with Answer in a Streaming Card the trigger hands each
		// message to it, so that n8n runs the workflow in its streaming mode and writes what the AI Agent
		// streams to the trigger. Only the trigger calls it; n8n's types name a node's second webhook "setup".
		name: 'setup',
		httpMethod: ANSWER_HTTP_METHOD,
		responseMode: 'streaming',
		path: 'answer',
		ndvHideMethod: true,
		ndvHideUrl: true,
		[WEBHOOK_RESOLVERS]: {
			httpMethod: { template: ANSWER_HTTP_METHOD, resolve: (p: Record<string, unknown>) => (answersInCard(p) ? 'POST' : '') },
		},
	} as IWebhookDescription,
];

export const triggerProperties = properties;

/** The canvas subtitle: the chosen events by name ("Message Received, Card Action"), keys for custom ones. */
const EVENT_NAMES: Record<string, string> = Object.fromEntries([...COMMON_EVENT_TYPES.map((e) => [e.value, e.name]), [ANY_EVENT, 'Any Event']]);
export const EVENTS_SUBTITLE = `={{ ($parameter["events"] || []).map((e) => (${JSON.stringify(EVENT_NAMES)})[e] || e).join(", ") }}`;
