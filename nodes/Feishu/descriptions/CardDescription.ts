import type { INodeProperties } from 'n8n-workflow';

// The card builder, used by Send/Reply (interactive), Update Card, Respond to Card Action and the
// custom bot's Send Message. Each context gets its own "Card Source" selector, and each card field is
// defined once per context with that context's conditions as well as its Card Source value. Conditions
// on Card Source alone are not enough in the editor: it keeps a hidden parameter's value, so after
// Message Type went from Card to Text the card fields (Card Source still "builder") stayed on screen.

const cardSourceOptions = [
	{ name: 'Simple Builder', value: 'builder', description: 'Title, header color, Markdown body and buttons' },
	{ name: 'Card JSON', value: 'json', description: 'Raw card JSON, e.g. copied from the Feishu card builder' },
	{ name: 'Card Template', value: 'template', description: 'A template ID from the Feishu card builder, with variables' },
];

export const cardSourceFields: INodeProperties[] = [
	{
		displayName: 'Card Source',
		name: 'cardSource',
		type: 'options',
		description: 'How the card is given: built here, as JSON, or from a card builder template',
		options: cardSourceOptions,
		default: 'builder',
		displayOptions: { show: { resource: ['message'], operation: ['send', 'reply'], msgType: ['interactive'] } },
	},
	{
		displayName: 'Card Source',
		name: 'cardSource',
		type: 'options',
		description: 'How the card is given: built here, as JSON, or from a card builder template',
		options: cardSourceOptions,
		default: 'builder',
		displayOptions: { show: { resource: ['message'], operation: ['updateCard'] } },
	},
	{
		displayName: 'Card Source',
		name: 'cardSource',
		type: 'options',
		description: 'How the card is given: built here, as JSON, or from a card builder template',
		options: cardSourceOptions,
		default: 'builder',
		displayOptions: { show: { resource: ['callback'], respondWithCard: [true] } },
	},
	{
		displayName: 'Card Source',
		name: 'cardSource',
		type: 'options',
		description: 'How the card is given: built here, as JSON, or from a card builder template',
		options: cardSourceOptions,
		default: 'builder',
		displayOptions: { show: { resource: ['customBot'], operation: ['sendMessage'], msgType: ['interactive'] } },
	},
	{
		displayName: 'Card Source',
		name: 'cardSource',
		type: 'options',
		description: 'How the card is given: built here, as JSON, or from a card builder template',
		options: cardSourceOptions,
		default: 'builder',
		displayOptions: { show: { resource: ['message'], operation: ['sendEphemeral'] } },
	},
	{
		displayName: 'Card Source',
		name: 'cardSource',
		type: 'options',
		description: 'How the card is given: built here, as JSON, or from a card builder template',
		options: cardSourceOptions,
		default: 'builder',
		displayOptions: { show: { resource: ['message'], operation: ['batchSend'], msgType: ['interactive'] } },
	},
];

/** The Card Source selector of a message operation (placed in that operation's own fields). */
export const cardSourceFor = (operation: string): INodeProperties =>
	cardSourceFields.find((f) => f.displayOptions?.show?.resource?.[0] === 'message' && (f.displayOptions.show.operation as string[] | undefined)?.includes(operation))!;

/** Whether a Card Source selector is the custom bot's, whose cards cannot call back (link buttons only). */
export const isCustomBotCard = (source: INodeProperties): boolean => source.displayOptions?.show?.resource?.[0] === 'customBot';

// Feishu's own names for two of its header themes mean little to most users.
const colourNames: Record<string, string> = { wathet: 'Light Blue (Wathet)', carmine: 'Crimson (Carmine)' };
const colours = ['blue', 'wathet', 'turquoise', 'green', 'yellow', 'orange', 'red', 'carmine', 'violet', 'purple', 'indigo', 'grey'];

