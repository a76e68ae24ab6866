// Small helpers every page shares: JSON calls that surface the API's error shape.

export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
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
    throw new ApiError(response.status, error.code, error.message, Number(response.headers.get("retry-after")) || null);
  }
  return body;
}

export function money(amount, currency) {
  return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(amount / 100);
}
