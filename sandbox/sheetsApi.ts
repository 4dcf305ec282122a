// Sheets (电子表格) as Feishu documents it (docs/protocol.md, "Sheets"), hand-written: v3 spreadsheet
// create / get, sheets query / get, find; v2 values read (GET values/:range), write (PUT values), append
// (POST values_append with insertDataOption) and sheets_batch_update (addSheet, copySheet, deleteSheet);
// the control routes under /_sandbox/sheets/ (sheetsModel.ts keeps the data). Each route checks that the
// app may open the spreadsheet (its own, or shared with it): 90213 / 1310213 otherwise.
import { bad } from './controlContext';
import { documentPlace } from './driveFiles';
import { sendJson, type Router } from './http';
import { ApiError, type ApiContext, type OpenApi } from './openApi';
import type { ResourceRecord, ResourceStore } from './resourceStore';
import { a1, DEFAULT_GRID, parseRange, SHEETS_LIMITS, sheetsError, SheetsModel, type Permission, type SpreadsheetRecord } from './sheetsModel';

export const SHEETS_V3 = '/open-apis/sheets/v3/spreadsheets';
export const SHEETS_V2 = '/open-apis/sheets/v2/spreadsheets';

const isObject = (v: unknown): v is ResourceRecord => typeof v === 'object' && v !== null && !Array.isArray(v);
const urlOf = (token: string) => `https://sandbox.feishu.cn/sheets/${token}`;
const VALUE_RENDER = ['ToString', 'FormattedValue', 'Formula', 'UnformattedValue'];