// Each shown for one Card Source value; cardFields below adds the contexts.
const cardFieldTemplates: INodeProperties[] = [
	{
		displayName: 'Card Title',
		name: 'cardTitle',
		type: 'string',
		default: '',
		placeholder: 'e.g. Leave request',
		description: 'The text in the card\'s colored header; leave empty for a card without header',
		displayOptions: { show: { cardSource: ['builder'] } },
	},
	{
		displayName: 'Header Color',
		name: 'cardTemplate',
		type: 'options',
		options: colours.map((c) => ({ name: colourNames[c] ?? c[0].toUpperCase() + c.slice(1), value: c })),
		default: 'blue',
		description: 'One of the header themes Feishu offers (its names in brackets)',
		displayOptions: { show: { cardSource: ['builder'] } },
	},
	{
		displayName: 'Markdown Body',
		name: 'cardMarkdown',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		placeholder: 'e.g. **Alice** asks for 2 days off',
		description: 'Card markdown: **bold**, [link](https://…), line breaks and mentions such as &lt;at email=name@example.com&gt;&lt;/at&gt; (Feishu\'s card Markdown docs list the open_id form too)',
		displayOptions: { show: { cardSource: ['builder'] } },
	},
	{
		displayName: 'Buttons',
		name: 'cardButtons',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		placeholder: 'Add Button',
		description: 'Buttons at the bottom of the card: each calls back with its value (card.action.trigger) or opens its URL',
		displayOptions: { show: { cardSource: ['builder'] } },
		options: [
			{
				displayName: 'Button',
				name: 'button',
				values: [
					{ displayName: 'Text', name: 'text', type: 'string', default: '', placeholder: 'e.g. Approve', description: 'The button\'s label' },
					{
						displayName: 'Value (JSON)',
						name: 'value',
						type: 'json',
						default: '{}',
						description: 'Sent back as action.value in the card.action.trigger callback',
					},
					{ displayName: 'URL', name: 'url', type: 'string', default: '', description: 'Open this link instead of calling back' },
					{
						displayName: 'Style',
						name: 'type',
						type: 'options',
						description: 'How the button looks',
						options: [
							{ name: 'Default', value: 'default' },
							{ name: 'Primary', value: 'primary' },
							{ name: 'Danger', value: 'danger' },
						],
						default: 'default',
					},
				],
			},
		],
	},
	{
		displayName: 'Card JSON',
		name: 'cardJson',
		type: 'json',
		description: 'A whole card as Feishu takes it (schema 1.0 or 2.0); design one in the <a href="https://open.feishu.cn/cardkit" target="_blank">Feishu card builder</a> and copy its JSON',
		default: '{\n  "header": { "title": { "tag": "plain_text", "content": "Hello" } },\n  "elements": [ { "tag": "markdown", "content": "**Hi** there" } ]\n}',
		displayOptions: { show: { cardSource: ['json'] } },
	},
	{
		displayName: 'Template ID',
		name: 'templateId',
		type: 'string',
		default: '',
		placeholder: 'AAqk1234abcd',
		description: 'The ID of a card published in the <a href="https://open.feishu.cn/cardkit" target="_blank">Feishu card builder</a>',
		displayOptions: { show: { cardSource: ['template'] } },
	},
	{
		displayName: 'Template Variables (JSON)',
		name: 'templateVariables',
		type: 'json',
		default: '{}',
		description: 'Values for the template\'s variables, by variable name',
		displayOptions: { show: { cardSource: ['template'] } },
	},
];

/**
 * The builder's buttons for a custom bot's card: Feishu delivers no clicks from such cards, so each
 * button only opens its URL (no Value).
 */
function linkButtons(field: INodeProperties): INodeProperties {
	const [button] = field.options as { displayName: string; name: string; values: INodeProperties[] }[];
	return {
		...field,
		description: 'Link buttons at the bottom of the card, each opening its URL (cards from a custom bot cannot call back)',
		options: [{ ...button, values: button.values.filter((v) => v.name !== 'value') }],
	};
}

/** Every card field once per context (its Card Source selector's conditions plus the field's own). */
export const cardFields: INodeProperties[] = cardSourceFields.flatMap((source) =>
	cardFieldTemplates.map((field) => ({
		...(isCustomBotCard(source) && field.name === 'cardButtons' ? linkButtons(field) : field),
		displayOptions: { show: { ...source.displayOptions!.show, ...field.displayOptions!.show } },
	})),
);
