// Today's todo list in the room view (docs/protocol.md, "Todos"): add, check off, remove.
// Checking an item off is what the room board hears of ("Mina finished chapter 3"); the
// server posts it, so this module only keeps the list in step with the server's.

import { describeApiError } from './api.js';
import { registerPanel } from './panels.js';

const MAX_TEXT = 200; // bytes, as the server counts them

const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
};

let ctx = null;
let list = null;

// The reply ({} for 204 No Content), or null after saying what went wrong.
async function call(fn) {
  try {
    return (await fn(ctx.account.api)) ?? {};
  } catch (err) {
    ctx?.status(describeApiError(err), 'error');
    return null;
  }
}

function item(todo) {
  const box = el('input', { type: 'checkbox', checked: todo.done, id: `todo-${todo.id}` });
  const label = el('label', { htmlFor: box.id, textContent: todo.text });
  const remove = el('button', { type: 'button', className: 'todo-remove', textContent: '✕', title: 'Remove' });
  remove.setAttribute('aria-label', `Remove ${todo.text}`);
  const li = el('li', { className: todo.done ? 'todo done' : 'todo' }, box, label, remove);
  li.dataset.id = String(todo.id);
  box.addEventListener('change', async () => {
    box.disabled = true;
    const r = await call((api) => api.patch(`/study/todos/${todo.id}`, { done: box.checked }));
    box.disabled = false;
    if (!r) {
      box.checked = !box.checked;
      return;
    }
    li.className = r.todo.done ? 'todo done' : 'todo';
  });
  remove.addEventListener('click', async () => {
    if ((await call((api) => api.delete(`/study/todos/${todo.id}`))) !== null) li.remove();
  });
  return li;
}

async function load() {
  const r = await call((api) => api.get('/study/todos'));
  if (r && list) list.replaceChildren(...r.todos.map(item));
}

registerPanel({
  id: 'todos',
  title: 'Today’s todos',
  enter(c) {
    ctx = c;
    if (!c.account) {
      c.body.append(el('p', { textContent: 'Log in to keep a todo list.' }));
      return;
    }
    const text = el('input', { type: 'text', id: 'todo-text', maxLength: MAX_TEXT, placeholder: 'chapter 3' });
    const form = el(
      'form',
      { id: 'todo-form', className: 'todo-form' },
      el('label', { htmlFor: 'todo-text', textContent: 'New item' }),
      text,
      el('button', { type: 'submit', textContent: 'Add' }),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const value = text.value.trim();
      if (!value) return;
      if (new TextEncoder().encode(value).length > MAX_TEXT) {
        ctx.status(`An item is at most ${MAX_TEXT} bytes.`, 'error');
        return;
      }
      const r = await call((api) => api.post('/study/todos', { text: value }));
      if (r && list) {
        list.append(item(r.todo));
        text.value = '';
      }
    });
    list = el('ul', { id: 'todo-list', className: 'todo-list' });
    c.body.append(form, list);
    load();
  },
  leave() {
    ctx = null;
    list = null;
  },
});
