// Serves the chat page (plain HTML + JS + CSS from sandbox/page/, no build step).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Router } from './http';

const FILES: Record<string, [string, string]> = {
	'/': ['index.html', 'text/html; charset=utf-8'],
	'/page/app.js': ['app.js', 'text/javascript; charset=utf-8'],
	'/page/cards.js': ['cards.js', 'text/javascript; charset=utf-8'],
	'/page/style.css': ['style.css', 'text/css; charset=utf-8'],
};

export function registerPage(router: Router): void {
	for (const [path, [file, type]] of Object.entries(FILES)) {
		router.add('GET', path, async (ctx) => {
			let body: Buffer;
			try {
				body = await readFile(join(__dirname, 'page', file));
			} catch {
				ctx.res.writeHead(404, { 'content-type': 'text/plain' });
				ctx.res.end('page file missing');
				return;
			}
			ctx.res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-cache' });
			ctx.res.end(body);
		});
	}
}