export function registerSheetsApi(router: Router, api: OpenApi, store: ResourceStore): { model: SheetsModel } {
	const model = new SheetsModel(store);
	const route = (method: string, path: string, name: string, handle: (ctx: ApiContext) => unknown | Promise<unknown>) =>
		api.route(router, method, path, async (ctx) => {
			api.rateLimit(ctx.app, name);
			return { data: await handle(ctx) };
		});
	const body = async (ctx: ApiContext, version: 'v2' | 'v3') => {
		const b = (await ctx.json()) as ResourceRecord;
		if (!isObject(b)) throw sheetsError(version, 'body');
		return b;
	};

	// ---- v3: spreadsheets, sheets, find ----
	route('POST', SHEETS_V3, 'sheets.v3.spreadsheet.create', async (ctx) => {
		const b = await body(ctx, 'v3');
		if (b.title !== undefined && (typeof b.title !== 'string' || [...b.title].length > SHEETS_LIMITS.titleChars)) throw sheetsError('v3', 'body', `title is text of at most ${SHEETS_LIMITS.titleChars} characters`);
		if (b.folder_token !== undefined && (typeof b.folder_token !== 'string' || !/^[A-Za-z0-9]*$/.test(b.folder_token))) throw sheetsError('v3', 'body', 'folder_token is a folder token');
		// The app that creates a spreadsheet owns it: other apps cannot open it until it is shared with them.
		const s = model.create({ title: (b.title as string | undefined) ?? '', ownerId: ctx.app.botOpenId, folderToken: (b.folder_token as string | undefined) ?? '', collaborators: { [ctx.app.appId]: 'edit' } });
		model.addSheet(s, { title: 'Sheet1' });
		return { spreadsheet: { title: s.title, folder_token: s.folder_token, url: urlOf(s.spreadsheet_token), spreadsheet_token: s.spreadsheet_token } };
	});

	route('GET', `${SHEETS_V3}/:spreadsheet_token`, 'sheets.v3.spreadsheet.get', (ctx) => {
		const s = model.open(ctx, ctx.params.spreadsheet_token, false, 'v3');
		return { spreadsheet: { title: s.title, owner_id: s.owner_id, token: s.spreadsheet_token, url: urlOf(s.spreadsheet_token) } };
	});

	// query before :sheet_id: the router takes the first route that matches.
	route('GET', `${SHEETS_V3}/:spreadsheet_token/sheets/query`, 'sheets.v3.spreadsheetSheet.query', (ctx) => {
		const s = model.open(ctx, ctx.params.spreadsheet_token, false, 'v3');
		return { sheets: s.sheets.map((t) => model.sheetInfo(s, t)) };
	});

	route('GET', `${SHEETS_V3}/:spreadsheet_token/sheets/:sheet_id`, 'sheets.v3.spreadsheetSheet.get', (ctx) => {
		const s = model.open(ctx, ctx.params.spreadsheet_token, false, 'v3');
		return { sheet: model.sheetInfo(s, model.sheet(s, ctx.params.sheet_id, 'v3')) };
	});

	route('POST', `${SHEETS_V3}/:spreadsheet_token/sheets/:sheet_id/find`, 'sheets.v3.spreadsheetSheet.find', async (ctx) => {
		const s = model.open(ctx, ctx.params.spreadsheet_token, false, 'v3');
		const sheet = model.sheet(s, ctx.params.sheet_id, 'v3');
		const b = await body(ctx, 'v3');
		const cond = b.find_condition;
		if (!isObject(cond) || typeof b.find !== 'string' || !b.find) throw sheetsError('v3', 'body', 'find_condition.range and find are required');
		const range = parseRange(cond.range, 'v3');
		if (range.sheetId !== sheet.sheet_id) throw sheetsError('v3', 'range', 'the range is not in this sheet');
		if (cond.search_by_regex === true) {
			try {
				new RegExp(b.find);
			} catch {
				throw sheetsError('v3', 'body', 'find is not a valid regular expression');
			}
		}
		const flag = (k: string) => cond[k] === true;
		return { find_result: model.find(sheet, range, { find: b.find, matchCase: flag('match_case'), matchEntireCell: flag('match_entire_cell'), regex: flag('search_by_regex'), includeFormulas: flag('include_formulas') }) };
	});

	// ---- v2: sheets_batch_update, values ----
	route('POST', `${SHEETS_V2}/:spreadsheet_token/sheets_batch_update`, 'sheets.v2.sheetsBatchUpdate', async (ctx) => {
		const s = model.open(ctx, ctx.params.spreadsheet_token, true, 'v2');
		const b = await body(ctx, 'v2');
		if (!Array.isArray(b.requests) || b.requests.length === 0) throw sheetsError('v2', 'body', 'requests is a list of addSheet, copySheet or deleteSheet');
		// All or nothing: a copy to work on, kept only when every request succeeds.
		const before = structuredClone(s.sheets);
		try {
			return {
				replies: (b.requests as unknown[]).map((r) => {
					if (!isObject(r)) throw sheetsError('v2', 'body');
					if (isObject(r.addSheet)) {
						const props = isObject(r.addSheet.properties) ? r.addSheet.properties : {};
						if (props.index !== undefined && (!Number.isInteger(props.index) || (props.index as number) < 0)) throw sheetsError('v2', 'body', 'index is a position from 0');
						const made = model.addSheet(s, { title: typeof props.title === 'string' ? props.title : '', index: props.index as number | undefined });
						return { addSheet: { properties: { sheetId: made.sheet_id, title: made.title, index: s.sheets.indexOf(made) } } };
					}
					if (isObject(r.copySheet)) {
						const source = model.sheet(s, String((r.copySheet.source as ResourceRecord | undefined)?.sheetId ?? ''), 'v2');
						const index = s.sheets.indexOf(source);
						const title = String((r.copySheet.destination as ResourceRecord | undefined)?.title ?? '') || `${source.title}(副本_${index})`;
						const made = model.addSheet(s, { title, index: index + 1, rows: source.rowCount, columns: source.columnCount });
						made.cells = structuredClone(source.cells);
						return { copySheet: { properties: { sheetId: made.sheet_id, title: made.title, index: index + 1 } } };
					}
					if (isObject(r.deleteSheet)) {
						const sheet = model.sheet(s, String(r.deleteSheet.sheetId ?? ''), 'v2');
						if (s.sheets.length <= 1) throw sheetsError('v2', 'body', 'a spreadsheet keeps at least one sheet');
						s.sheets.splice(s.sheets.indexOf(sheet), 1);
						s.revision++;
						return { deleteSheet: { result: true, sheetId: sheet.sheet_id } };
					}
					throw sheetsError('v2', 'body', 'each request is addSheet, copySheet or deleteSheet');
				}),
			};
		} catch (e) {
			s.sheets = before;
			throw e;
		}
	});

	route('GET', `${SHEETS_V2}/:spreadsheet_token/values/:range`, 'sheets.v2.values.get', (ctx) => {
		const s = model.open(ctx, ctx.params.spreadsheet_token, false, 'v2');
		const range = parseRange(ctx.params.range);
		const sheet = model.sheet(s, range.sheetId, 'v2');
		const option = ctx.query.get('valueRenderOption');
		if (option !== null && !VALUE_RENDER.includes(option)) throw sheetsError('v2', 'body', `valueRenderOption is one of ${VALUE_RENDER.join(', ')}`);
		const dateOption = ctx.query.get('dateTimeRenderOption');
		if (dateOption !== null && dateOption !== 'FormattedString') throw sheetsError('v2', 'body', 'dateTimeRenderOption is FormattedString');
		const read = model.read(sheet, range, option);
		if (Buffer.byteLength(JSON.stringify(read.values)) > SHEETS_LIMITS.responseBytes) throw sheetsError('v2', 'tooLargeResponse', 'the answer would be above 10 MB: read a smaller range');
		return { revision: s.revision, spreadsheetToken: s.spreadsheet_token, valueRange: { majorDimension: 'ROWS', range: read.range, revision: s.revision, values: read.values } };
	});

	const valueRange = async (ctx: ApiContext) => {
		const b = await body(ctx, 'v2');
		const vr = b.valueRange;
		if (!isObject(vr) || typeof vr.range !== 'string') throw sheetsError('v2', 'body', 'valueRange.range and valueRange.values are required');
		return { range: parseRange(vr.range), values: model.checkValues(vr.values) };
	};

	route('PUT', `${SHEETS_V2}/:spreadsheet_token/values`, 'sheets.v2.values.put', async (ctx) => {
		const s = model.open(ctx, ctx.params.spreadsheet_token, true, 'v2');
		const { range, values } = await valueRange(ctx);
		const sheet = model.sheet(s, range.sheetId, 'v2');
		const startColumn = range.startColumn ?? 0;
		const startRow = range.startRow ?? 1;
		const width = Math.max(...values.map((r) => r.length));
		// The range must hold the values (Feishu: "range 所指定的范围需要大于等于写入的数据所占用的范围").
		if (range.endColumn !== undefined && startColumn + width - 1 > range.endColumn) throw sheetsError('v2', 'range', 'the values are wider than the range');
		if (range.endRow !== undefined && startRow + values.length - 1 > range.endRow) throw sheetsError('v2', 'range', 'the values have more rows than the range');
		model.put(s, sheet, startRow, startColumn, values);
		const updatedRange = `${sheet.sheet_id}!${a1(startColumn, startRow, startColumn + width - 1, startRow + values.length - 1)}`;
		return { revision: s.revision, spreadsheetToken: s.spreadsheet_token, updatedRange, updatedRows: values.length, updatedColumns: width, updatedCells: values.reduce((n, r) => n + r.length, 0) };
	});

	route('POST', `${SHEETS_V2}/:spreadsheet_token/values_append`, 'sheets.v2.values.append', async (ctx) => {
		const s = model.open(ctx, ctx.params.spreadsheet_token, true, 'v2');
		const option = ctx.query.get('insertDataOption') ?? 'OVERWRITE';
		if (option !== 'OVERWRITE' && option !== 'INSERT_ROWS') throw sheetsError('v2', 'body', 'insertDataOption is OVERWRITE or INSERT_ROWS');
		const { range, values } = await valueRange(ctx);
		const sheet = model.sheet(s, range.sheetId, 'v2');
		const startColumn = range.startColumn ?? 0;
		const width = Math.max(...values.map((r) => r.length));
		if (range.endColumn !== undefined && startColumn + width - 1 > range.endColumn) throw sheetsError('v2', 'range', 'the values are wider than the range');
		const endColumn = startColumn + width - 1;
		// The first blank row from the range's start (A1, A2, A3…): rows whose range columns are all empty.
		let row = range.startRow ?? 1;
		const blank = (r: number) => {
			const cells = sheet.cells[r - 1] ?? [];
			for (let c = startColumn; c <= endColumn; c++) if (cells[c] !== null && cells[c] !== undefined && cells[c] !== '') return false;
			return true;
		};
		while (!blank(row)) row++;
		if (option === 'INSERT_ROWS') model.insertRows(sheet, row, values.length);
		model.put(s, sheet, row, startColumn, values);
		const updatedRange = `${sheet.sheet_id}!${a1(startColumn, row, endColumn, row + values.length - 1)}`;
		const updates = { revision: s.revision, spreadsheetToken: s.spreadsheet_token, updatedRange, updatedRows: values.length, updatedColumns: width, updatedCells: values.reduce((n, r) => n + r.length, 0) };
		return { revision: s.revision, spreadsheetToken: s.spreadsheet_token, tableRange: updatedRange, updates };
	});

	registerSheetsControl(router, model);
	return { model };
}

