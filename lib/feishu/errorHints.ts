// What to do about the Feishu error codes users meet most (README, "Troubleshooting by Feishu error
// code"; the codes in docs/protocol.md, "Open API error codes"): shown with the error, so the fix is
// on screen rather than in Feishu's docs.

const HINTS: ReadonlyArray<[readonly number[], string]> = [
	[[10003, 10014], 'Copy the App ID and App Secret again from "Credentials & Basic Info" in the Feishu developer console, and check the credential\'s domain (Feishu or Lark)'],
	[[99991663, 99991664, 99991668, 99991671], 'The access token was refused even after a refresh: if the App Secret was reset in the developer console, update the credential'],
	[[99991672, 230027], 'The app lacks a permission (scope): add the scope named in the message under "Permissions & Scopes", then publish a new version of the app'],
	[[99991400], 'Feishu rate-limited the app and the retries ran out: slow the workflow down (e.g. Loop Over Items with a Wait)'],
	[[230001], 'Feishu refused a parameter or the content: check the field named in the message'],
	[[230002], 'The bot is not in this chat: add the bot to the group (group settings > Bots), or check the chat ID'],
	[[230006], 'The app has no bot capability: in the developer console add "Features > Bot", then publish a new version'],
	[[200340], 'Feishu got no answer to a card click within 3 s: add card.action.trigger under "Events & Callbacks > Callback Configuration", and answer with Respond to Card Action'],
	[[232006], 'This is not the ID of a chat the app can see: pick the chat from the list, or check the oc_… ID'],
	[[232009], 'The group has been dissolved: pick another chat'],
	[[232011], 'The bot is not in this group: add it (group settings > Bots), or pick a chat it is in'],
	[[232014, 232017, 232038], 'Only the group\'s owner may do this (for some operations also a manager, or the bot that created the group): let the bot own or create the group, or make it a manager'],
	[[232043, 232027], 'No usable member IDs: check Member ID Type and the IDs (or add the available ones with "If Some IDs Are Unavailable")'],
	[[40004], 'The app\'s contact scope does not cover these users: in "Permissions & Scopes" widen the contact data range (e.g. to all members), then publish a new version'],
	[[41050], 'The app\'s contact scope does not cover this user (or the ID is of nobody): check User ID Type and the ID, or widen the contact data range in "Permissions & Scopes" and publish a new version'],
	[[91403, 1254302], 'The app may not open this Base: add it as a collaborator (in the Base: ··· > More > Add Document App, or share the Base with a group the bot is in), with "can edit" to write; if the Base has advanced permissions, give the app a role that covers the table'],
	[[1254040], 'No Base has this app token: copy the Base\'s link again (a Base in a wiki has its own token: open it in a new tab first)'],
	[[1254041, 1254004], 'The Base has no table with this ID: pick the table from the list, or copy its link (…?table=tbl…)'],
	[[1254045], 'The table has no field of that name: field names are case-sensitive; reload the field list'],
	[[90213, 1310213], 'The app may not open this spreadsheet: add it as a collaborator (in the spreadsheet: ··· > More > Add Document App, or share it with a group the bot is in), with "can edit" to write'],
	[[90214, 1310214], 'No spreadsheet has this token: copy the spreadsheet\'s link again (a spreadsheet in a wiki has its own token: open it in a new tab first)'],
	[[90215, 1310215, 1310211], 'The spreadsheet has no sheet with this ID: pick the sheet from the list, or copy its link (…?sheet=…)'],
	[[90202, 1310202], 'The range is not one Feishu takes: A1 notation such as A1:D100, A:D or A2:D, on an existing sheet'],
];

const BY_CODE = new Map<number, string>(HINTS.flatMap(([codes, hint]) => codes.map((code) => [code, hint] as [number, string])));

/** How to fix a Feishu error code, when it is one of the common ones. */
export function errorHint(code: number): string | undefined {
	return BY_CODE.get(code);
}
