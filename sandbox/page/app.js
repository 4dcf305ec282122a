// The sandbox chat page: plain JS, no build. Talks only to the /_sandbox/ control API.
(function () {
	'use strict';
	const $ = (sel) => document.querySelector(sel);
	const state = { apps: [], appId: null, chats: [], chatId: null, pendingNew: null, replyTo: null, lastRender: '', cardContents: new Map(), streaming: new Set(), fetches: 0, rendered: 0 };

	async function api(method, path, body) {
		const res = await fetch('/_sandbox/' + path, {
			method,
			headers: method === 'GET' ? {} : { 'content-type': 'application/json' }, // the sandbox refuses other state changes
			body: body ? JSON.stringify(body) : undefined,
		});
		const json = await res.json().catch(() => ({}));
		if (!res.ok) throw new Error(json.error || 'HTTP ' + res.status);
		return json;
	}

	// Card rendering and form collection live in cards.js (loaded first).
	const { esc, safeHref, md, plainText, renderCard, collectForm } = window.SandboxCards;

	function withMentions(text, mentions) {
		let h = esc(text);
		for (const m of mentions || []) h = h.split(esc(m.key)).join('<span class="mention-tag">@' + esc(m.name) + '</span>');
		return h.replace(/@_all/g, '<span class="mention-tag">@All</span>');
	}

	function renderPost(c) {
		const post = c.content ? c : c.zh_cn || c.en_us || Object.values(c)[0] || {};
		let h = post.title ? '<div class="post-title">' + esc(post.title) + '</div>' : '';
		for (const para of post.content || []) {
			h += '<div>' + (para || []).map((el) => {
				switch (el.tag) {
					case 'text': return el.style && el.style.includes('bold') ? '<b>' + esc(el.text) + '</b>' : esc(el.text);
					case 'a': return '<a target="_blank" rel="noopener" href="' + safeHref(el.href) + '">' + esc(el.text) + '</a>';
					case 'at': return '<span class="mention-tag">@' + esc(el.user_name || el.user_id) + '</span>';
					case 'img': return '<img src="/_sandbox/resources/' + encodeURIComponent(el.image_key) + '" alt="image">';
					case 'md': return md(el.text || '');
					case 'code_block': return '<code>' + esc(el.text) + '</code>';
					case 'hr': return '<hr>';
					case 'emotion': return ':' + esc(el.emoji_type) + ':';
					default: return esc(el.text || '');
				}
			}).join('') + '</div>';
		}
		return h;
	}

	function renderContent(m) {
		if (m.deleted) return '<div class="bubble recalled">This message was recalled</div>';
		const c = m.content || {};
		switch (m.msg_type) {
			case 'text': return '<div class="bubble">' + withMentions(c.text, m.mentions) + '</div>';
			case 'post': return '<div class="bubble">' + renderPost(c) + '</div>';
			case 'interactive': return renderCard(c, m.message_id, { streaming: state.streaming.has(m.message_id) });
			case 'image': return '<div class="bubble"><img src="/_sandbox/resources/' + encodeURIComponent(c.image_key) + '" alt="image" onerror="this.replaceWith(document.createTextNode(\'[image ' + esc(c.image_key) + ']\'))"></div>';
			case 'file': case 'media': case 'audio': return '<div class="bubble">File: ' + esc(c.file_name || c.file_key) + '</div>';
			default: return '<div class="bubble"><code>' + esc(m.msg_type) + '</code> ' + esc(JSON.stringify(c)) + '</div>';
		}
	}

	function summary(m) {
		if (!m) return '';
		if (m.deleted) return 'recalled';
		const c = m.content || {};
		if (m.msg_type === 'text') return (c.text || '').replace(/@_user_\d+/g, '@…');
		if (m.msg_type === 'interactive') {
			// Feishu's chat list shows a card's summary, "[Generating...]" by default while it streams.
			const config = c.config || {};
			const custom = config.summary && plainText(config.summary);
			if (custom) return custom;
			return config.streaming_mode ? '[Generating...]' : '[card] ' + plainText((c.header || {}).title);
		}
		if (m.msg_type === 'post') return '[post] ' + (c.title || '');
		return '[' + m.msg_type + ']';
	}

	async function loadApps() {
		const { apps } = await api('GET', 'apps');
		state.apps = apps;
		if (!state.appId || !apps.find((a) => a.app_id === state.appId)) state.appId = apps[0] && apps[0].app_id;
		$('#app-select').innerHTML = apps.map((a) => '<option value="' + esc(a.app_id) + '"' + (a.app_id === state.appId ? ' selected' : '') + '>' + esc(a.bot_name) + ' — ' + esc(a.app_id) + '</option>').join('');
	}

	async function refreshStatus() {
		const app = state.apps.find((a) => a.app_id === state.appId);
		if (!app) return;
		if (app.delivery.mode === 'webhook') {
			$('#app-status').innerHTML = '<span class="dot on"></span>Webhook → ' + esc(app.delivery.url);
			return;
		}
		const { connections } = await api('GET', 'connections?app_id=' + encodeURIComponent(app.app_id));
		const open = connections.filter((c) => c.open).length;
		$('#app-status').innerHTML = '<span class="dot ' + (open ? 'on' : '') + '"></span>' + (open ? open + ' long connection' + (open > 1 ? 's' : '') + ' open' : 'No client connected (events will wait)');
	}

	async function refreshChats() {
		const { chats } = await api('GET', 'chats');
		state.chats = chats.filter((c) => c.app_id === state.appId);
		const items = state.chats.slice().sort((a, b) => Number((b.last_message || {}).create_time || b.created_at) - Number((a.last_message || {}).create_time || a.created_at));
		if (state.pendingNew && !items.find((c) => c.chat_id === state.pendingNew.chat_id)) items.unshift(state.pendingNew);
		$('#chat-list').innerHTML = items.map((c) => '<li data-chat="' + esc(c.chat_id) + '" class="' + (c.chat_id === state.chatId ? 'active' : '') + '"><div class="name">' + (c.chat_type === 'p2p' ? '' : '<span class="badge">group</span> ') + esc(c.name) + '</div><div class="preview">' + esc(summary(c.last_message) || 'no messages yet') + '</div></li>').join('') || '<li class="preview">No conversations yet: press + New</li>';
	}

	/** Message ids of the CardKit entities shown in the chat that are in streaming mode (typing indicator). */
	async function streamingIn(chatId) {
		try {
			const { cards } = await api('GET', 'cardkit/cards?chat_id=' + encodeURIComponent(chatId));
			return new Set(cards.filter((c) => c.streaming_mode && c.message_id).map((c) => c.message_id));
		} catch {
			return new Set();
		}
	}

	async function refreshMessages(force) {
		if (!state.chatId) return;
		const chatId = state.chatId;
		const fetchNo = ++state.fetches;
		const { messages } = await api('GET', 'chats/' + encodeURIComponent(chatId) + '/messages');
		const streaming = messages.some((m) => m.msg_type === 'interactive' && !m.deleted) ? await streamingIn(chatId) : new Set();
		// Polls overlap while a card streams: an answer older than the one shown, or for another chat, is dropped.
		if (fetchNo < state.rendered || chatId !== state.chatId) return;
		state.rendered = fetchNo;
		const chat = state.chats.find((c) => c.chat_id === state.chatId) || state.pendingNew || {};
		$('#chat-title').textContent = chat.name || state.chatId;
		$('#chat-meta').textContent = (chat.chat_type === 'group' ? 'Group' : 'Direct message') + ' · ' + state.chatId;
		// A card entity's message changes as the entity does (its content is the entity's card), so this
		// key sees every streamed piece; the streaming set is part of it for the typing indicator.
		const key = JSON.stringify(messages) + '|' + Array.from(streaming).join(',');
		if (!force && key === state.lastRender) return;
		state.lastRender = key;
		state.streaming = streaming;
		const byId = new Map(messages.map((m) => [m.message_id, m]));
		const box = $('#messages');
		const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
		const typed = saveForms(box);
		box.innerHTML = messages.length ? messages.map((m) => {
			const isUser = m.from === 'user';
			const app = state.apps.find((a) => a.app_id === state.appId) || {};
			const who = isUser ? (m.sender_name || 'User') : app.bot_name || 'Bot';
			const parent = m.parent_id && byId.get(m.parent_id);
			return '<div class="msg ' + (isUser ? 'user' : 'bot') + '">' +
				'<div class="avatar">' + esc(who.slice(0, 1).toUpperCase()) + '</div>' +
				'<div class="bubble-wrap"><div class="who">' + esc(who) + ' · ' + new Date(Number(m.create_time)).toLocaleTimeString() + '</div>' +
				(parent ? '<div class="quote">↪ ' + esc(summary(parent)).slice(0, 80) + '</div>' : '') +
				renderContent(m) +
				'<div class="tags">' + [m.thread_id ? 'in thread' : '', m.updated ? 'edited' : ''].filter(Boolean).join(' · ') + '</div>' +
				(isUser || m.deleted ? '' : '<div class="actions"><a data-reply="' + esc(m.message_id) + '">Reply</a></div>') +
				'</div></div>';
		}).join('') : '<div class="empty">No messages yet. Say hello to the bot.</div>';
		restoreForms(box, typed, messages);
		if (atBottom || force) box.scrollTop = box.scrollHeight;
	}

	function controlValue(c) {
		if (c.type === 'checkbox') return c.checked;
		return c.multiple ? Array.from(c.selectedOptions, (o) => o.value) : c.value;
	}

	function controlKey(c) {
		const f = c.closest('form.card-form');
		return f.dataset.message + '|' + f.dataset.form + '|' + c.dataset.field;
	}

	// What a person typed into a card form survives a re-render while that card's content is unchanged.
	function saveForms(box) {
		const values = new Map();
		box.querySelectorAll('form.card-form [data-field]').forEach((c) => values.set(controlKey(c), controlValue(c)));
		return { values, contents: state.cardContents || new Map() };
	}

	function restoreForms(box, typed, messages) {
		state.cardContents = new Map(messages.filter((m) => m.msg_type === 'interactive').map((m) => [m.message_id, JSON.stringify(m.content)]));
		box.querySelectorAll('form.card-form [data-field]').forEach((c) => {
			const id = c.closest('form.card-form').dataset.message;
			const key = controlKey(c);
			if (!typed.values.has(key) || typed.contents.get(id) !== state.cardContents.get(id)) return;
			const v = typed.values.get(key);
			if (c.type === 'checkbox') c.checked = v;
			else if (c.multiple) Array.from(c.options).forEach((o) => (o.selected = v.includes(o.value)));
			else c.value = v;
		});
	}

	/** The form's inputs as collectForm takes them. */
	function formControls(form) {
		return Array.from(form.querySelectorAll('[data-field]'), (c) => ({
			name: c.dataset.field,
			kind: c.dataset.kind,
			required: c.dataset.required === '1',
			value: c.value,
			checked: c.checked,
			values: c.multiple ? Array.from(c.selectedOptions, (o) => o.value) : undefined,
		}));
	}

	function toast(text, type) {
		const t = $('#toast');
		t.textContent = text;
		t.className = type || '';
		t.hidden = false;
		clearTimeout(toast.timer);
		toast.timer = setTimeout(() => (t.hidden = true), 2500);
	}

	function selectChat(chatId) {
		state.chatId = chatId;
		state.lastRender = '';
		state.replyTo = null;
		$('#reply-bar').hidden = true;
		const chat = state.chats.find((c) => c.chat_id === chatId) || state.pendingNew;
		$('#mention-bot').checked = !!chat && chat.chat_type === 'group';
		refreshChats();
		refreshMessages(true);
		$('#text').focus();
	}

	$('#app-select').addEventListener('change', (e) => {
		state.appId = e.target.value;
		state.chatId = null;
		state.pendingNew = null;
		refreshAll();
	});

	$('#new-chat').addEventListener('click', () => {
		$('#new-chat-form').hidden = !$('#new-chat-form').hidden;
		$('#new-chat-name').focus();
	});

	$('#new-chat-form').addEventListener('submit', (e) => {
		e.preventDefault();
		const type = $('#new-chat-type').value;
		const rand = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
		const name = $('#new-chat-name').value.trim() || (type === 'group' ? 'Sandbox group' : $('#sender-name').value || 'Alice');
		state.pendingNew = { chat_id: 'oc_' + rand, chat_type: type, name, app_id: state.appId, created_at: Date.now() };
		$('#new-chat-form').hidden = true;
		$('#new-chat-name').value = '';
		selectChat(state.pendingNew.chat_id);
	});

	$('#chat-list').addEventListener('click', (e) => {
		const li = e.target.closest('li[data-chat]');
		if (li) selectChat(li.dataset.chat);
	});

	$('#composer').addEventListener('submit', async (e) => {
		e.preventDefault();
		const text = $('#text').value;
		if (!text.trim()) return;
		if (!state.chatId) {
			$('#new-chat-type').value = 'p2p';
			$('#new-chat-form').dispatchEvent(new Event('submit'));
		}
		const chat = state.chats.find((c) => c.chat_id === state.chatId) || state.pendingNew || {};
		const name = $('#sender-name').value.trim() || 'Alice';
		try {
			await api('POST', 'chats/' + encodeURIComponent(state.chatId) + '/messages', {
				app_id: state.appId,
				text,
				chat_type: chat.chat_type || 'p2p',
				chat_name: chat.name,
				sender: { name },
				mention_bot: $('#mention-bot').checked,
				parent_id: state.replyTo || undefined,
			});
			$('#text').value = '';
			state.replyTo = null;
			$('#reply-bar').hidden = true;
			await refreshChats();
			await refreshMessages(true);
		} catch (err) {
			toast('Send failed: ' + err.message, 'error');
		}
	});

	$('#messages').addEventListener('click', async (e) => {
		const reply = e.target.closest('[data-reply]');
		if (reply) {
			state.replyTo = reply.dataset.reply;
			$('#reply-to').textContent = state.replyTo;
			$('#reply-bar').hidden = false;
			$('#text').focus();
			return;
		}
		const reset = e.target.closest('button[data-form-action="reset"]');
		if (reset) {
			reset.closest('form.card-form').reset(); // back to the card's initial values, as in Feishu
			return;
		}
		const btn = e.target.closest('button[data-click]');
		if (!btn || btn.disabled) return;
		const body = {
			tag: 'button',
			value: JSON.parse(btn.dataset.value || '{}'),
			name: btn.dataset.name || undefined,
			operator: { name: $('#sender-name').value.trim() || 'Alice' },
		};
		if (btn.dataset.formAction === 'submit') {
			const { formValue, missing } = collectForm(formControls(btn.closest('form.card-form')), -new Date().getTimezoneOffset());
			// Feishu's client stops here too: nothing is sent while a required field is empty.
			if (missing.length) return toast('Required fields are missing: ' + missing.join(', '), 'error');
			body.form_value = formValue;
		}
		btn.disabled = true;
		try {
			const r = await api('POST', 'cards/' + encodeURIComponent(btn.dataset.click) + '/click', body);
			if (r.error) toast('Error ' + r.error.code + ': ' + r.error.msg, 'error');
			else if (r.answer && r.answer.toast) toast(r.answer.toast.content || plainText(r.answer.toast), r.answer.toast.type);
			else toast('Clicked (' + r.latency_ms + ' ms)', 'info');
			await refreshMessages(true);
		} catch (err) {
			toast('Click failed: ' + err.message, 'error');
		} finally {
			btn.disabled = false;
		}
	});

	// Enter in a card form's text box must not reload the page.
	$('#messages').addEventListener('submit', (e) => e.preventDefault());

	$('#reply-cancel').addEventListener('click', () => {
		state.replyTo = null;
		$('#reply-bar').hidden = true;
	});

	async function refreshAll() {
		try {
			await loadApps();
			await Promise.all([refreshStatus(), refreshChats()]);
			await refreshMessages(false);
		} catch (err) {
			$('#app-status').textContent = 'Sandbox unreachable: ' + err.message;
		}
	}

	refreshAll().then(() => {
		if (!state.chatId && state.chats[0]) selectChat(state.chats[0].chat_id);
	});
	setInterval(refreshAll, 1000);
	// While a card streams, the chat is polled four times a second so the text fills in smoothly.
	let fastPoll = false;
	setInterval(async () => {
		if (!state.streaming.size || fastPoll) return;
		fastPoll = true;
		try {
			await refreshMessages(false);
		} catch {
			// The next 1 s refresh reports an unreachable sandbox.
		} finally {
			fastPoll = false;
		}
	}, 250);
})();
