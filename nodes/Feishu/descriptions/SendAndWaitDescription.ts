// Message > Send and Wait for Response, with n8n's send-and-wait parameter names (subject, message,
// responseType, approvalOptions, options.limitWaitTime), so that n8n treats it as its own: the canvas
// says the node waits for user input, and n8n 2.x offers it as the human review of an AI Agent's
// tool calls (it sets responseType to approval and fills the message). The answer is given inside the
// card; the recipient fields are the Send operation's (MessageDescription.ts).
import { SEND_AND_WAIT_OPERATION, type INodeProperties } from 'n8n-workflow';

const show = (extra: Record<string, string[]> = {}) => ({ show: { resource: ['message'], operation: [SEND_AND_WAIT_OPERATION], ...extra } });

/** The form's value is not n8n's "customForm": n8n 2.x wants multipart bodies for that one, our trigger posts JSON. */
export const CARD_FORM = 'cardForm';

const STYLES = [
	{ name: 'Danger (Red)', value: 'danger' },
	{ name: 'Primary (Filled)', value: 'primary' },
	{ name: 'Secondary (Outlined)', value: 'secondary' },
];

export const sendAndWaitFields: INodeProperties[] = [
	{
		displayName: 'Subject',
		name: 'subject',
		type: 'string',
		default: '',
		placeholder: 'e.g. Approval required',
		description: 'The card\'s title (none if empty)',
		displayOptions: show(),
	},
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		default: '',
		required: true,
		typeOptions: { rows: 4 },
		description: 'The request, in Feishu card markdown (bold, links, lists, and mentions of people by their open_id)',
		displayOptions: show(),
	},
	{
		displayName: 'Response Type',
		name: 'responseType',
		type: 'options',
		options: [
			{ name: 'Approval', value: 'approval', description: 'Approve and/or decline buttons in the card' },
			{ name: 'Custom Form', value: CARD_FORM, description: 'A form in the card: text, numbers, emails, dates, choices, checkboxes' },
			{ name: 'Free Text', value: 'freeText', description: 'A text box in the card' },
		],
		default: 'approval',
		description: 'How the person answers, inside the card',
		displayOptions: show(),
	},
	{
		displayName: 'Approval Options',
		name: 'approvalOptions',
		type: 'fixedCollection',
		placeholder: 'Add option',
		description: 'The buttons: one to approve, or one to approve and one to decline',
		default: {},
		options: [
			{
				displayName: 'Values',
				name: 'values',
				values: [
					{ displayName: 'Approve Button Label', name: 'approveLabel', type: 'string', default: 'Approve', description: 'The text of the button that approves' },
					{ displayName: 'Approve Button Style', name: 'buttonApprovalStyle', type: 'options', options: STYLES, default: 'primary', description: 'How the approve button looks' },
					{ displayName: 'Disapprove Button Label', name: 'disapproveLabel', type: 'string', default: 'Decline', description: 'The text of the button that declines', displayOptions: { show: { approvalType: ['double'] } } },
					{ displayName: 'Disapprove Button Style', name: 'buttonDisapprovalStyle', type: 'options', options: STYLES, default: 'secondary', description: 'How the decline button looks', displayOptions: { show: { approvalType: ['double'] } } },
					{
						displayName: 'Type of Approval',
						name: 'approvalType',
						type: 'options',
						options: [
							{ name: 'Approve Only', value: 'single' },
							{ name: 'Approve and Disapprove', value: 'double' },
						],
						default: 'single',
						description: 'Whether the card can only approve, or also decline',
					},
				],
			},
		],
		displayOptions: show({ responseType: ['approval'] }),
	},
	{
		displayName: 'Form Fields',
		name: 'formFields',
		type: 'fixedCollection',
		placeholder: 'Add Form Field',
		default: { values: [{ fieldLabel: '', fieldType: 'text' }] },
		typeOptions: { multipleValues: true, sortable: true },
		options: [
			{
				displayName: 'Values',
				name: 'values',
				values: [
					{ displayName: 'Choices', name: 'fieldOptions', type: 'string', default: '', placeholder: 'e.g. Travel, Meals, Other', description: 'Comma-separated', displayOptions: { show: { fieldType: ['dropdown', 'multiSelect'] } } },
					{ displayName: 'Field Label', name: 'fieldLabel', type: 'string', default: '', required: true, placeholder: 'e.g. Amount', description: 'Shown above the field; the key of its value in the output' },
					{
						displayName: 'Field Type',
						name: 'fieldType',
						type: 'options',
						options: [
							{ name: 'Checkbox', value: 'checkbox', description: 'Yes or no' },
							{ name: 'Date', value: 'date' },
							{ name: 'Dropdown List', value: 'dropdown', description: 'One of a list' },
							{ name: 'Email', value: 'email' },
							{ name: 'Multiple Choice', value: 'multiSelect', description: 'Any of a list' },
							{ name: 'Number', value: 'number' },
							{ name: 'Password', value: 'password' },
							{ name: 'Text', value: 'text' },
							{ name: 'Textarea', value: 'textarea' },
						],
						default: 'text',
					},
					{ displayName: 'Placeholder', name: 'placeholder', type: 'string', default: '', displayOptions: { hide: { fieldType: ['checkbox'] } } },
					{ displayName: 'Required Field', name: 'requiredField', type: 'boolean', default: false, description: 'Whether the form can be submitted without it (a required checkbox must be checked)' },
				],
			},
		],
		displayOptions: show({ responseType: [CARD_FORM] }),
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: show(),
		options: [
			{
				displayName: 'Answer On',
				name: 'answerOn',
				type: 'options',
				default: 'feishuOrPage',
				description: 'Where people answer',
				options: [
					{ name: 'Feishu Card', value: 'feishu', description: 'Buttons and form in the card; an active Feishu Trigger for this app relays the answers. Choose this in queue mode, where workers cannot see the main\'s triggers.' },
					{
						name: 'Feishu Card, Else Browser Page',
						value: 'feishuOrPage',
						description: 'In the card when a Feishu Trigger for this app is active in this n8n; otherwise the card\'s buttons open n8n\'s page, and the node logs why',
					},
					{ name: 'Browser Page', value: 'n8nPage', description: 'The card\'s buttons open n8n\'s page in a browser, as n8n\'s other Send and Wait nodes do (n8n must be reachable from there; Approvers cannot be checked there)' },
				],
			},
			{
				displayName: 'Approvers',
				name: 'approvers',
				type: 'string',
				default: '',
				placeholder: 'ou_…, name@example.com',
				description: 'Only these people can answer: open_ids or emails, comma-separated (at most 20). Anyone else gets a notice and changes nothing. Empty: anyone who sees the card in the chat it was sent to (sent to a user: that user).',
			},
			{
				displayName: 'Limit Wait Time',
				name: 'limitWaitTime',
				type: 'fixedCollection',
				description: 'Whether the workflow resumes on its own after a time, without an answer (its input items go on unchanged, with no "data")',
				default: { values: { limitType: 'afterTimeInterval', resumeAmount: 45, resumeUnit: 'minutes' } },
				options: [
					{
						displayName: 'Values',
						name: 'values',
						values: [
							{
								displayName: 'Limit Type',
								name: 'limitType',
								type: 'options',
								default: 'afterTimeInterval',
								description: 'Whether the wait ends after a time or at a date and time',
								options: [
									{ name: 'After Time Interval', value: 'afterTimeInterval', description: 'Waits for a certain amount of time' },
									{ name: 'At Specified Time', value: 'atSpecifiedTime', description: 'Waits until the set date and time to continue' },
								],
							},
							{ displayName: 'Amount', name: 'resumeAmount', type: 'number', displayOptions: { show: { limitType: ['afterTimeInterval'] } }, typeOptions: { minValue: 0, numberPrecision: 2 }, default: 1, description: 'The time to wait' },
							{
								displayName: 'Unit',
								name: 'resumeUnit',
								type: 'options',
								displayOptions: { show: { limitType: ['afterTimeInterval'] } },
								options: [
									{ name: 'Days', value: 'days' },
									{ name: 'Hours', value: 'hours' },
									{ name: 'Minutes', value: 'minutes' },
									{ name: 'Seconds', value: 'seconds' },
								],
								default: 'hours',
								description: 'Unit of the interval value',
							},
							{ displayName: 'Max Date and Time', name: 'maxDateAndTime', type: 'dateTime', displayOptions: { show: { limitType: ['atSpecifiedTime'] } }, default: '', description: 'Continue execution after the specified date and time' },
						],
					},
				],
			},
			{
				displayName: 'Response Form Button Label',
				name: 'responseFormButtonLabel',
				type: 'string',
				default: 'Submit',
				description: 'The label of the form\'s submit button (Free Text and Custom Form)',
			},
		],
	},
];
