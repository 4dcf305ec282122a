// The request a Send and Wait node makes, read from its parameters: by the operation when it sends the
// card, and again by the node's webhook when the answer comes (n8n evaluates the parameters there
// against the same first input item), to check the answer and draw the decided card.
import type { IDataObject } from 'n8n-workflow';
import { WAIT_INDEFINITELY } from 'n8n-workflow';
import { FeishuValidationError, type ButtonStyle, type WaitActionValue, type WaitCard, type WaitFieldType, type WaitFormField } from '../../../lib/feishu';
import { CARD_FORM } from '../descriptions/SendAndWaitDescription';

export type ReadParameter = <T>(name: string, fallback: T) => T;

export type WaitResponseType = 'approval' | 'freeText' | typeof CARD_FORM;

export interface WaitRequest {
	title?: string;
	message: string;
	responseType: WaitResponseType;
	approval: { double: boolean; approveLabel: string; approveStyle: ButtonStyle; declineLabel: string; declineStyle: ButtonStyle };
	fields: WaitFormField[];
	submitLabel: string;
	approvers: string[];
}

const STYLES: readonly ButtonStyle[] = ['danger', 'primary', 'secondary'];
const style = (v: unknown, fallback: ButtonStyle): ButtonStyle => (STYLES.includes(v as ButtonStyle) ? (v as ButtonStyle) : fallback);
const FIELD_TYPES: readonly WaitFieldType[] = ['checkbox', 'date', 'dropdown', 'email', 'multiSelect', 'number', 'password', 'text', 'textarea'];

/** At most this many approvers: they travel, signed, in the resume URL. */
export const MAX_APPROVERS = 20;

export function readWaitRequest(read: ReadParameter): WaitRequest {
	const message = String(read('message', '') ?? '').trim();
	if (!message) throw new FeishuValidationError('Message', 'is empty: say what the person is asked to answer');
	const responseType = read<string>('responseType', 'approval') as WaitResponseType;
	const approval = (read<IDataObject>('approvalOptions.values', {}) ?? {}) as IDataObject;
	const options = (read<IDataObject>('options', {}) ?? {}) as IDataObject;
	const fields: WaitFormField[] =
		responseType === CARD_FORM
			? ((read<{ values?: IDataObject[] }>('formFields', {}) ?? {}).values ?? []).map((f, k) => {
					const label = String(f.fieldLabel ?? '').trim();
					if (!label) throw new FeishuValidationError(`Form Fields ${k + 1}`, 'needs a Field Label');
					const type = FIELD_TYPES.includes(f.fieldType as WaitFieldType) ? (f.fieldType as WaitFieldType) : 'text';
					const choices = String(f.fieldOptions ?? '').split(',').map((o) => o.trim()).filter(Boolean);
					if ((type === 'dropdown' || type === 'multiSelect') && choices.length === 0) throw new FeishuValidationError(`Form Fields ${k + 1} (${label})`, 'needs Choices, comma-separated');
					return { label, type, required: f.requiredField === true, placeholder: String(f.placeholder ?? '') || undefined, ...(choices.length ? { options: choices } : {}) };
				})
			: [];
	if (responseType === CARD_FORM && fields.length === 0) throw new FeishuValidationError('Form Fields', 'add at least one field');
	const labels = new Set<string>();
	for (const f of fields) {
		if (labels.has(f.label)) throw new FeishuValidationError('Form Fields', `two fields are labelled "${f.label}": the labels key the answer's values`);
		labels.add(f.label);
	}
	const approvers = String(options.approvers ?? '').split(/[\s,]+/).map((a) => a.trim()).filter(Boolean);
	if (approvers.length > MAX_APPROVERS) throw new FeishuValidationError('Approvers', `at most ${MAX_APPROVERS}, got ${approvers.length}`);
	return {
		title: String(read('subject', '') ?? '').trim() || undefined,
		message,
		responseType,
		approval: {
			double: approval.approvalType === 'double',
			approveLabel: String(approval.approveLabel ?? '') || 'Approve',
			approveStyle: style(approval.buttonApprovalStyle, 'primary'),
			declineLabel: String(approval.disapproveLabel ?? '') || 'Decline',
			declineStyle: style(approval.buttonDisapprovalStyle, 'secondary'),
		},
		fields,
		submitLabel: String(options.responseFormButtonLabel ?? '') || 'Submit',
		approvers,
	};
}

/** The card for the request; `values` seal each way to answer (unused when drawing the decided card). */
export function waitCardOf(r: WaitRequest, values: { approve: WaitActionValue; decline?: WaitActionValue }, deadline?: string): WaitCard {
	const base = { title: r.title, message: r.message, deadline };
	if (r.responseType === 'approval') {
		return {
			...base,
			response: {
				type: 'approval',
				approve: { label: r.approval.approveLabel, style: r.approval.approveStyle, value: values.approve },
				...(r.approval.double && values.decline ? { decline: { label: r.approval.declineLabel, style: r.approval.declineStyle, value: values.decline } } : {}),
			},
		};
	}
	const submit = { label: r.submitLabel, style: 'primary' as const, value: values.approve };
	return { ...base, response: r.responseType === 'freeText' ? { type: 'freeText', submit } : { type: 'form', submit, fields: r.fields } };
}

/** The card when the answer is given on n8n's page: approval links (each its own signed URL), or one link to the form. */
export function waitLinkCardOf(r: WaitRequest, urls: { approve: string; decline?: string }, deadline?: string): WaitCard {
	const buttons =
		r.responseType === 'approval'
			? [
					{ label: r.approval.approveLabel, style: r.approval.approveStyle, url: urls.approve },
					...(r.approval.double && urls.decline ? [{ label: r.approval.declineLabel, style: r.approval.declineStyle, url: urls.decline }] : []),
				]
			: [{ label: 'Open Form', style: 'primary' as const, url: urls.approve }];
	return { title: r.title, message: r.message, deadline, response: { type: 'link', buttons } };
}

/** A moment as the cards say it, in the workflow's time zone: "4 Dec 2026, 14:02". */
export function shownTime(at: Date | number, zone: string): string {
	return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(at);
}

const UNIT_SECONDS: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

/** When the wait ends without an answer (n8n's Limit Wait Time), or n8n's "indefinitely". */
export function waitTillOf(options: IDataObject, now = Date.now()): Date {
	const limit = (options.limitWaitTime as { values?: IDataObject } | undefined)?.values;
	if (!limit) return WAIT_INDEFINITELY;
	const at =
		limit.limitType === 'atSpecifiedTime'
			? new Date(String(limit.maxDateAndTime ?? ''))
			: new Date(now + Number(limit.resumeAmount ?? 0) * (UNIT_SECONDS[String(limit.resumeUnit ?? 'hours')] ?? 3600) * 1000);
	if (Number.isNaN(at.getTime())) throw new FeishuValidationError('Limit Wait Time', 'is not a valid date and time');
	if (at.getTime() <= now) throw new FeishuValidationError('Limit Wait Time', 'is in the past');
	return at;
}
