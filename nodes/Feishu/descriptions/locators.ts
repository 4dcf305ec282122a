// Resource locators for what users pick in Feishu: a chat and a user, each "From List" (searched in
// Feishu through the node's listSearch methods), "By ID", and for chats "By URL" (Feishu's AppLink).
import type { INodeProperties } from 'n8n-workflow';

/**
 * `defaultExpression`: where the value comes from by default (e.g. the trigger's chat). Without one
 * the field opens on "From List", ready to pick: the editor offers the list only for a fixed value.
 */
type LocatorField = Pick<INodeProperties, 'displayName' | 'name' | 'description' | 'displayOptions'> & { defaultExpression?: string };

const defaultOf = (field: LocatorField) => (field.defaultExpression ? { mode: 'id', value: field.defaultExpression } : { mode: 'list', value: '' });

type LocatorMode = NonNullable<INodeProperties['modes']>[number];

/** The resource locator for `field` with these modes (the first one "From List"). */
function locator(field: LocatorField, spec: { modes: LocatorMode[] }): INodeProperties {
	return {
		displayName: field.displayName,
		name: field.name,
		type: 'resourceLocator',
		default: defaultOf(field),
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
