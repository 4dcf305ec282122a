// What the Chat operations share: the Create / Update settings under Feishu's field names.
import type { IDataObject } from 'n8n-workflow';
import type { ChatSettings } from '../../../../lib/feishu';

/** The parameter's name → Feishu's field. */
const SETTING_FIELDS: Record<string, string> = {
	addMemberPermission: 'add_member_permission',
	atAllPermission: 'at_all_permission',
	chatType: 'chat_type',
	description: 'description',
	editPermission: 'edit_permission',
	groupMessageType: 'group_message_type',
	joinMessageVisibility: 'join_message_visibility',
	leaveMessageVisibility: 'leave_message_visibility',
	membershipApproval: 'membership_approval',
};

/** The settings set in a Create or Update collection. */
export function chatSettings(fields: IDataObject): ChatSettings {
	const out: ChatSettings = {};
	for (const [param, field] of Object.entries(SETTING_FIELDS)) {
		const v = fields[param];
		if (v !== undefined && v !== null && v !== '') out[field] = v;
	}
	// Feishu takes "who can add members" only together with, and in step with, "who can share the group".
	if (out.add_member_permission) out.share_card_permission = out.add_member_permission === 'only_owner' ? 'not_allowed' : 'allowed';
	return out;
}
