// Calls to the API as JSON, its refusals as ApiError with the API's error shape.

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