function collaboratorsFrom(v: unknown): SpreadsheetRecord['collaborators'] | undefined {
	if (v === undefined || v === 'all') return 'all';
	if (!isObject(v)) return undefined;
	const out: Record<string, Permission> = {};
	for (const [appId, p] of Object.entries(v)) {
		if (p !== 'edit' && p !== 'read') return undefined;
		out[appId] = p;
	}
	return out;
}

/**
 * Control: POST /_sandbox/sheets/spreadsheets makes a spreadsheet a person shared with the apps
 * (`title`, `spreadsheet_token`?, `collaborators`: "all" (default) or `{app_id: "edit" | "read"}`,
 * `owner_id`?: whose space it is in (an app's bot open_id for one that app made), `folder_token`?,
 * `sheets`: [{title, sheet_id?, values?: rows of cells, row_count?, column_count?}]); PUT
 * …/spreadsheets/:token/collaborators changes who may open it ({} = no app: 90213 / 1310213); GET
 * …/spreadsheets/:token/sheets/:sheet_id/values answers the sheet's cells as stored.
 */
function registerSheetsControl(router: Router, model: SheetsModel): void {
	router.add('POST', '/_sandbox/sheets/spreadsheets', async (ctx) => {
		const b = (await ctx.json()) as ResourceRecord;
		const collaborators = collaboratorsFrom(b.collaborators);
		if (!collaborators) return bad(ctx, 'collaborators is "all" or {app_id: "edit" | "read"}');
		if (b.spreadsheet_token !== undefined && (typeof b.spreadsheet_token !== 'string' || !/^[A-Za-z0-9]{8,64}$/.test(b.spreadsheet_token))) return bad(ctx, 'spreadsheet_token: 8 to 64 letters and digits');
		if (typeof b.spreadsheet_token === 'string' && model.spreadsheets().has(b.spreadsheet_token)) return bad(ctx, `spreadsheet ${b.spreadsheet_token} exists`, 409);
		const place = documentPlace(b);
		if (typeof place === 'string') return bad(ctx, place);
		const s = model.create({ title: typeof b.title === 'string' ? b.title : 'Sandbox Sheet', token: b.spreadsheet_token as string | undefined, ownerId: place.ownerId ?? 'ou_sandbox_sheet_owner', folderToken: place.folderToken, collaborators });
		try {
			const specs = Array.isArray(b.sheets) && b.sheets.length ? (b.sheets as ResourceRecord[]) : [{ title: 'Sheet1' }];
			specs.forEach((spec, i) => {
				if (spec.sheet_id !== undefined && (typeof spec.sheet_id !== 'string' || !/^[A-Za-z0-9]{4,20}$/.test(spec.sheet_id))) throw new Error('sheet_id: 4 to 20 letters and digits');
				const sheet = model.addSheet(s, { title: typeof spec.title === 'string' ? spec.title : `Sheet${i + 1}`, index: i, sheetId: spec.sheet_id as string | undefined, rows: Number(spec.row_count) || DEFAULT_GRID.rows, columns: Number(spec.column_count) || DEFAULT_GRID.columns });
				if (spec.values !== undefined) model.put(s, sheet, 1, 0, model.checkValues(spec.values));
			});
		} catch (e) {
			model.spreadsheets().delete(s.spreadsheet_token);
			return bad(ctx, e instanceof ApiError ? `${e.code} ${e.message}` : String((e as Error).message ?? e));
		}
		sendJson(ctx.res, 200, { ok: true, spreadsheet_token: s.spreadsheet_token, title: s.title, url: urlOf(s.spreadsheet_token), sheets: s.sheets.map((t) => ({ sheet_id: t.sheet_id, title: t.title })) });
	});

	router.add('PUT', '/_sandbox/sheets/spreadsheets/:token/collaborators', async (ctx) => {
		const s = model.spreadsheets().get(ctx.params.token);
		if (!s) return bad(ctx, `unknown spreadsheet ${ctx.params.token}`, 404);
		const collaborators = collaboratorsFrom(((await ctx.json()) as ResourceRecord).collaborators ?? {});
		if (!collaborators) return bad(ctx, 'collaborators is "all" or {app_id: "edit" | "read"}');
		s.collaborators = collaborators;
		sendJson(ctx.res, 200, { ok: true, spreadsheet_token: s.spreadsheet_token, collaborators });
	});

	router.add('GET', '/_sandbox/sheets/spreadsheets/:token/sheets/:sheet_id/values', (ctx) => {
		const s = model.spreadsheets().get(ctx.params.token);
		const sheet = s?.sheets.find((t) => t.sheet_id === ctx.params.sheet_id);
		if (!s || !sheet) return bad(ctx, `unknown spreadsheet or sheet ${ctx.params.token}/${ctx.params.sheet_id}`, 404);
		const rows = model.lastRow(sheet);
		const columns = model.lastColumn(sheet) + 1;
		const values = Array.from({ length: rows }, (_, r) => Array.from({ length: columns }, (_, c) => sheet.cells[r]?.[c] ?? null));
		sendJson(ctx.res, 200, { ok: true, values, row_count: sheet.rowCount, column_count: sheet.columnCount, revision: s.revision });
	});
}
