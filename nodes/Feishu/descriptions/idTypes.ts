// The user ID types Feishu takes wherever an operation names users (user_id_type, member_id_type).
export const USER_ID_TYPE_OPTIONS = [
	{ name: 'Open ID', value: 'open_id', description: 'The ID Feishu gives each user per app (ou_…)' },
	{ name: 'Union ID', value: 'union_id', description: 'The same for every app of one developer (on_…)' },
	{ name: 'User ID', value: 'user_id', description: 'The tenant\'s employee ID (needs the contact:user.employee_id:readonly scope)' },
];
