// Resource locators for what users pick in Feishu: a chat and a user, each "From List" (searched in
// Feishu through the node's listSearch methods), "By ID", and for chats "By URL" (Feishu's AppLink);
// and the documents (a Base and its table, a spreadsheet and its sheet): "From List", "By URL", "By ID".
import type { INodeProperties } from 'n8n-workflow';

/**
 * `defaultExpression`: where the value comes from by default (e.g. the trigger's chat). Without one
 * the field opens empty on "From List" (unless its spec says another mode), ready to pick: the editor
 * offers the list only for a fixed value.
 */
type LocatorField = Pick<INodeProperties, 'displayName' | 'name' | 'description' | 'displayOptions'> & { defaultExpression?: string };

/** The expression (by ID) if the field has one, else empty in `mode` (default "From List"). */
const defaultOf = (field: LocatorField, mode = 'list') => (field.defaultExpression ? { mode: 'id', value: field.defaultExpression } : { mode, value: '' });

type LocatorMode = NonNullable<INodeProperties['modes']>[number];

/** The resource locator for `field` with these modes (the first one "From List"), opening on `defaultMode` if given. */
function locator(field: LocatorField, spec: { modes: LocatorMode[]; defaultMode?: string }): INodeProperties {
	return {
		displayName: field.displayName,
		name: field.name,
		type: 'resourceLocator',
		default: defaultOf(field, spec.defaultMode),
		required: true,
		description: field.description,
		displayOptions: field.displayOptions,
		modes: spec.modes,
	};
}

/** A chat: a group the bot is in, by search, oc_ id or AppLink URL. */
export function chatLocator(field: LocatorField): INodeProperties {
	return locator(field, {
		modes: [
			{ displayName: 'From List', name: 'list', type: 'list', placeholder: 'Select a chat...', typeOptions: { searchListMethod: 'searchChats', searchable: true } },
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'oc_a0553eda9014c201e6969b478895c230',
				validation: [{ type: 'regex', properties: { regex: 'oc_[A-Za-z0-9_-]+', errorMessage: 'Not a chat ID: chat IDs start with oc_' } }],
			},
			{
				displayName: 'By URL',
				name: 'url',
				type: 'string',
				placeholder: 'https://applink.feishu.cn/client/chat/open?openChatId=oc_…',
				extractValue: { type: 'regex', regex: 'openChatId=(oc_[A-Za-z0-9_-]+)' },
				validation: [
					{
						type: 'regex',
						properties: { regex: '.*openChatId=oc_[A-Za-z0-9_-]+.*', errorMessage: 'Not a chat link: it should contain openChatId=oc_…' },
					},
				],
			},
		],
	});
}

/** A user of the tenant, by search (name or email) or open_id. */
export function userLocator(field: LocatorField): INodeProperties {
	return locator(field, {
		modes: [
			{ displayName: 'From List', name: 'list', type: 'list', placeholder: 'Select a user...', typeOptions: { searchListMethod: 'searchUsers', searchable: true } },
			{
				displayName: 'By Open ID',
				name: 'id',
				type: 'string',
				placeholder: 'ou_7d8a6e6df7621556ce0d21922b676706',
				validation: [{ type: 'regex', properties: { regex: 'ou_[A-Za-z0-9_-]+', errorMessage: 'Not an open_id: open_ids start with ou_' } }],
			},
		],
	});
}

/** What sets one document locator apart: its list, its link and its ID (regexes as n8n takes them: text). */
export interface DocumentLocatorSpec {
	list: { method: string; placeholder: string };
	/** `extract` takes the value out of the link (its first group); `regex` checks the whole link. */
	url: { placeholder: string; extract: string; regex: string; error: string };
	/** `displayName`: the mode's name ("By ID", "By Token", …). */
	id: { displayName: string; placeholder: string; regex: string; error: string };
	/** The mode the field opens on; default "From List". */
	defaultMode?: 'list' | 'url';
}

/** A document (a Base, a table, a spreadsheet, a sheet): "From List", "By URL" and by its ID, in that order. */
export function documentLocator(field: Omit<LocatorField, 'defaultExpression'>, spec: DocumentLocatorSpec): INodeProperties {
	return locator(field, {
		defaultMode: spec.defaultMode,
		modes: [
			{ displayName: 'From List', name: 'list', type: 'list', placeholder: spec.list.placeholder, typeOptions: { searchListMethod: spec.list.method, searchable: true } },
			{
				displayName: 'By URL',
				name: 'url',
				type: 'string',
				placeholder: spec.url.placeholder,
				extractValue: { type: 'regex', regex: spec.url.extract },
				validation: [{ type: 'regex', properties: { regex: spec.url.regex, errorMessage: spec.url.error } }],
			},
			{
				displayName: spec.id.displayName,
				name: 'id',
				type: 'string',
				placeholder: spec.id.placeholder,
				validation: [{ type: 'regex', properties: { regex: spec.id.regex, errorMessage: spec.id.error } }],
			},
		],
	});
}
