// What the Contact operations share: the id types from the parameters, Return All / Limit.
import type { ContactIdTypes } from '../../../../lib/feishu';
import type { ItemContext } from '../types';
import { options, param } from '../shared';

/** The id types: User ID Type from the top-level field (or, for lists, Options), Department ID Type from Options. */
export function idTypes(context: ItemContext, userIdTypeIn: 'field' | 'options'): ContactIdTypes {
	const opts = options(context);
	return {
		userIdType: userIdTypeIn === 'field' ? param<string>(context, 'userIdType', 'open_id') : (opts.userIdType as string | undefined),
		departmentIdType: opts.departmentIdType as string | undefined,
	};
}

/** Return All, or the Limit. */
export const limitOf = (context: ItemContext): number | undefined => (param<boolean>(context, 'returnAll') ? undefined : param<number>(context, 'limit'));
