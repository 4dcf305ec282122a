// Feishu (China) and Lark (international) are the same platform on two hosts; "custom" points the
// package at anything else that speaks the protocol (a proxy, or the local sandbox).

export type FeishuDomain = 'feishu' | 'lark' | 'custom';

export const FEISHU_BASE_URL = 'https://open.feishu.cn';
export const LARK_BASE_URL = 'https://open.larksuite.com';

export interface FeishuAppCredentials {
	appId: string;
	appSecret: string;
	baseUrl: string;
}

/** Base URL for a domain choice; a full URL is accepted as the domain too. Trailing '/' stripped. */
export function resolveBaseUrl(domain: FeishuDomain | string, customBaseUrl?: string): string {
	let url: string;
	if (domain === 'feishu' || domain === '' || domain === undefined) url = FEISHU_BASE_URL;
	else if (domain === 'lark') url = LARK_BASE_URL;
	else if (domain === 'custom') {
		if (!customBaseUrl || !customBaseUrl.trim()) throw new Error('Base URL is required when the domain is "custom"');
		url = customBaseUrl.trim();
	} else url = domain;
	if (!/^https?:\/\//i.test(url)) throw new Error(`Base URL must start with http:// or https:// (got "${url}")`);
	return url.replace(/\/+$/, '');
}
