// Small statistics helpers for the benchmarks: percentiles of a sample, medians over runs.

/** The p-th percentile (0..100) by nearest rank; NaN for an empty sample. */
export function percentile(values: number[], p: number): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const rank = Math.ceil((p / 100) * sorted.length);
	return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function median(values: number[]): number {
	return percentile(values, 50);
}

/** Formats a number with a sensible number of digits for a table. */
export function fmt(value: number, digits?: number): string {
	if (!Number.isFinite(value)) return 'n/a';
	const d = digits ?? (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
	return value.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

export function ratio(a: number, b: number): number {
	return b === 0 ? Number.NaN : a / b;
}
