// Benchmarks 3, 4b and 5 against a real n8n (scripts/n8n harness). Filled in once the harness is usable.
export interface N8nBenchSection {
	lines: string[];
	goals: string[];
	version?: string;
}

export async function runN8nBench(_opts: { log: (line: string) => void; quick: boolean }): Promise<N8nBenchSection> {
	return { lines: ['## 3-5. Real n8n', '', 'Not run yet.'], goals: [] };
}
