// Small helpers every page shares: JSON calls that surface the API's error shape.

export class ApiError extends Error {
  constructor(status, code, message, retryAfter, suggestions) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
    this.suggestions = suggestions;
  }
}

export async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { "accept": "application/json", ...(options.body ? { "content-type": "application/json" } : {}), ...options.headers },
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const error = body?.error ?? { code: "unexpected", message: `The server answered ${response.status}.` };
    throw new ApiError(response.status, error.code, error.message, Number(response.headers.get("retry-after")) || null, error.suggestions);
  }
  return body;
}

/// An element with attributes and children (strings become text, never HTML).
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

export function money(amount, currency) {
  return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(amount / 100);
}
